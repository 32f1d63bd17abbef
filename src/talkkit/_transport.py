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
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from functools import cache
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

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

__all__ = [
    "TRANSPORT_ENV",
    "HeaderLine",
    "RequestBody",
    "TransportHandler",
    "default_transport",
    "header_lines",
    "header_list",
    "headers_from_lines",
    "headers_from_raw",
    "headers_from_text",
    "make_request",
    "read_response",
    "set_header",
]

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


# -- httpx objects built from their parts ------------------------------------------------------
#
# Every request and response of a call is an `httpx.Request` / `httpx.Response` (middleware may
# read and change them), but their constructors re-check, re-encode and copy what talkkit
# already holds in final form: its own headers, a body already read, the pairs aiohttp parsed.
# The builders below set the attributes those constructors set (httpx < 1 keeps them), once
# `_layout_known` has checked, on objects built the documented way, that they are all there is;
# otherwise they call the constructors.


def _layout_known() -> bool:
    """Do httpx's headers, requests and responses hold exactly the attributes set below?"""
    try:
        headers = httpx.Headers([(b"Name", b"value")])
        request = httpx.Request("GET", "http://h/", headers=headers, stream=httpx.ByteStream(b""))
        request.read()
        response = httpx.Response(200, headers=headers, stream=httpx.ByteStream(b""))
        return (
            vars(headers) == {"_list": [(b"Name", b"name", b"value")], "_encoding": None}
            and set(vars(request))
            == {"method", "url", "headers", "extensions", "stream", "_content"}
            and set(vars(response)) == _RESPONSE_ATTRIBUTES
        )
    except Exception:  # a newer httpx built otherwise (slots, no vars()): its constructors
        return False


_RESPONSE_ATTRIBUTES = {
    "status_code",
    "headers",
    "_request",
    "next_request",
    "extensions",
    "history",
    "is_closed",
    "is_stream_consumed",
    "default_encoding",
    "stream",
    "_num_bytes_downloaded",
}
_LAYOUT_KNOWN = _layout_known()
_new = object.__new__
_ASCII_READY = frozenset({None, "ascii", "utf-8", "iso-8859-1"})  # encodings ASCII stays as is


HeaderLine = tuple[bytes, bytes, bytes]
"""One header as `httpx.Headers` keeps it: the name as sent, the name in lowercase, the value."""


def header_lines(headers: Mapping[str, str]) -> list[HeaderLine] | None:
    """
    ``headers`` as `httpx.Headers` would keep them, or ``None`` when httpx must decide
    (a name or value that is not ASCII text: httpx then raises its own error).
    """
    try:
        return [
            (raw := name.encode("ascii"), raw.lower(), value.encode("ascii"))
            for name, value in headers.items()
        ]
    except (AttributeError, UnicodeEncodeError):
        return None


def headers_from_lines(lines: list[HeaderLine]) -> httpx.Headers:
    """The `httpx.Headers` holding ``lines`` (the list itself: pass a new one)."""
    if not _LAYOUT_KNOWN:
        return httpx.Headers([(name, value) for name, _, value in lines])
    headers = _new(httpx.Headers)
    headers._list = lines
    headers._encoding = None
    return headers


def headers_from_raw(pairs: Iterable[tuple[bytes, bytes]]) -> httpx.Headers:
    """``httpx.Headers(pairs)`` for byte pairs (names as sent, values as received)."""
    return headers_from_lines([(name, name.lower(), value) for name, value in pairs])


def headers_from_text(headers: Mapping[str, str]) -> httpx.Headers:
    """``httpx.Headers(headers)``."""
    lines = header_lines(headers)
    return httpx.Headers(headers) if lines is None else headers_from_lines(lines)


def header_list(headers: object) -> list[HeaderLine] | None:
    """
    The lines an `httpx.Headers` keeps (`HeaderLine`), to read or change in place; ``None``
    for anything else, or when httpx keeps them otherwise (use its methods then).
    """
    if _LAYOUT_KNOWN and type(headers) is httpx.Headers:
        return headers._list
    return None


def set_header(headers: httpx.Headers, line: HeaderLine) -> None:
    """
    ``headers[name] = value`` for an ASCII ``line``: appended when the name is new (a retried
    request has it already: then httpx replaces it, as ever).
    """
    lines = header_list(headers)
    if lines is not None and headers._encoding in _ASCII_READY:
        lower = line[1]
        for item in lines:
            if item[1] == lower:
                break
        else:
            lines.append(line)
            return
    headers[line[0].decode()] = line[2].decode()


def make_request(
    method: str, url: httpx.URL, headers: httpx.Headers, content: bytes, extensions: dict[str, Any]
) -> httpx.Request:
    """
    ``httpx.Request(method, url, headers=headers, stream=RequestBody(content), extensions=...)``
    with the body read: no header added, ``method`` already in capitals.
    """
    if not _LAYOUT_KNOWN:
        request = httpx.Request(
            method, url, headers=headers, stream=RequestBody(content), extensions=extensions
        )
        request.read()
        return request
    request = _new(httpx.Request)
    request.method = method
    request.url = url
    request.headers = headers
    request.extensions = extensions
    request.stream = RequestBody(content)
    request._content = content
    return request


def read_response(
    status: int, headers: httpx.Headers, body: bytes, extensions: dict[str, Any]
) -> httpx.Response:
    """
    A response whose whole body is here and needs no decoding: marked read, not iterated.
    """
    if not _LAYOUT_KNOWN:
        response = httpx.Response(
            status, headers=headers, stream=httpx.ByteStream(body), extensions=extensions
        )
    else:
        response = _new(httpx.Response)
        response.status_code = status
        response.headers = headers
        response._request = None
        response.next_request = None
        response.extensions = extensions
        response.history = []
        response.default_encoding = "utf-8"
        response.stream = httpx.ByteStream(body)
        response._num_bytes_downloaded = 0
    response._content = body
    response.is_stream_consumed = response.is_closed = True
    return response


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
        send = self._route if routing_patched() else self.transport.handle_async_request
        try:
            if self._native:  # it cuts its own wait for the headers: no cancel scope for them
                response = await send(request)
                response.request = request
                if not (ctx.stream or response.is_stream_consumed):
                    response = await self._exchange(request, ctx, started, send, response)
            else:
                response = await self._exchange(request, ctx, started, send)
        except httpx.TransportError as exc:
            error = translate_transport_error(exc, request)
            log_attempt(request, ctx, None, time.perf_counter() - started, error)
            raise error from exc
        log_attempt(request, ctx, response.status_code, time.perf_counter() - started)
        return response

    async def _exchange(
        self,
        request: httpx.Request,
        ctx: CallContext,
        started: float,
        send: Callable[[httpx.Request], Awaitable[httpx.Response]],
        response: httpx.Response | None = None,
    ) -> httpx.Response:
        """
        Send (unless ``response`` came already: the headers of a transport that bounds its own
        wait for them), and read the body unless the call streams, within the attempt's limit.
        """
        try:
            limit = attempt_limit(request.extensions.get("timeout", NO_TIMEOUTS))
            left = limit if response is None else limit - (time.perf_counter() - started)
            with anyio.move_on_after(left):
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
