"""Talkory ``/v1/health``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Unpack

from talkkit._options import RequestOptions
from talkkit._resource import Resource
from talkkit.talkory.types import LLMHealth

if TYPE_CHECKING:
    from talkkit.talkory._client import AsyncTalkory

__all__ = ["Health"]


class Health(Resource):
    """Provider health (free; needs the ``health:read`` scope every key has)."""

    _client: AsyncTalkory

    async def llm(self, **options: Unpack[RequestOptions]) -> LLMHealth:
        """``GET /v1/health/llm``: overall status, when it was checked, each provider's status."""
        return await self._client.request_model("GET", "/v1/health/llm", LLMHealth, options=options)
