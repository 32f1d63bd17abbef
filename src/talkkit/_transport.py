"""
The innermost handler: hands the request to the httpx transport.

This is the single place where httpx transport exceptions become talkkit errors, and where each
attempt is logged. It calls ``transport.handle_async_request`` directly instead of going through
`httpx.AsyncClient.send`: the client machinery (cookies, redirects, auth flows, event hooks) is
not needed by an API SDK and costs a few hundred microseconds per request.
"""

from __future__ import annotations

import time

import httpx

from talkkit._log import log_attempt
from talkkit._request import context_of
from talkkit.errors import APIConnectionError, APITimeoutError

__all__ = ["TransportHandler", "default_transport", "translate_transport_error"]

# Failures that happen before a byte of the request reaches the server.
_NOT_SENT: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)


def default_transport(limits: httpx.Limits) -> httpx.AsyncBaseTransport:
    """The transport a client builds when none is given."""
    return httpx.AsyncHTTPTransport(limits=limits, retries=0)


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


class TransportHandler:
    """Sends one attempt and reads the body (unless the call streams)."""

    __slots__ = ("transport",)

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        ctx = context_of(request)
        started = time.perf_counter()
        try:
            response = await self.transport.handle_async_request(request)
            response.request = request
            if not ctx.stream:
                await response.aread()
        except httpx.TransportError as exc:
            error = translate_transport_error(exc, request)
            log_attempt(request, ctx, None, time.perf_counter() - started, error)
            raise error from exc
        log_attempt(request, ctx, response.status_code, time.perf_counter() - started)
        return response
