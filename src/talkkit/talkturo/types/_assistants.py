"""Assistant records and the enums their writes are validated against."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, ClassVar

import attrs

from talkkit.talkturo.types._base import TalkturoModel

__all__ = [
    "Assistant",
    "AssistantTemplate",
    "LLMProvider",
    "TranscriberProvider",
    "VoiceProvider",
]


class AssistantTemplate(enum.StrEnum):
    """Templates an assistant can start from (``templateId``; the assistant's ``type``)."""

    OUTBOUND_SETTER = "outbound-setter"
    INBOUND_SUPPORT = "inbound-support"
    FOLLOW_UP = "follow-up"
    CUSTOM = "custom"


class LLMProvider(enum.StrEnum):
    """LLM providers (the API reference; Kimi from the key-concepts page)."""

    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    GOOGLE = "google"
    DEEPSEEK = "deepseek"
    QWEN = "qwen"
    KIMI = "kimi"


class VoiceProvider(enum.StrEnum):
    """Text-to-speech providers (OpenAI and DashScope from the key-concepts page)."""

    CARTESIA = "cartesia"
    ELEVENLABS = "elevenlabs"
    OPENAI = "openai"
    DASHSCOPE = "dashscope"


class TranscriberProvider(enum.StrEnum):
    """Speech-to-text providers (Cartesia and ElevenLabs from the key-concepts page)."""

    DEEPGRAM = "deepgram"
    ASSEMBLYAI = "assemblyai"
    CARTESIA = "cartesia"
    ELEVENLABS = "elevenlabs"


@attrs.frozen(kw_only=True)
class Assistant(TalkturoModel):
    """
    An AI voice assistant (``/api/assistants``).

    The names ``voice_id``, ``voice_name``, ``transcriber_*`` and ``outbound_enabled`` are
    inferred (the docs describe those fields without naming them).
    """

    _envelope: ClassVar[str | None] = "assistant"

    id: str
    account_id: str | None = None
    name: str | None = None
    type: AssistantTemplate | str | None = None
    provider: LLMProvider | str | None = None
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    first_message: str | None = None
    system_prompt: str | None = None
    voice_provider: VoiceProvider | str | None = None
    voice_model: str | None = None
    voice_id: str | None = None
    voice_name: str | None = None
    transcriber_provider: TranscriberProvider | str | None = None
    transcriber_model: str | None = None
    transcriber_language: str | None = None
    recording_enabled: bool | None = None
    inbound_enabled: bool | None = None
    outbound_enabled: bool | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)
