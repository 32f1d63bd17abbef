"""Talkover phone numbers (``/phone-numbers``)."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Annotated, Unpack

from talkkit._options import RequestOptions
from talkkit._resource import Resource
from talkkit.talkover import _fields as f
from talkkit.talkover._fields import Doc, Field
from talkkit.talkover.types import PhoneNumber, PhoneNumberType

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["PhoneNumbers"]


class PhoneNumbers(Resource):
    """The environment's phone numbers (no purchase endpoint is documented)."""

    _client: AsyncTalkover

    async def list(
        self,
        *,
        type: Annotated[
            PhoneNumberType | str | None,
            Doc("``voice``, ``sms``, ``whatsapp``, ``mms`` or ``fax``."),
            Field(f.choice(PhoneNumberType), into="query"),
        ] = None,
        has_voice: Annotated[
            bool | None,
            Doc("Only numbers that can (or cannot) take voice calls."),
            Field(f.flag, into="query"),
        ] = None,
        has_whatsapp: Annotated[
            bool | None,
            Doc("Only numbers with (or without) WhatsApp."),
            Field(f.flag, into="query"),
        ] = None,
        search: Annotated[
            str | None, Doc("Part of the number."), Field(f.text(min_len=1), into="query")
        ] = None,
        **options: Unpack[RequestOptions],
    ) -> builtins.list[PhoneNumber]:
        """``GET /phone-numbers``: the numbers with the agents they are linked to (unpaginated)."""
        params = self._client.fields(PhoneNumbers.list, locals(), into="query")
        return await self._client.request_model(
            "GET", "/phone-numbers", builtins.list[PhoneNumber], params=params, options=options
        )
