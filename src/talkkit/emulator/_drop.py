"""Deliberate connection drops that reach the client as transport errors."""

from __future__ import annotations

from typing import NoReturn

from starlette.types import Send

__all__ = ["ConnectionDropped", "drop_connection", "is_drop"]


class ConnectionDropped(Exception):
    """
    Raised inside the app to make the server abandon the connection.

    It is only raised after `http.response.start` went out, so Starlette's error middleware
    re-raises it instead of answering 500. Under uvicorn the server then closes the socket
    mid-response; the in-process transport turns it into `httpx.RemoteProtocolError`.
    """


async def drop_connection(send: Send) -> NoReturn:
    """Start a response that promises a body, then abandon it."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
        }
    )
    raise ConnectionDropped


def is_drop(exc: BaseException) -> bool:
    """Tell whether `exc` (or an exception group around it) is a deliberate drop."""
    if isinstance(exc, ConnectionDropped):
        return True
    if isinstance(exc, BaseExceptionGroup):
        return any(is_drop(inner) for inner in exc.exceptions)
    return False
