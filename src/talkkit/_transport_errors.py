"""
The one place where transport failures become talkkit errors.

httpx reports a failed exchange with a `httpx.TransportError` (talkkit's aiohttp transports
raise the same classes: they map aiohttp's failures onto httpx's at the wire). Whoever reads
from the network turns it into `APIConnectionError` / `APITimeoutError` here, with
``request_sent`` telling the retry layer whether the server may have seen the request: the
innermost handler (sending, and reading a body that is not streamed), the error decoder
(reading the error body of a streamed call) and a streamed body's reader (server-sent events).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from talkkit._request import context_of
from talkkit.errors import APIConnectionError, APITimeoutError

__all__ = ["network_errors", "translate_transport_error"]

# Failures that happen before a byte of the request reaches the server.
_NOT_SENT: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)


def translate_transport_error(
    exc: httpx.TransportError, request: httpx.Request
) -> APIConnectionError:
    """Turn an httpx transport exception into `APIConnectionError` / `APITimeoutError`."""
    sent = not isinstance(exc, _NOT_SENT)
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    phase = "before sending" if not sent else "after sending"
    detail = str(exc) or type(exc).__name__
    return cls(
        f"{type(exc).__name__} {phase}: {detail}",
        request_sent=sent,
        request_id=context_of(request).request_id,
        method=request.method,
        url=str(request.url.copy_with(query=None)),
    )


@contextmanager
def network_errors(request: httpx.Request) -> Iterator[None]:
    """
    Read from the network inside this block: a transport failure raises its talkkit error.

    For reads outside the request pipeline (a streamed body); the innermost handler calls
    `translate_transport_error` itself, to log the attempt with the error it raises.

    Raises:
        APIConnectionError: The connection failed (`APITimeoutError` if it timed out),
            chained to the httpx exception.
    """
    try:
        yield
    except httpx.TransportError as exc:
        raise translate_transport_error(exc, request) from exc
