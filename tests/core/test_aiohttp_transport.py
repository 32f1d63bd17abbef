"""The aiohttp-backed transport (``fast`` extra): wire behaviour and the never-twice mapping."""

from __future__ import annotations

import asyncio
import gzip
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.abc
import httpx
import pytest

from talkkit import (
    APIConnectionError,
    APITimeoutError,
    AsyncTalkory,
    ConfigurationError,
    OutcomeUnknownError,
    Safety,
)
from talkkit._transport import default_transport

from ..conftest import FAST_RETRY, TALKORY_TEST_KEY

aiohttp = pytest.importorskip("aiohttp")

from talkkit._aiohttp_transport import (  # noqa: E402
    AiohttpTransport,
    AutoTransport,
    _Slices,
    _translate,
)

pytestmark = pytest.mark.anyio
asyncio_only = pytest.mark.parametrize("anyio_backend", ["asyncio"])


# -- a scriptable HTTP/1.1 server on 127.0.0.1 --------------------------------------------------


@dataclass
class Received:
    """One request as the server read it."""

    head: bytes
    body: bytes

    @property
    def method(self) -> str:
        return self.head.split(b" ", 1)[0].decode()

    def header_lines(self) -> list[bytes]:
        return [line.lower() for line in self.head.split(b"\r\n")[1:]]


Handler = Callable[[anyio.abc.SocketStream, Received], Awaitable[bool]]
"""Answer one request; return False to close the connection."""


@dataclass
class Server:
    url: str
    received: list[Received] = field(default_factory=list)


async def _read_request(stream: anyio.abc.SocketStream, buffer: bytearray) -> Received | None:
    while b"\r\n\r\n" not in buffer:
        try:
            buffer += await stream.receive()
        except (anyio.EndOfStream, anyio.BrokenResourceError):
            return None
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        rest += await stream.receive()
    buffer[:] = rest[length:]
    return Received(head, rest[:length])


@asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[Server]:
    """Serve ``handler`` on a free loopback port for the block."""
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    server = Server(f"http://127.0.0.1:{port}")

    async def connection(stream: anyio.abc.SocketStream) -> None:
        buffer = bytearray()
        async with stream:
            while (request := await _read_request(stream, buffer)) is not None:
                server.received.append(request)
                if not await handler(stream, request):
                    return

    async with anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, connection)
        try:
            yield server
        finally:
            tg.cancel_scope.cancel()
    await listener.aclose()


def answer(status: int = 200, body: bytes = b'{"ok":true}', headers: tuple[str, ...] = ()) -> bytes:
    lines = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def ok(body: bytes = b'{"ok":true}', *headers: str) -> Handler:
    async def handler(stream: anyio.abc.SocketStream, request: Received) -> bool:
        await stream.send(answer(200, body, headers))
        return True

    return handler


async def hang_up(stream: anyio.abc.SocketStream, request: Received) -> bool:
    """Read the request, then close without answering."""
    return False


