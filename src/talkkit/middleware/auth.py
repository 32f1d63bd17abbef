"""Layer 4 (per attempt): the ``Authorization: Bearer`` header."""

from __future__ import annotations

import httpx

from talkkit._config import Secret
from talkkit._transport import HeaderLine, set_header
from talkkit.typing import Handler

__all__ = ["BearerAuth"]


class BearerAuth:
    """
    Add ``Authorization: Bearer <token>`` to each attempt.

    The token is held as a `Secret`, so neither this object's ``repr`` nor the client's shows
    it; httpx masks the header in its own reprs.
    """

    __slots__ = ("_line", "_token")

    def __init__(self, token: Secret) -> None:
        self._token = token
        self._line: HeaderLine | None = None  # the header, encoded once (an ASCII token)
        value = "Bearer " + token.get()
        if value.isascii():
            self._line = (b"Authorization", b"authorization", value.encode())

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        if self._line is not None:
            set_header(request.headers, self._line)
        else:
            request.headers["Authorization"] = "Bearer " + self._token.get()
        return await call_next(request)

    def __repr__(self) -> str:
        return "BearerAuth(token=Secret('********'))"
