"""Talkory ``/v1/models``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Unpack

from talkkit._options import RequestOptions
from talkkit._resource import Resource
from talkkit.talkory.types import Model

if TYPE_CHECKING:
    from talkkit.talkory._client import AsyncTalkory

__all__ = ["Models"]


class Models(Resource):
    """The models a query can use (free)."""

    _client: AsyncTalkory

    async def list(self, **options: Unpack[RequestOptions]) -> list[Model]:
        """``GET /v1/models``."""
        return await self._client.request_model("GET", "/v1/models", list[Model], options=options)
