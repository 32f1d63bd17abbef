"""Talkory ``/v1/models``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from talkkit._resource import Resource
from talkkit.talkory.types import Model

if TYPE_CHECKING:
    from talkkit.talkory._client import AsyncTalkory

__all__ = ["Models"]


@attrs.frozen
class _ModelList:
    models: list[Model] = attrs.field(factory=list)


class Models(Resource):
    """The models a query can use (free)."""

    _client: AsyncTalkory

    async def list(self) -> list[Model]:
        """``GET /v1/models``."""
        data = await self._client.request_json("GET", "/v1/models")
        return self._client.structure(data, _ModelList).models
