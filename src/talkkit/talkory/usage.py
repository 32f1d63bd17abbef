"""Talkory ``/v1/usage``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from talkkit._resource import Resource
from talkkit.errors import InvalidRequestError
from talkkit.talkory.types import Usage as UsageRecord

if TYPE_CHECKING:
    from talkkit.talkory._client import AsyncTalkory

__all__ = ["UsageResource"]


def _iso(field: str, value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise InvalidRequestError(field, "must be timezone-aware", value=value)
    return value.isoformat()


class UsageResource(Resource):
    """Usage statistics of the key (free)."""

    _client: AsyncTalkory

    async def get(
        self, *, from_: datetime | None = None, to: datetime | None = None
    ) -> UsageRecord:
        """``GET /v1/usage`` for ``[from_, to]`` (default: the last 30 days)."""
        if from_ is not None and to is not None and from_ > to:
            raise InvalidRequestError("from_", "must not be after 'to'", value=from_)
        params = {"from": _iso("from_", from_), "to": _iso("to", to)}
        return await self._client.request_model("GET", "/v1/usage", UsageRecord, params=params)
