"""
The innermost handler: hands the request to the httpx transport.

This is the single place where httpx transport exceptions become talkkit errors, and where each
attempt is logged. It calls ``transport.handle_async_request`` directly instead of going through
`httpx.AsyncClient.send`: the client machinery (cookies, redirects, auth flows, event hooks) is
not needed by an API SDK and costs a few hundred microseconds per request.

It also bounds each attempt as a whole. httpx's timeouts bound each network operation, so a
server that trickles one byte at a time (a slow loris) resets the read timeout with every byte
and could hold an attempt forever. An attempt therefore gets at most the sum of its phase
timeouts (pool + connect + write + read: what a server answering in one go can take at most);
for a streamed call the bound ends with the response headers. The retry policy's deadline
does not cut an attempt in flight: it is counted from the start of the call, which includes
waiting for the rate limiter (inside the retry loop), and a paced bulk job must still send.
With both, a call lasts at most its deadline plus one attempt.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import AsyncIterator, Mapping
from functools import cache
from importlib.util import find_spec

import anyio
import httpx

from talkkit._log import log_attempt
from talkkit._request import CallContext, context_of
from talkkit.errors import APIConnectionError, APITimeoutError, ConfigurationError

__all__ = [
    "TRANSPORT_ENV",
    "TransportHandler",
    "attempt_limit",
    "cut_off",
    "default_transport",
    "translate_transport_error",
]

# Failures that happen before a byte of the request reaches the server.
_NOT_SENT: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)
_PHASES = ("pool", "connect", "write", "read")
_NO_TIMEOUTS: dict[str, float | None] = {}

TRANSPORT_ENV = "TALKKIT_TRANSPORT"


@cache
def _has_aiohttp() -> bool:
    return find_spec("aiohttp") is not None  # without importing it (import time matters)


def default_transport(limits: httpx.Limits) -> httpx.AsyncBaseTransport:
    """
    The transport a client builds when none is given.

    With the ``fast`` extra (aiohttp installed): aiohttp under asyncio, httpx's transport
    under trio (decided per request). Otherwise httpx's. ``TALKKIT_TRANSPORT=httpx`` or
    ``=aiohttp`` forces one (aiohttp then fails clearly outside asyncio).

    Raises:
        ConfigurationError: ``TALKKIT_TRANSPORT`` is not ``httpx`` or ``aiohttp``, or names
            aiohttp when it is not installed.
    """
    choice = os.environ.get(TRANSPORT_ENV, "").strip().lower()
    if choice not in ("", "httpx", "aiohttp"):
        raise ConfigurationError(TRANSPORT_ENV, "must be 'httpx' or 'aiohttp'", value=choice)
    if choice == "aiohttp" and not _has_aiohttp():
        raise ConfigurationError(
            TRANSPORT_ENV, "aiohttp is not installed: pip install 'talkkit[fast]'"
        )
    if choice == "httpx" or not _has_aiohttp():
        return httpx.AsyncHTTPTransport(limits=limits, retries=0)
    from talkkit._aiohttp_transport import AiohttpTransport, AutoTransport

    return AiohttpTransport(limits) if choice == "aiohttp" else AutoTransport(limits)


def attempt_limit(timeouts: Mapping[str, float | None]) -> float:
    """
    The longest one attempt may take: the sum of its phase timeouts (``inf`` if one is off).

    That is what a server answering in one go can use at most, waiting for a connection,
    connecting, writing and then reading once each; a server trickling bytes to keep every
    read short cannot stretch an attempt past it.
    """
    total = 0.0
    for phase in _PHASES:
        seconds = timeouts.get(phase)
        if seconds is None:
            return math.inf
        total += seconds
    return total


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


def cut_off(request: httpx.Request, limit: float, waited_for: str = "headers") -> httpx.ReadTimeout:
    """The timeout of an attempt that reached its limit (see `attempt_limit`)."""
    return httpx.ReadTimeout(
        f"response {waited_for} not received within the attempt's {limit:.3g} s", request=request
    )


class _Once:
    """Yields one chunk: an iterator object, so an abandoned iteration leaves no frame behind."""

    __slots__ = ("_chunk",)

    def __init__(self, chunk: bytes) -> None:
        self._chunk: bytes | None = chunk

    def __aiter__(self) -> _Once:
        return self

    async def __anext__(self) -> bytes:
        chunk, self._chunk = self._chunk, None
        if chunk is None:
            raise StopAsyncIteration
        return chunk


class _Body(httpx.ByteStream):
    """
    A request body that is iterated without an async generator.

    httpx's `~httpx.ByteStream` yields its bytes from an async generator. httpcore loops over
    it while it writes, so an attempt cancelled mid-send (Ctrl-C, a deadline) abandons the
    generator at its ``yield``, and trio warns when the garbage collector finds it.
    """

    def __aiter__(self) -> AsyncIterator[bytes]:
        return _Once(self._stream)


class TransportHandler:
    """
    Sends one attempt and reads the body (unless the call streams), within `attempt_limit`.

    Reaching the limit is a read timeout (after sending). A call that streams is bounded until
    its headers arrive, any other until its body is read. A transport whose class sets
    ``bounds_attempts = True`` (talkkit's aiohttp ones) cuts its own wait for the headers at
    that limit, more cheaply than the cancel scope put around any other transport.
    """

    __slots__ = ("_native", "transport")

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport
        self._native = getattr(transport, "bounds_attempts", False) is True

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        ctx = context_of(request)
        started = time.perf_counter()
        if type(request.stream) is httpx.ByteStream:  # once per call: retries reuse the request
            request.stream = _Body(request.content)
        try:
            response = await self._exchange(request, ctx, started)
        except httpx.TransportError as exc:
            error = translate_transport_error(exc, request)
            log_attempt(request, ctx, None, time.perf_counter() - started, error)
            raise error from exc
        log_attempt(request, ctx, response.status_code, time.perf_counter() - started)
        return response

    async def _exchange(
        self, request: httpx.Request, ctx: CallContext, started: float
    ) -> httpx.Response:
        """Send, and read the body unless the call streams, within the attempt's limit."""
        response: httpx.Response | None = None
        try:
            if self._native:  # it cuts its own wait for the headers: no cancel scope to pay for
                response = await self.transport.handle_async_request(request)
                response.request = request
                if ctx.stream or response.is_stream_consumed:
                    return response
                limit = attempt_limit(request.extensions.get("timeout", _NO_TIMEOUTS))
                scope = anyio.move_on_after(limit - (time.perf_counter() - started))
            else:
                limit = attempt_limit(request.extensions.get("timeout", _NO_TIMEOUTS))
                scope = anyio.move_on_after(limit)
            with scope:
                if response is None:
                    response = await self.transport.handle_async_request(request)
                    response.request = request
                if not ctx.stream:
                    await response.aread()
                return response
            raise cut_off(request, limit, "headers" if response is None else "body")
        except BaseException:  # a failure, the limit, or a cancel from outside: let it go
            if response is not None:
                with anyio.CancelScope(shield=True):
                    await response.aclose()
            raise
