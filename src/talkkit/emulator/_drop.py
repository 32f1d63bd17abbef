"""Deliberate connection drops that reach the client as transport errors."""

from __future__ import annotations

import logging
from typing import NoReturn

from starlette.types import Send

__all__ = ["ConnectionDropped", "drop_connection", "is_drop", "quiet_drop_logs"]


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


class _QuietDrops(logging.Filter):
    """Hide uvicorn's error log for connections the emulator dropped on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return exc is None or not is_drop(exc)


def quiet_drop_logs() -> None:
    """
    Keep uvicorn from logging deliberate drops as application errors (idempotent).

    Called by every `Emulator`, so the filter is in place however the app gets served.
    """
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in logger.filters):
        logger.addFilter(_QuietDrops())
