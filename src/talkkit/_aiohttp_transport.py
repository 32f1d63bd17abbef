"""
The ``fast`` extra: an `httpx.AsyncBaseTransport` over one `aiohttp.ClientSession`.

httpx's pool is the bottleneck under concurrency; this transport keeps the pipeline on httpx
requests and responses and swaps only the wire. The session is created on the first request
(inside the running loop) and closed by `aclose`. The never-twice rule rests on the failure
mapping: failures before the request was written (connector errors, DNS, refused, pool or
connect timeout) become `httpx.ConnectError` / `ConnectTimeout` / `PoolTimeout`; anything
after (disconnect, truncated body, read timeout) `RemoteProtocolError` / `ReadError` /
`ReadTimeout`. aiohttp's silent re-send of a GET/PUT/DELETE whose connection dropped is off:
talkkit's retry layer alone decides, logs and counts re-sends. aiohttp is asyncio-only:
`AutoTransport` (the default with the extra) uses httpx's transport under trio.

Both send through httpx's transport instead while httpx's transport or httpcore's pool is
patched (`talkkit._intercept.sends_patched`): respx and pytest-httpx then intercept every
request, and OpenTelemetry's httpx instrumentation, which wraps the same method, records it.
So does a request with a header whose bytes are not UTF-8: aiohttp writes header text as
UTF-8 and would send such a value empty; httpx sends the bytes as they are. Proxy and CA
settings come from one `talkkit._network.Network`, shared with that transport.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any

import anyio
import httpx

from talkkit._attempt import NO_TIMEOUTS, attempt_limit, cut_off
from talkkit._deadlines import Deadlines, read_timeouts
from talkkit._intercept import sends_patched
from talkkit._network import Network
from talkkit._transport import header_list, headers_from_raw, read_response

if TYPE_CHECKING:
    import aiohttp
    import yarl

__all__ = ["AiohttpTransport", "AutoTransport", "running_on_asyncio"]

# Without one, aiohttp would offer every encoding it can decode (br, zstd); offer what httpx
# always decodes, as httpx.AsyncClient does (``skip_auto_headers`` would cost ~10 %).
_ACCEPT_ENCODING = ("Accept-Encoding", "gzip, deflate")
_HTTP_11 = {"http_version": b"HTTP/1.1"}
_CONTENT_ENCODING = "Content-Encoding"
_SLICE = 1 << 16  # aiohttp's own write size
_URLS = 256  # URLs converted for aiohttp that a transport keeps


def _task_finder() -> Callable[[], asyncio.Task[Any] | None]:
    """
    The asyncio task running the caller, or ``None`` when asyncio does not run it (trio,
    trio in guest mode): what ``sniffio.current_async_library() == "asyncio"`` decides, with
    sniffio looked up once, not per request.
    """
    current_task = asyncio.current_task
    try:
        import sniffio
    except ImportError:  # trio depends on sniffio: without it, only asyncio is possible

        def plain() -> asyncio.Task[Any] | None:
            try:
                return current_task()
            except RuntimeError:  # no event loop runs
                return None

        return plain
    thread, variable = sniffio.thread_local, sniffio.current_async_library_cvar

    def sniffed() -> asyncio.Task[Any] | None:
        name = thread.name
        if name is None:
            name = variable.get()
        if name is not None and name != "asyncio":  # trio says so (guest mode too)
            return None
        try:
            return current_task()
        except RuntimeError:  # no event loop runs
            return None

    return sniffed


# A failing ``import sniffio`` on every request (the CLI's install has no sniffio) cost ~30 µs.
_current_task = _task_finder()


def running_on_asyncio() -> bool:
    """Is the calling task run by asyncio (not trio, not trio in guest mode)?"""
    return _current_task() is not None


def _sends_by_aiohttp() -> bool:
    """Whether a request sent now goes through aiohttp (asyncio, httpx not patched)."""
    return _current_task() is not None and not sends_patched()


def _text_headers(headers: httpx.Headers) -> list[tuple[str, str]] | None:
    """
    The request's header lines as text for aiohttp; ``None`` when one is not UTF-8: aiohttp
    writes text as UTF-8, and its writer sends an undecodable value (surrogateescape) empty.
    """
    lines = header_list(headers)
    try:
        if lines is not None:
            return [(name.decode(), value.decode()) for name, _, value in lines]
        return [(name.decode(), value.decode()) for name, value in headers.raw]
    except UnicodeDecodeError:
        return None


def _translate(
    exc: BaseException, request: httpx.Request, started: float = 0.0
) -> httpx.TransportError:
    """The httpx exception for an aiohttp failure (``started``: when the request began)."""
    import aiohttp

    text = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        # aiohttp's ``connect`` (set to pool + connect) bounds the wait plus connecting,
        # ``sock_connect`` the connect alone: only the outer budget running out is the pool.
        timeouts = request.extensions.get("timeout", {})
        pool, connect = timeouts.get("pool"), timeouts.get("connect")
        waited = time.monotonic() - started
        if pool is not None and (connect is None or waited >= pool + connect - 0.001):
            return httpx.PoolTimeout(text, request=request)
        return httpx.ConnectTimeout(text, request=request)
    cls: type[httpx.TransportError] = httpx.ReadError  # after sending, unless shown otherwise
    if isinstance(exc, aiohttp.ClientProxyConnectionError):  # say it was the proxy
        return httpx.ConnectError(f"cannot reach the proxy: {text}", request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):
        cls = httpx.ConnectError
    elif isinstance(exc, aiohttp.ClientHttpProxyError):  # the proxy refused the CONNECT
        cls = httpx.ProxyError
    elif isinstance(exc, aiohttp.InvalidURL):
        cls = httpx.UnsupportedProtocol
    elif isinstance(exc, asyncio.TimeoutError):  # SocketTimeoutError, any other deadline
        cls = httpx.ReadTimeout
    elif isinstance(exc, aiohttp.ClientConnectionResetError):
        cls = httpx.WriteError
    elif isinstance(  # a drop, a truncated body, a malformed status line or headers
        exc,
        aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientResponseError,
    ):
        cls = httpx.RemoteProtocolError
    return cls(text, request=request)


def _lists_headers(exc: BaseException) -> bool:
    """
    Does ``exc`` hold the request's headers (its ``request_info``, shown by its ``repr``)?

    They include the credentials (``Authorization``, ``Proxy-Authorization``): such an
    exception is not chained to the one raised in its place, whose message has its text.
    """
    import aiohttp

    return isinstance(exc, aiohttp.ClientResponseError)


class _ResponseStream(httpx.AsyncByteStream):
    """
    A body read incrementally (server-sent events, large bodies).

    It is its own iterator rather than an async generator: a reader that stops early or is
    cancelled leaves no suspended generator for the garbage collector to finalize.
    """

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    def __aiter__(self) -> _ResponseStream:
        return self

    async def __anext__(self) -> bytes:
        try:
            chunk = await self._response.content.readany()
        except BaseException as exc:  # failed or cancelled: the connection cannot be reused
            self._response.close()  # (httpx does not close a stream that failed)
            if isinstance(exc, Exception):
                raise _translate(exc, self._request) from exc
            raise
        if not chunk:
            raise StopAsyncIteration
        return chunk

    async def aclose(self) -> None:
        # Back to the pool when fully read; aiohttp closes the connection otherwise.
        self._response.release()


class _Slices:
    """
    A large request body as memoryview slices: not copied, and other tasks run in between.

    aiohttp warns about raw bytes above 1 MiB (it would write them in one go, copying what
    the socket does not take at once), and `io.BytesIO` would copy the whole body first.
    """

    __slots__ = ("_at", "_view")

    def __init__(self, body: bytes) -> None:
        self._view = memoryview(body)
        self._at = 0

    def __aiter__(self) -> _Slices:
        return self

    async def __anext__(self) -> memoryview:
        at = self._at
        if at >= len(self._view):
            raise StopAsyncIteration
        if at:
            await asyncio.sleep(0)  # aiohttp's writer only waits when the socket is full
        self._at = at + _SLICE
        return self._view[at : at + _SLICE]


class AiohttpTransport(httpx.AsyncBaseTransport):
    """
    Send httpx requests with aiohttp (asyncio only).

    The per-request ``timeout`` extension is honoured: ``read`` bounds each socket read,
    ``connect`` the TCP connect, ``pool`` + ``connect`` the wait for a connection (aiohttp
    bounds both together); there is no write timeout of its own. The wait for the response
    headers is cut at the sum of the four (`talkkit._attempt.attempt_limit`), so a server
    trickling header bytes cannot hold it. httpx
    decodes bodies (aiohttp's decompression is off); aiohttp adds ``Accept``, ``User-Agent``
    and, with a body, ``Content-Type`` when the request has none. Bodies above 1 MiB are
    written in slices of the request's own bytes.

    Args:
        limits: ``max_connections`` caps the connector (``None``: no cap);
            ``keepalive_expiry`` is how long an idle connection is kept.
        network: The proxy and CA trust (default: direct, httpx's CA bundle).

    Raises:
        RuntimeError: On the first request, when not running under asyncio.
    """

    bounds_attempts = True  # it cuts its own wait for the headers (see TransportHandler)
    starts_together = staticmethod(_sends_by_aiohttp)  # see BaseClient._starts_together

    def __init__(
        self, limits: httpx.Limits | None = None, *, network: Network | None = None
    ) -> None:
        self._limits = limits or httpx.Limits()
        self._network = network or Network()
        # httpx's, while httpx is patched or for header bytes that are not UTF-8:
        self._plain: httpx.AsyncHTTPTransport | None = None
        self._session: aiohttp.ClientSession | None = None
        self._proxy: str | None = None  # the proxy's URL (set by _open)
        self._proxy_headers: list[tuple[str, str]] | None = None  # with its credentials
        self._timeouts: dict[tuple[float | None, ...], tuple[float, aiohttp.ClientTimeout]] = {}
        self._urls: dict[int, tuple[httpx.URL, yarl.URL]] = {}  # see `_yarl`
        self._deadlines: Deadlines  # in the session's event loop (set by _open)
        self._url: type[yarl.URL]
        self._large = 0  # aiohttp warns about raw-bytes bodies above this (set by _open)

    def _open(self) -> aiohttp.ClientSession:
        import aiohttp  # the `fast` extra; `default_transport` checks it is installed
        import yarl

        limits, network = self._limits, self._network
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=limits.max_connections or 0,
                limit_per_host=0,
                keepalive_timeout=limits.keepalive_expiry or 0.0,
                ssl=network.ssl_context(),  # the CAs httpx's transport trusts
            ),
            timeout=aiohttp.ClientTimeout(total=None),
            headers=[_ACCEPT_ENCODING],  # a request's own Accept-Encoding replaces it
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        session._retry_connection = False  # no hidden re-send (see the module docstring)
        self._url = yarl.URL
        self._large = aiohttp.payload.TOO_LARGE_BYTES_BODY
        if network.proxy is not None:  # (aiohttp >= 3.14 deprecates its own proxy_auth)
            self._proxy = str(network.proxy.url)  # without the credentials
            self._proxy_headers = network.proxy_headers() or None
        self._deadlines = Deadlines(asyncio.get_running_loop())
        read_timeouts(session.connector, self._deadlines)  # one timer for every connection
        self._session = session
        return session

    def _httpx(self) -> httpx.AsyncHTTPTransport:
        """httpx's own transport, for what aiohttp cannot send (built once)."""
        if self._plain is None:
            self._plain = self._network.httpx_transport(self._limits)
        return self._plain

    def _bounds(self, request: httpx.Request) -> tuple[float, aiohttp.ClientTimeout]:
        """The attempt's `_limit` and aiohttp's timeouts for ``request`` (kept per value)."""
        ext: Mapping[str, float | None] = request.extensions.get("timeout", NO_TIMEOUTS)
        key = connect, read, pool, _ = (
            ext.get("connect"),
            ext.get("read"),
            ext.get("pool"),
            ext.get("write"),
        )
        if (bounds := self._timeouts.get(key)) is None:
            import aiohttp

            both = None if pool is None else pool + (connect or 0.0)
            timeout = aiohttp.ClientTimeout(connect=both, sock_connect=connect, sock_read=read)
            bounds = self._timeouts[key] = (attempt_limit(ext), timeout)
        return bounds

    def _yarl(self, url: httpx.URL) -> yarl.URL:
        """``url`` for aiohttp (httpx percent-encoded it), kept per URL object (immutable)."""
        kept = self._urls.get(id(url))
        if kept is not None and kept[0] is url:
            return kept[1]
        if len(self._urls) >= _URLS:
            self._urls.clear()
        converted = self._url(str(url), encoded=True)
        self._urls[id(url)] = (url, converted)  # (holding url: its id is not reused meanwhile)
        return converted

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; the body is returned whole when it has already arrived."""
        if sends_patched():  # a mock or a tracer watches httpx: send where it looks
            return await _bounded(self._httpx(), request)
        task = _current_task()
        if task is None:
            raise RuntimeError(
                "the aiohttp transport runs on asyncio only; under trio use the default "
                "(httpx) transport, e.g. TALKKIT_TRANSPORT=httpx"
            )
        return await self._send(request, task)

    async def _send(self, request: httpx.Request, task: asyncio.Task[Any]) -> httpx.Response:
        session = self._session or self._open()
        started = time.monotonic()
        try:
            data: Any = request.content or None
        except httpx.RequestNotRead:
            data = request.stream  # an async iterable of bytes
        else:
            if data is not None and len(data) > self._large:
                data = _Slices(data)
        # (Without an Accept-Encoding the session's default goes: see `_open`.)
        headers = _text_headers(request.headers)
        if headers is None:  # httpx sends header bytes as they are
            return await _bounded(self._httpx(), request)
        proxy_headers = self._proxy_headers
        if proxy_headers is not None and request.url.scheme == "http":
            # A forwarded request carries them itself (aiohttp sends ``proxy_headers`` only
            # with a CONNECT); an https one must not: the server would see them.
            headers.extend(proxy_headers)
            proxy_headers = None
        limit, timeout = self._bounds(request)
        failure: httpx.TransportError | None = None
        cancelling = task.cancelling()
        cut = cut_in(self._deadlines, task, limit) if limit < math.inf else _NEVER_CUT
        try:
            response = await session.request(
                request.method,
                self._yarl(request.url),
                headers=headers,
                data=data,
                timeout=timeout,
                allow_redirects=False,
                proxy=self._proxy,
                proxy_headers=proxy_headers,
            )
        except BaseException as exc:
            # asyncio.timeout's rule: our cut-off, unless the task was also cancelled from outside
            if cut and task.uncancel() <= cancelling:
                raise cut_off(request, limit) from exc
            if not isinstance(exc, Exception):
                raise
            failure = _translate(exc, request, started)
            if not _lists_headers(exc):
                raise failure from exc
        finally:
            self._deadlines.discard(cut)
        if failure is not None:  # raised outside the except block: nothing chains to exc
            raise failure
        if cut:  # it fired as the answer came and the cancel was absorbed: undo it
            task.uncancel()
        extensions = {**_HTTP_11, "reason_phrase": (response.reason or "").encode()}
        content, status = response.content, response.status
        received = headers_from_raw(response.raw_headers)
        if content.is_eof() and content.exception() is None:
            # Small bodies arrive with the headers: hand them over without another await.
            body = content.read_nowait()
            response.release()
            if _CONTENT_ENCODING in response.headers:  # httpx decodes it
                return httpx.Response(status, headers=received, content=body, extensions=extensions)
            return read_response(status, received, body, extensions)
        stream = _ResponseStream(response, request)
        return httpx.Response(status, headers=received, stream=stream, extensions=extensions)

    async def aclose(self) -> None:
        """Close the session and its connections (safe to call twice)."""
        session, plain, self._session, self._plain = self._session, self._plain, None, None
        if session is not None:
            await session.close()
        if plain is not None:
            await plain.aclose()


def _limit(request: httpx.Request) -> float:
    """The seconds an attempt may wait for the response headers (see `attempt_limit`)."""
    return attempt_limit(request.extensions.get("timeout", NO_TIMEOUTS))


async def _bounded(transport: httpx.AsyncBaseTransport, request: httpx.Request) -> httpx.Response:
    """Send through ``transport``, cutting the wait for the headers at `_limit`."""
    limit = _limit(request)
    with anyio.move_on_after(limit):
        return await transport.handle_async_request(request)
    raise cut_off(request, limit)


_NEVER_CUT: list[bool] = []  # the `cut` of an attempt without a limit (never appended to)


def cut_in(deadlines: Deadlines, task: asyncio.Task[Any], limit: float) -> list[bool]:
    """
    Cut ``task`` in ``limit`` seconds unless ``deadlines`` discards the returned list first;
    when cut, the list holds ``True`` and the task is cancelled (as one ``call_later`` did).
    """
    cut: list[bool] = []
    deadlines.add(cut, limit, _cut, (cut, task))
    return cut


def _cut(item: tuple[list[bool], asyncio.Task[Any]]) -> None:
    cut, task = item
    cut.append(True)
    task.cancel()


class AutoTransport(httpx.AsyncBaseTransport):
    """
    aiohttp under asyncio, httpx's transport under trio (per request; each built lazily).

    httpx's transport also serves asyncio while httpx is patched (see the module docstring).
    Both cut the wait for the response headers at the sum of the request's timeouts (see
    `AiohttpTransport`), and both use ``network``'s proxy and CA trust.
    """

    bounds_attempts = True
    starts_together = staticmethod(_sends_by_aiohttp)

    def __init__(self, limits: httpx.Limits, *, network: Network | None = None) -> None:
        self._limits = limits
        self._network = network or Network()
        self._fast: AiohttpTransport | None = None
        self._plain: httpx.AsyncHTTPTransport | None = None

    def handle_async_request(  # returns the coroutine to await
        self, request: httpx.Request
    ) -> Coroutine[Any, Any, httpx.Response]:
        """
        Send ``request`` through the transport that suits the running event loop: the send's
        coroutine, awaited by the caller (no frame of its own on every await of the send).
        """
        task = _current_task()
        if task is not None and not sends_patched():
            if self._fast is None:
                self._fast = AiohttpTransport(self._limits, network=self._network)
            return self._fast._send(request, task)
        if self._plain is None:
            self._plain = self._network.httpx_transport(self._limits)
        return _bounded(self._plain, request)

    async def aclose(self) -> None:
        """Close whichever inner transports were built."""
        fast, plain, self._fast, self._plain = self._fast, self._plain, None, None
        if fast is not None:
            await fast.aclose()
        if plain is not None:
            await plain.aclose()
