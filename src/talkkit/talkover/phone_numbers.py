"""Talkover phone numbers (``/phone-numbers``)."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from talkkit._resource import Resource
from talkkit.talkover import _fields as f
from talkkit.talkover.types import PhoneNumber, PhoneNumberType

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["PhoneNumbers"]

_FILTERS: dict[str, f.Check] = {
    "type": f.choice(PhoneNumberType),
    "has_voice": f.flag,
    "has_whatsapp": f.flag,
    "search": f.text(min_len=1),
}


class PhoneNumbers(Resource):
    """The environment's phone numbers (no purchase endpoint is documented)."""

    _client: AsyncTalkover

    async def list(
        self,
        *,
        type: PhoneNumberType | str | None = None,
        has_voice: bool | None = None,
        has_whatsapp: bool | None = None,
        search: str | None = None,
    ) -> builtins.list[PhoneNumber]:
        """
        ``GET /phone-numbers``: the numbers with the agents they are linked to (unpaginated).

        Args:
            type: ``voice``, ``sms``, ``whatsapp``, ``mms`` or ``fax``.
            has_voice: Only numbers that can (or cannot) take voice calls.
            has_whatsapp: Only numbers with (or without) WhatsApp.
            search: Part of the number.
        """
        params = f.build(_FILTERS, locals())
        return await self._client.request_model(
            "GET", "/phone-numbers", builtins.list[PhoneNumber], params=params
        )