async def half_answer(stream: anyio.abc.SocketStream, request: Received) -> bool:
    """Promise 100 bytes, send 10, close."""
    await stream.send(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"partial":')
    return False


async def stall(stream: anyio.abc.SocketStream, request: Received) -> bool:
    await anyio.sleep(30)
    return False


@asynccontextmanager
async def client_for(url: str, **options: object) -> AsyncIterator[AsyncTalkory]:
    """An `AsyncTalkory` over a fresh `AiohttpTransport` (closed afterwards)."""
    transport = AiohttpTransport(options.pop("limits", None))  # type: ignore[arg-type]
    options.setdefault("retry", FAST_RETRY)
    options.setdefault("rate_limit", None)
    try:
        async with AsyncTalkory(
            TALKORY_TEST_KEY,
            base_url=url,
            transport=transport,
            **options,  # type: ignore[arg-type]
        ) as client:
            yield client
    finally:
        await transport.aclose()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- success paths --------------------------------------------------------------------------


@asyncio_only
async def test_get_round_trip_and_repeated_headers() -> None:
    """A GET returns status, JSON and every value of a repeated header; headers go out as set."""
    async with (
        serve(ok(b'{"a":1}', "X-Multi: one", "X-Multi: two")) as server,
        client_for(server.url) as client,
    ):
        response = await client.request("GET", "/v1/thing", headers={"X-Custom": "yes"})
    assert response.status_code == 200
    assert response.json() == {"a": 1}
    assert response.headers.get_list("x-multi") == ["one", "two"]
    assert response.http_version == "HTTP/1.1"
    lines = server.received[0].header_lines()
    assert b"x-custom: yes" in lines
    assert f"authorization: bearer {TALKORY_TEST_KEY}".lower().encode() in lines
    assert b"accept-encoding: gzip, deflate" in lines
    assert not any(line.startswith(b"content-type") for line in lines)


@asyncio_only
async def test_header_bytes_go_out_as_they_are() -> None:
    """Header values in UTF-8 or in no encoding at all reach the server byte for byte."""

    async def raw_headers(request: httpx.Request, call_next: Any) -> httpx.Response:
        request.headers = httpx.Headers(
            [*request.headers.raw, (b"X-Text", "café".encode()), (b"X-Bytes", b"\xff\xfe")]
        )
        return await call_next(request)

    async with serve(ok()) as server, client_for(server.url, middleware=[raw_headers]) as client:
        await client.request("GET", "/v1/thing")
    lines = server.received[0].header_lines()
    assert "x-text: café".encode() in lines
    assert b"x-bytes: \xff\xfe" in lines  # (aiohttp's writer would send it empty)


@asyncio_only
async def test_post_body_sent_once_exactly() -> None:
    """A POST's JSON body arrives byte for byte with its length and type."""
    async with serve(ok()) as server, client_for(server.url) as client:
        await client.request("POST", "/v1/things", json={"name": "é"}, safety=Safety.UNSAFE)
    (request,) = server.received
    assert request.method == "POST"
    assert request.body == '{"name":"é"}'.encode()
    assert b"content-type: application/json" in request.header_lines()
    assert f"content-length: {len(request.body)}".encode() in request.header_lines()


@asyncio_only
async def test_large_post_body_arrives_whole() -> None:
    """A body over aiohttp's 1 MiB raw-bytes limit goes out in slices, byte for byte, no warning."""
    notes = "é" + "x" * (3 << 20)
    async with serve(ok()) as server, client_for(server.url) as client:
        await client.request("POST", "/v1/things", json={"notes": notes}, safety=Safety.UNSAFE)
    (request,) = server.received
    assert request.body == ('{"notes":"' + notes + '"}').encode()
    assert f"content-length: {len(request.body)}".encode() in request.header_lines()
    assert not any(line.startswith(b"transfer-encoding") for line in request.header_lines())


@asyncio_only
async def test_large_body_slices_are_views_of_the_request_bytes() -> None:
    """The slices share the request's buffer: a large body is not copied to be sent."""
    body = bytes(range(256)) * 1000
    chunks = [chunk async for chunk in _Slices(body)]
    assert len(chunks) > 1
    assert all(chunk.obj is body for chunk in chunks)
    assert b"".join(chunks) == body


@asyncio_only
async def test_gzip_body_is_decoded_once() -> None:
    """A gzip-encoded answer is decoded by httpx (aiohttp's own decoding is off)."""
    body = gzip.compress(b'{"zipped":true}')
    async with serve(ok(body, "Content-Encoding: gzip")) as server, client_for(server.url) as c:
        assert await c.request_json("GET", "/v1/z") == {"zipped": True}


@asyncio_only
async def test_body_arriving_after_headers_is_read() -> None:
    """A body that comes later than the headers is still read whole for a normal call."""

    async def slow_body(stream: anyio.abc.SocketStream, request: Received) -> bool:
        await stream.send(b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n")
        await anyio.sleep(0.05)
        await stream.send(b'{"late":1}\n')
        return True

    async with serve(slow_body) as server, client_for(server.url) as client:
        assert await client.request_json("GET", "/v1/late") == {"late": 1}


@asyncio_only
async def test_streamed_body_is_incremental() -> None:
    """A streamed (SSE) body yields the first event before the server sends the second."""
    first_seen = anyio.Event()

    async def events(stream: anyio.abc.SocketStream, request: Received) -> bool:
        head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked"
        await stream.send(head.encode() + b"\r\n\r\n" + b"a\r\ndata: one\n\r\n")
        await first_seen.wait()
        await stream.send(b"a\r\ndata: two\n\r\n0\r\n\r\n")
        return True

    async with serve(events) as server, client_for(server.url) as client:
        with anyio.fail_after(5):
            response = await client.request("GET", "/v1/events", stream=True)
            lines = []
            async for line in response.aiter_lines():
                lines.append(line)
                first_seen.set()
            await response.aclose()
    assert lines == ["data: one", "data: two"]


# -- failures and the never-twice rule --------------------------------------------------------


@asyncio_only
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_connection_refused_is_not_sent(method: str) -> None:
    """A refused connection is `APIConnectionError(request_sent=False)`, also for a POST."""
    async with client_for(f"http://127.0.0.1:{_closed_port()}") as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.request(method, "/v1/x", json={}, safety=Safety.UNSAFE)
    assert caught.value.request_sent is False
    assert "ConnectError" in str(caught.value)


@asyncio_only
@pytest.mark.parametrize("handler", [hang_up, half_answer])
async def test_drop_after_sending_get_is_retried(handler: Handler) -> None:
    """A GET dropped after sending is retried by talkkit only (3 attempts, request_sent)."""
    async with serve(handler) as server, client_for(server.url) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.request("GET", "/v1/x")
    assert caught.value.request_sent is True
    assert len(server.received) == 3  # aiohttp's own silent re-send is off


@asyncio_only
@pytest.mark.parametrize("handler", [hang_up, half_answer])
async def test_drop_after_sending_post_is_outcome_unknown(handler: Handler) -> None:
    """An unsafe POST dropped after sending raises `OutcomeUnknownError`, sent exactly once."""
    async with serve(handler) as server, client_for(server.url) as client:
        with pytest.raises(OutcomeUnknownError) as caught:
            await client.request("POST", "/v1/calls", json={"to": "x"}, safety=Safety.UNSAFE)
    assert isinstance(caught.value.cause, APIConnectionError)
    assert caught.value.cause.request_sent is True
    assert len(server.received) == 1


@asyncio_only
async def test_read_timeout_per_call() -> None:
    """The per-call read timeout applies; a timed-out POST is `OutcomeUnknownError`."""
    async with serve(stall) as server, client_for(server.url, max_retries=0) as client:
        with anyio.fail_after(5), pytest.raises(APITimeoutError) as caught:  # the server: 30 s
            await client.request("GET", "/v1/slow", timeout=0.2)
        assert caught.value.request_sent is True
        assert "ReadTimeout" in str(caught.value)
        with anyio.fail_after(5), pytest.raises(OutcomeUnknownError) as unknown:
            await client.request("POST", "/v1/slow", safety=Safety.UNSAFE, timeout=0.2)
    assert isinstance(unknown.value.cause, APITimeoutError)
    assert len(server.received) == 2


async def _fetch(transport: httpx.AsyncBaseTransport, request: httpx.Request) -> bytes:
    response = await transport.handle_async_request(request)
    return await response.aread()


def _read_only(seconds: float) -> dict[str, float | None]:
    """Timeouts whose read phase is short and the rest long (the attempt's limit: 30 s more)."""
    return httpx.Timeout(10.0, read=seconds).as_dict()


@asyncio_only
async def test_a_body_that_stops_coming_is_cut_at_the_read_timeout() -> None:
    """The read timeout counts from the last bytes of the body, long before the attempt's limit."""

    async def stops(stream: anyio.abc.SocketStream, request: Received) -> bool:
        await stream.send(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"partial":')
        await anyio.sleep(30)
        return False

    transport = AiohttpTransport()
    async with serve(stops) as server:
        request = httpx.Request("GET", server.url, extensions={"timeout": _read_only(0.2)})
        with anyio.fail_after(5), pytest.raises(httpx.ReadTimeout):
            await _fetch(transport, request)
    await transport.aclose()


@asyncio_only
async def test_a_body_that_keeps_coming_is_not_cut_by_the_read_timeout() -> None:
    """Each read restarts the read timeout: a body trickled over 3× the timeout arrives whole."""

    async def trickled(stream: anyio.abc.SocketStream, request: Received) -> bool:
        await stream.send(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n")
        for _ in range(12):
            await anyio.sleep(0.05)
            await stream.send(b"z")
        return True

    transport = AiohttpTransport()
    async with serve(trickled) as server:
        request = httpx.Request("GET", server.url, extensions={"timeout": _read_only(0.2)})
        with anyio.fail_after(5):
            assert await _fetch(transport, request) == b"z" * 12
    await transport.aclose()


@asyncio_only
async def test_read_timeouts_share_one_event_loop_timer() -> None:
    """
    Forty calls make a handful of event loop timers, not aiohttp's own two per request (one
    when it is written, one more when the answer arrives) plus one per attempt limit.
    """
    loop = asyncio.get_running_loop()
    made = 0
    call_at = loop.call_at

    def counting(when: float, callback: Any, *args: Any, **kwargs: Any) -> asyncio.TimerHandle:
        nonlocal made
        made += 1
        return call_at(when, callback, *args, **kwargs)

    async with serve(ok()) as server, client_for(server.url) as client:
        await client.request_json("GET", "/v1/warm")  # the session and its connection
        loop.call_at = counting  # type: ignore[method-assign, assignment]  # (call_later too)
        try:
            for _ in range(40):
                assert await client.request_json("GET", "/v1/x") == {"ok": True}
        finally:
            del loop.call_at
    assert made < 10, made


async def trickle(stream: anyio.abc.SocketStream, request: Received) -> bool:
    """A status line, then a header byte every 20 ms: each read is quick, the head never ends."""
    try:
        await stream.send(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        for _ in range(1500):
            await anyio.sleep(0.02)
            await stream.send(b"z")
    except anyio.BrokenResourceError:  # the client gave up
        pass
    return False


@asyncio_only
async def test_trickled_headers_are_cut_when_called_directly() -> None:
    """Called without talkkit's pipeline, the wait for headers is cut at the summed timeouts."""
    transport = AiohttpTransport()
    timeouts = httpx.Timeout(0.1).as_dict()
    async with serve(trickle) as server:
        request = httpx.Request("GET", server.url, extensions={"timeout": timeouts})
        with anyio.fail_after(5), pytest.raises(httpx.ReadTimeout, match="headers"):
            await transport.handle_async_request(request)
    await transport.aclose()


@asyncio_only
async def test_cancelling_from_outside_is_not_a_timeout() -> None:
    """A cancel scope around a request cancels it; the transport does not report a timeout."""
    transport = AiohttpTransport()
    async with serve(trickle) as server:
        request = httpx.Request(
            "GET", server.url, extensions={"timeout": httpx.Timeout(10).as_dict()}
        )
        with anyio.move_on_after(0.2) as scope:
            await transport.handle_async_request(request)
    assert scope.cancelled_caught
    await transport.aclose()


@asyncio_only
async def test_pool_timeout_is_not_sent() -> None:
    """Waiting too long for a free connection is a timeout before sending."""
    release = anyio.Event()

    async def held(stream: anyio.abc.SocketStream, request: Received) -> bool:
        await release.wait()
        await stream.send(answer())
        return True

    limits = httpx.Limits(max_connections=1)
    async with (
        serve(held) as server,
        client_for(server.url, limits=limits) as client,
        anyio.create_task_group() as tg,
    ):
        tg.start_soon(client.request, "GET", "/v1/first")
        await anyio.sleep(0.05)
        # aiohttp bounds the pool wait together with connecting: pool + connect = 0.2 s.
        timeout = httpx.Timeout(5, connect=0.1, pool=0.1)
        quick = client.with_options(max_retries=0, timeout=timeout)
        with pytest.raises(APITimeoutError) as caught:
            await quick.request("POST", "/v1/second", safety=Safety.UNSAFE)
        release.set()
    assert caught.value.request_sent is False
    assert "PoolTimeout" in str(caught.value)
    assert len(server.received) == 1


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError),
        (aiohttp.ClientPayloadError("short"), httpx.RemoteProtocolError),
        (aiohttp.SocketTimeoutError("slow"), httpx.ReadTimeout),
        (aiohttp.ClientOSError(104, "reset"), httpx.ReadError),
        (aiohttp.ClientConnectionResetError("closing"), httpx.WriteError),
        (aiohttp.InvalidURL("x"), httpx.UnsupportedProtocol),
    ],
)
def test_failure_mapping(exc: Exception, expected: type[httpx.TransportError]) -> None:
    """Each aiohttp failure maps to the httpx exception the never-twice rule expects."""
    request = httpx.Request("GET", "http://127.0.0.1/")
    assert type(_translate(exc, request, time.monotonic())) is expected


def test_connect_timeout_versus_pool_timeout() -> None:
    """aiohttp's single connect timeout is split by how long the request waited."""
    request = httpx.Request(
        "GET", "http://127.0.0.1/", extensions={"timeout": {"connect": 1.0, "pool": 2.0}}
    )
    exc = aiohttp.ConnectionTimeoutError("timeout")
    now = time.monotonic()
    assert type(_translate(exc, request, now - 1.0)) is httpx.ConnectTimeout
    assert type(_translate(exc, request, now - 3.0)) is httpx.PoolTimeout


# -- choosing the transport -------------------------------------------------------------------


async def test_auto_transport_follows_the_event_loop(anyio_backend: str) -> None:
    """The default transport uses aiohttp under asyncio and httpx's under trio."""
    async with serve(ok(b'{"status":"ok"}')) as server:
        transport = AutoTransport(httpx.Limits())
        async with AsyncTalkory(TALKORY_TEST_KEY, base_url=server.url, transport=transport) as c:
            assert (await c.health.llm()).status == "ok"
        assert (transport._fast is not None) is (anyio_backend == "asyncio")
        assert (transport._plain is not None) is (anyio_backend != "asyncio")
        await transport.aclose()
        await transport.aclose()  # twice is harmless
    assert transport._fast is None
    assert transport._plain is None


@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_forced_aiohttp_under_trio_fails_clearly() -> None:
    """The aiohttp transport refuses to run outside asyncio with a message naming the fix."""
    transport = AiohttpTransport()
    with pytest.raises(RuntimeError, match=r"asyncio only.*TALKKIT_TRANSPORT=httpx"):
        await transport.handle_async_request(httpx.Request("GET", "http://127.0.0.1:9/"))
    await transport.aclose()


@pytest.mark.parametrize("env", [None, "aiohttp", "httpx"])
async def test_bulk_jobs_start_sends_together_only_through_aiohttp(
    monkeypatch: pytest.MonkeyPatch, anyio_backend: str, env: str | None
) -> None:
    """
    A bulk job hands its workers many items per turn only when aiohttp sends them: httpx's
    pool (httpx forced, trio, or httpx patched by a mock) gets one start per turn.
    """
    if env is None:
        monkeypatch.delenv("TALKKIT_TRANSPORT", raising=False)
    else:
        monkeypatch.setenv("TALKKIT_TRANSPORT", env)
    if env == "aiohttp" and anyio_backend != "asyncio":
        return  # refused on its first request (test_forced_aiohttp_under_trio_fails_clearly)
    async with AsyncTalkory(TALKORY_TEST_KEY, base_url="http://127.0.0.1:9") as client:
        by_aiohttp = anyio_backend == "asyncio" and env != "httpx"
        assert client._starts_together() is by_aiohttp
        import respx

        with respx.mock:
            assert client._starts_together() is False  # sent where the mock looks: httpx


@pytest.mark.parametrize(
    ("env", "expected"),
    [(None, AutoTransport), ("aiohttp", AiohttpTransport), ("httpx", httpx.AsyncHTTPTransport)],
)
def test_default_transport_env_switch(
    monkeypatch: pytest.MonkeyPatch, env: str | None, expected: type
) -> None:
    """``TALKKIT_TRANSPORT`` forces a transport; unset, aiohttp installed means automatic."""
    if env is None:
        monkeypatch.delenv("TALKKIT_TRANSPORT", raising=False)
    else:
        monkeypatch.setenv("TALKKIT_TRANSPORT", env)
    assert type(default_transport(httpx.Limits())) is expected


def test_default_transport_rejects_unknown_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """A misspelt ``TALKKIT_TRANSPORT`` is a configuration error, not a silent fallback."""
    monkeypatch.setenv("TALKKIT_TRANSPORT", "curl")
    with pytest.raises(ConfigurationError, match="TALKKIT_TRANSPORT"):
        default_transport(httpx.Limits())


@asyncio_only
async def test_session_is_lazy_and_closed() -> None:
    """No session exists before the first request; `aclose` closes it and may be repeated."""
    transport = AiohttpTransport()
    sessions = [transport._session]
    async with serve(ok()) as server:
        response = await transport.handle_async_request(httpx.Request("GET", server.url))
        await response.aread()
    sessions.append(transport._session)
    assert sessions[0] is None
    session = sessions[1]
    assert session is not None
    await transport.aclose()
    await transport.aclose()
    assert session.closed
