"""Talkory ``/v1/wallet``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Unpack

from talkkit._options import RequestOptions
from talkkit._resource import Resource
from talkkit.talkory.types import Wallet as WalletRecord

if TYPE_CHECKING:
    from talkkit.talkory._client import AsyncTalkory

__all__ = ["WalletResource"]


class WalletResource(Resource):
    """The prepaid wallet (free to read)."""

    _client: AsyncTalkory

    async def get(self, **options: Unpack[RequestOptions]) -> WalletRecord:
        """``GET /v1/wallet``: balance, currency and plan."""
        return await self._client.request_model("GET", "/v1/wallet", WalletRecord, options=options)
