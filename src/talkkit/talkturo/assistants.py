"""Talkturo ``/api/assistants``: create, get, update, assign phone numbers."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING

from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit._validate import in_range, non_empty, one_of
from talkkit.talkturo._common import body, flag, path_id, positive_int, strings
from talkkit.talkturo.types import (
    Assistant,
    AssistantTemplate,
    LLMProvider,
    TranscriberProvider,
    VoiceProvider,
)

if TYPE_CHECKING:
    from talkkit.talkturo._client import AsyncTalkturo

__all__ = ["Assistants"]


def _choice(field: str, value: str | None, allowed: type[enum.StrEnum]) -> str | None:
    """``None`` (not sent) or one of the enum's values (a member or its string)."""
    return None if value is None else one_of(field, value, [m.value for m in allowed])


class Assistants(Resource):
    """AI voice assistants. ``account_slug`` defaults to the client's."""

    _client: AsyncTalkturo

    async def create(
        self,
        name: str,
        *,
        template: AssistantTemplate | str = AssistantTemplate.CUSTOM,
        account_slug: str | None = None,
    ) -> Assistant:
        """
        ``POST /api/assistants``: create an assistant, optionally from a template (unsafe).

        Args:
            name: Display name.
            template: ``outbound-setter``, ``inbound-support``, ``follow-up`` or ``custom``.
            account_slug: The workspace slug (default: the client's).

        Raises:
            InvalidRequestError: A blank name, an unknown template or no account slug.
        """
        payload = body(
            account_slug=self._client._account(account_slug),
            name=non_empty("name", name),
            template_id=_choice("template", template, AssistantTemplate),
        )
        return await self._client.request_model(
            "POST", "/assistants", Assistant, key="assistant", json=payload, safety=Safety.UNSAFE
        )

    async def get(self, assistant_id: str) -> Assistant:
        """``GET /api/assistants/{assistantId}``: one assistant's configuration."""
        path = f"/assistants/{path_id('assistant_id', assistant_id)}"
        return await self._client.request_model("GET", path, Assistant, key="assistant")

    async def update(
        self,
        assistant_id: str,
        *,
        name: str | None = None,
        first_message: str | None = None,
        system_prompt: str | None = None,
        provider: LLMProvider | str | None = None,
        model: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        voice_provider: VoiceProvider | str | None = None,
        voice_model: str | None = None,
        voice_id: str | None = None,
        voice_name: str | None = None,
        transcriber_provider: TranscriberProvider | str | None = None,
        transcriber_model: str | None = None,
        language: str | None = None,
        recording_enabled: bool | None = None,
        inbound_enabled: bool | None = None,
        outbound_enabled: bool | None = None,
        account_slug: str | None = None,
    ) -> Assistant:
        """
        ``PATCH /api/assistants/{assistantId}``: change only the fields you pass (idempotent).

        ``None`` means "leave unchanged". The request names are INFERRED camelCase mirrors of
        the documented fields (``firstMessage``, ``maxTokens``, ``voiceProvider``…;
        ``language`` is sent as ``language``). Prompts may use CRM variables such as
        ``{{contact.first_name}}``.

        Raises:
            InvalidRequestError: A provider outside the documented list, temperature outside
                0.0–2.0, ``max_tokens`` below 1, a non-boolean toggle, no account slug.
        """
        payload = body(
            account_slug=self._client._account(account_slug),
            name=None if name is None else non_empty("name", name),
            first_message=first_message,
            system_prompt=system_prompt,
            provider=_choice("provider", provider, LLMProvider),
            model=model,
            temperature=None if temperature is None else in_range("temperature", temperature, 0, 2),
            max_tokens=None if max_tokens is None else positive_int("max_tokens", max_tokens),
            voice_provider=_choice("voice_provider", voice_provider, VoiceProvider),
            voice_model=voice_model,
            voice_id=voice_id,
            voice_name=voice_name,
            transcriber_provider=_choice(
                "transcriber_provider", transcriber_provider, TranscriberProvider
            ),
            transcriber_model=transcriber_model,
            language=language,
            recording_enabled=flag("recording_enabled", recording_enabled),
            inbound_enabled=flag("inbound_enabled", inbound_enabled),
            outbound_enabled=flag("outbound_enabled", outbound_enabled),
        )
        path = f"/assistants/{path_id('assistant_id', assistant_id)}"
        return await self._client.request_model(
            "PATCH", path, Assistant, key="assistant", json=payload, safety=Safety.IDEMPOTENT
        )

    async def assign_phone_numbers(
        self,
        assistant_id: str,
        phone_number_ids: Sequence[str],
        *,
        account_slug: str | None = None,
    ) -> None:
        """
        ``PATCH /api/assistants/{assistantId}/telephony/phone-numbers``: replace the numbers.

        The list **replaces** every current assignment; ``[]`` removes them all (idempotent).
        Pass phone-number record ids (`PhoneNumber.id`), not E.164 strings. Inbound calls to
        an assigned number reach the assistant only when ``inbound_enabled`` is true. The body
        field ``phoneNumberIds`` comes from the docs repo; the response shape is undocumented,
        so nothing is returned: read `AsyncTalkturo.phone_numbers` to see assignments.
        """
        ids = strings("phone_number_ids", phone_number_ids, required=True)
        payload = {"accountSlug": self._client._account(account_slug), "phoneNumberIds": ids}
        path = f"/assistants/{path_id('assistant_id', assistant_id)}/telephony/phone-numbers"
        await self._client.request_json("PATCH", path, json=payload, safety=Safety.IDEMPOTENT)
