"""Agent records: the agent, its voice and numbers, trainings and actions."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from talkkit.talkover.types._base import TalkoverModel
from talkkit.talkover.types._common import ActiveStatus, CustomHeader, Direction

__all__ = [
    "Action",
    "ActionInput",
    "ActionTrigger",
    "Agent",
    "AgentPhoneNumber",
    "AgentStatus",
    "AgentVoice",
    "InterruptSensitivity",
    "Language",
    "Training",
    "VoiceTemplateRef",
    "WhoSpeaksFirst",
]


class AgentStatus(enum.StrEnum):
    """An agent's ``current_status``: only published agents take new calls."""

    DRAFT = "draft"
    PUBLISHED = "published"


class InterruptSensitivity(enum.StrEnum):
    """How easily the caller interrupts the agent."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class WhoSpeaksFirst(enum.StrEnum):
    """Who opens the conversation."""

    AGENT = "agent"
    USER = "user"


class Language(enum.StrEnum):
    """Agent languages (create-agent)."""

    PT_BR = "pt-BR"
    PT_PT = "pt-PT"
    EN_US = "en-US"
    EN_CA = "en-CA"
    ES_ES = "es-ES"
    FR_FR = "fr-FR"
    DE_DE = "de-DE"
    IT_IT = "it-IT"
    NL_NL = "nl-NL"
    JA_JP = "ja-JP"
    KO_KR = "ko-KR"
    ZH_TW = "zh-TW"


class ActionTrigger(enum.StrEnum):
    """When an action runs."""

    DURING_CALL = "during_call"
    POST_CALL = "post_call"


@attrs.frozen
class VoiceTemplateRef(TalkoverModel):
    """The voice template an agent voice was made from."""

    id: str
    name: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class AgentVoice(TalkoverModel):
    """
    An agent's voice. Note the naming trap: `Agents.update_voice` takes ``similarity``, the
    agent returns it as ``similarity_boost``.
    """

    id: str
    name: str | None = None
    label: str | None = None
    stability: float | None = None
    similarity_boost: float | None = None
    ambient_background: str | None = None
    ambient_volume: float | None = None
    template: VoiceTemplateRef | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class AgentPhoneNumber(TalkoverModel):
    """A phone number linked to an agent (the short form nested in agents)."""

    id: str
    number: str | None = None
    country_code: str | None = None
    formatted_number: str | None = None
    current_status: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class Training(TalkoverModel):
    """A piece of knowledge the agent is trained on."""

    id: str
    subject: str | None = None
    instructions: str | None = None
    current_status: ActiveStatus | str | None = None
    node_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class ActionInput(TalkoverModel):
    """One input an action takes (sent as ``inputs``, returned as ``input_schema``)."""

    name: str
    type: str | None = None
    required: bool | None = None
    description: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class Action(TalkoverModel):
    """A tool the agent can run (webhook, transfer, hold…)."""

    id: str
    name: str | None = None
    description: str | None = None
    type: str | None = None
    node_id: str | None = None
    input_schema: list[ActionInput] = attrs.field(factory=list)
    integration: dict[str, Any] | None = None
    url: str | None = None
    authorization_url: str | None = None
    authorization_scheme: str | None = None
    custom_headers: list[CustomHeader] = attrs.field(factory=list)
    action_trigger: ActionTrigger | str | None = None
    hold_duration_seconds: int | None = None
    transfer_number: str | None = None
    current_status: ActiveStatus | str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class Agent(TalkoverModel):
    """
    A voice agent. Only ``id`` is always present: publish/unpublish and calling updates
    return a shortened agent (``id``, ``name``, statuses, ``updated_at``).
    """

    id: str
    name: str | None = None
    label: str | None = None
    description: str | None = None
    language: Language | str | None = None
    voice: AgentVoice | None = None
    initial_message: str | None = None
    interrupt_sensitivity: InterruptSensitivity | str | None = None
    endpointing_sensitivity: str | None = None
    ivr_navigation_mode: str | None = None
    conversation_speed: float | None = None
    initial_message_delay: float | None = None
    ask_if_human_present_on_idle: bool | None = None
    idle_time_seconds: int | None = None
    max_idle_check_count: int | None = None
    max_call_duration_seconds: int | None = None
    say_goodbye_on_max_duration: bool | None = None
    user_inactivity_timeout_seconds: int | None = None
    initial_idle_time_seconds: int | None = None
    initial_max_idle_check_count: int | None = None
    llm_temperature: float | None = None
    enable_recording: bool | None = None
    direction: Direction | str | None = None
    who_speaks_first: WhoSpeaksFirst | str | None = None
    current_status: AgentStatus | str | None = None
    is_sandbox: bool | None = None
    is_ready_to_publish: bool | None = None
    trainings: list[Training] = attrs.field(factory=list)
    actions: list[Action] = attrs.field(factory=list)
    phone_numbers: list[AgentPhoneNumber] = attrs.field(factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)
