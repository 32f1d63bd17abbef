"""Layer 4 (per attempt): the ``Authorization: Bearer`` header."""

from __future__ import annotations

import httpx

from talkkit._config import Secret
from talkkit.typing import Handler

__all__ = ["BearerAuth"]


class BearerAuth:
    """
    Add ``Authorization: Bearer <token>`` to each attempt.

    The token is held as a `Secret`, so neither this object's ``repr`` nor the client's shows
    it; httpx masks the header in its own reprs.
    """

    __slots__ = ("_token",)

    def __init__(self, token: Secret) -> None:
        self._token = token

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        request.headers["Authorization"] = "Bearer " + self._token.get()
        return await call_next(request)

    def __repr__(self) -> str:
        return "BearerAuth(token=Secret('********'))"
