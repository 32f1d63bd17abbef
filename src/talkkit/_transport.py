"""
The innermost handler: hands the request to the httpx transport.

It calls ``transport.handle_async_request`` directly instead of going through
`httpx.AsyncClient.send`: the client machinery (cookies, redirects, auth flows, event hooks) is
not needed by an API SDK and costs a few hundred microseconds per request. Each attempt is
logged here, and a failure is raised as its talkkit error (`talkkit._transport_errors`).

It also bounds each attempt as a whole, at the sum of its phase timeouts (`talkkit._attempt`):
httpx's timeouts bound each network operation, which a server trickling bytes can stretch
forever. For a streamed call the bound ends with the response headers. The retry policy's
deadline does not cut an attempt in flight: it is counted from the start of the call, which
includes waiting for the rate limiter (inside the retry loop), and a paced bulk job must still
send. With both, a call lasts at most its deadline plus one attempt.

The default transport honours the user's environment on every wire: the proxy settings
(``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY``, or ``proxy=``) and CA bundle
(`talkkit._network`), and mocks or tracers patched into httpx (`talkkit._intercept`).
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from functools import cache
from importlib.util import find_spec
from typing import TYPE_CHECKING

import anyio
import httpx

from talkkit._attempt import NO_TIMEOUTS, attempt_limit, cut_off
from talkkit._intercept import ClientRoute, routing_patched
from talkkit._log import log_attempt
from talkkit._request import CallContext, context_of
from talkkit._transport_errors import translate_transport_error
from talkkit.errors import ConfigurationError

if TYPE_CHECKING:
    from talkkit._network import ProxyTypes

__all__ = ["TRANSPORT_ENV", "RequestBody", "TransportHandler", "default_transport"]

TRANSPORT_ENV = "TALKKIT_TRANSPORT"


@cache
def _has_aiohttp() -> bool:
    return find_spec("aiohttp") is not None  # without importing it (import time matters)


def default_transport(
    limits: httpx.Limits,
    *,
    url: str | None = None,
    proxy: ProxyTypes | None = None,
    trust_env: bool = True,
) -> httpx.AsyncBaseTransport:
    """
    The transport a client builds when none is given.

    With the ``fast`` extra (aiohttp installed): aiohttp under asyncio, httpx's transport
    under trio (decided per request). Otherwise httpx's. ``TALKKIT_TRANSPORT=httpx`` or
    ``=aiohttp`` forces one (aiohttp then fails clearly outside asyncio).

    Every one of them goes through the same proxy, chosen once for the base URL ``url``:
    ``proxy`` if given, else (with ``trust_env``) the environment's (see `talkkit._network`;
    without ``url``, the environment is not read). A SOCKS proxy is always spoken by httpx's
    transport. With ``trust_env``, ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` name the CA bundle.

    Raises:
        ConfigurationError: ``TALKKIT_TRANSPORT`` is not ``httpx`` or ``aiohttp``, or names
            aiohttp when it is not installed or with a SOCKS proxy; the proxy URL is unusable.
    """
    choice = os.environ.get(TRANSPORT_ENV, "").strip().lower()
    if choice not in ("", "httpx", "aiohttp"):
        raise ConfigurationError(TRANSPORT_ENV, "must be 'httpx' or 'aiohttp'", value=choice)
    if choice == "aiohttp" and not _has_aiohttp():
        raise ConfigurationError(
            TRANSPORT_ENV, "aiohttp is not installed: pip install 'talkkit[fast]'"
        )
    from talkkit._network import Network, resolve_proxy  # (on first use, not with talkkit)

    network = Network(resolve_proxy(url, proxy, trust_env=trust_env), trust_env)
    if choice == "aiohttp" and network.socks:
        raise ConfigurationError(TRANSPORT_ENV, "aiohttp cannot use a SOCKS proxy: unset it")
    if choice == "httpx" or not _has_aiohttp() or network.socks:
        return network.httpx_transport(limits)
    from talkkit._aiohttp_transport import AiohttpTransport, AutoTransport

    if choice == "aiohttp":
        return AiohttpTransport(limits, network=network)
    return AutoTransport(limits, network=network)


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


class RequestBody(httpx.ByteStream):
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

    While respx's ``using="httpx"`` mocker is active, each request goes where it says (see
    `talkkit._intercept`), as it would through `httpx.AsyncClient`.
    """

    __slots__ = ("_native", "_route", "transport")

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport
        self._native = getattr(transport, "bounds_attempts", False) is True
        self._route = ClientRoute(transport)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        ctx = context_of(request)
        started = time.perf_counter()
        if type(request.stream) is httpx.ByteStream:  # once per call: retries reuse the request
            request.stream = RequestBody(request.content)
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
        send = self._route if routing_patched() else self.transport.handle_async_request
        try:
            if self._native:  # it cuts its own wait for the headers: no cancel scope to pay for
                response = await send(request)
                response.request = request
                if ctx.stream or response.is_stream_consumed:
                    return response
                limit = attempt_limit(request.extensions.get("timeout", NO_TIMEOUTS))
                scope = anyio.move_on_after(limit - (time.perf_counter() - started))
            else:
                limit = attempt_limit(request.extensions.get("timeout", NO_TIMEOUTS))
                scope = anyio.move_on_after(limit)
            with scope:
                if response is None:
                    response = await send(request)
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
