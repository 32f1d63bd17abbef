"""Talkover ``/health``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Unpack

from talkkit._options import RequestOptions
from talkkit._resource import Resource
from talkkit.talkover.types import Health

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["HealthCheck"]


class HealthCheck(Resource):
    """The token smoke test."""

    _client: AsyncTalkover

    async def check(self, **options: Unpack[RequestOptions]) -> Health:
        """
        ``GET /health``: succeeds when the token is accepted.

        The body is not documented; a ``data`` object is read when present, else the body.

        Raises:
            AuthenticationError: The token is missing, invalid or expired.
        """
        body = await self._client.request_json("GET", "/health", options=options)
        if isinstance(body, dict) and isinstance(body.get("data"), dict):
            body = body["data"]
        return self._client.structure(body if isinstance(body, dict) else {}, Health)
