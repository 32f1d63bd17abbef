"""Talkturo ``/api/assistants``: create, get, update, assign phone numbers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, TypeVar, Unpack

from talkkit._fields import Doc, Field
from talkkit._options import RequestOptions, UnsafeRequestOptions
from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit._validate import choice, flag, non_empty, number, path_id, strings, text
from talkkit.talkturo._common import positive_int
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


_Name = TypeVar("_Name", str, str | None)

AssistantName = Annotated[_Name, Doc("Display name."), Field(non_empty)]
"""Required on create (``AssistantName[str]``), optional on update."""
AccountSlug = Annotated[
    str | None, Doc("The workspace slug (default: the client's)."), Field(path_id)
]
"""The ``accountSlug`` of a write; the method passes ``self._client._account(account_slug)``."""


def _path(assistant_id: str, tail: str = "") -> str:
    return f"/assistants/{path_id('assistant_id', assistant_id)}{tail}"


class Assistants(Resource):
    """AI voice assistants. ``account_slug`` defaults to the client's."""

    _client: AsyncTalkturo

    async def create(
        self,
        name: AssistantName[str],
        *,
        template: Annotated[
            AssistantTemplate | str,
            Doc("``outbound-setter``, ``inbound-support``, ``follow-up`` or ``custom``."),
            Field(choice(AssistantTemplate), wire="templateId"),
        ] = AssistantTemplate.CUSTOM,
        account_slug: AccountSlug = None,
        **options: Unpack[UnsafeRequestOptions],
    ) -> Assistant:
        """
        ``POST /api/assistants``: create an assistant, optionally from a template (unsafe).

        Raises:
            InvalidRequestError: A blank name, an unknown template or no account slug.
        """
        values = {**locals(), "account_slug": self._client._account(account_slug)}
        body = self._client.fields(Assistants.create, values)
        return await self._client.request_model(
            "POST", "/assistants", Assistant, json=body, safety=Safety.UNSAFE, options=options
        )

    async def get(self, assistant_id: str, **options: Unpack[RequestOptions]) -> Assistant:
        """``GET /api/assistants/{assistantId}``: one assistant's configuration."""
        return await self._client.request_model(
            "GET", _path(assistant_id), Assistant, options=options
        )

    async def update(
        self,
        assistant_id: str,
        *,
        name: AssistantName[str | None] = None,
        first_message: Annotated[
            str | None, Doc("The opening line (may use CRM variables)."), Field(text())
        ] = None,
        system_prompt: Annotated[
            str | None, Doc("The instructions (may use CRM variables)."), Field(text())
        ] = None,
        provider: Annotated[
            LLMProvider | str | None, Doc("The LLM provider."), Field(choice(LLMProvider))
        ] = None,
        model: Annotated[
            str | None, Doc("The LLM model, e.g. ``gpt-4o-mini``."), Field(text())
        ] = None,
        temperature: Annotated[float | None, Doc("0.0 to 2.0."), Field(number(0, 2))] = None,
        max_tokens: Annotated[
            int | None, Doc("Most tokens per completion (at least 1)."), Field(positive_int)
        ] = None,
        voice_provider: Annotated[
            VoiceProvider | str | None,
            Doc("The text-to-speech provider."),
            Field(choice(VoiceProvider)),
        ] = None,
        voice_model: Annotated[str | None, Doc("The text-to-speech model."), Field(text())] = None,
        voice_id: Annotated[
            str | None, Doc("The voice, by its provider's id."), Field(text())
        ] = None,
        voice_name: Annotated[str | None, Doc("The voice's display name."), Field(text())] = None,
        transcriber_provider: Annotated[
            TranscriberProvider | str | None,
            Doc("The speech-to-text provider."),
            Field(choice(TranscriberProvider)),
        ] = None,
        transcriber_model: Annotated[
            str | None, Doc("The speech-to-text model, e.g. ``nova-2``."), Field(text())
        ] = None,
        language: Annotated[
            str | None, Doc("The spoken language (BCP-47: ``en``, ``es``…)."), Field(text())
        ] = None,
        recording_enabled: Annotated[
            bool | None, Doc("Record calls (stereo)."), Field(flag)
        ] = None,
        inbound_enabled: Annotated[
            bool | None, Doc("Answer calls to the assigned numbers."), Field(flag)
        ] = None,
        outbound_enabled: Annotated[bool | None, Doc("Place outbound calls."), Field(flag)] = None,
        account_slug: AccountSlug = None,
        **options: Unpack[RequestOptions],
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
        values = {**locals(), "account_slug": self._client._account(account_slug)}
        body = self._client.fields(Assistants.update, values)
        path = _path(assistant_id)
        return await self._client.request_model(
            "PATCH", path, Assistant, json=body, safety=Safety.IDEMPOTENT, options=options
        )

    async def assign_phone_numbers(
        self,
        assistant_id: str,
        phone_number_ids: Annotated[
            Sequence[str],
            Doc("Phone-number record ids (`PhoneNumber.id`); ``[]`` removes every number."),
            Field(strings()),
        ],
        *,
        account_slug: AccountSlug = None,
        **options: Unpack[RequestOptions],
    ) -> None:
        """
        ``PATCH /api/assistants/{assistantId}/telephony/phone-numbers``: replace the numbers.

        The list **replaces** every current assignment; ``[]`` removes them all (idempotent).
        Pass phone-number record ids (`PhoneNumber.id`), not E.164 strings. Inbound calls to
        an assigned number reach the assistant only when ``inbound_enabled`` is true. The body
        field ``phoneNumberIds`` comes from the docs repo; the response shape is undocumented,
        so nothing is returned: read `AsyncTalkturo.phone_numbers` to see assignments.
        """
        values = {**locals(), "account_slug": self._client._account(account_slug)}
        payload = self._client.fields(Assistants.assign_phone_numbers, values)
        path = _path(assistant_id, "/telephony/phone-numbers")
        await self._client.request_json(
            "PATCH", path, json=payload, safety=Safety.IDEMPOTENT, options=options
        )
