"""respx (both mockers) and httpx monkeypatches intercept talkkit on its default transport."""

from __future__ import annotations

import functools
import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import respx

from talkkit import AsyncTalkory, AsyncTalkover, AsyncTalkturo
from talkkit._aiohttp_transport import AiohttpTransport, AutoTransport
from talkkit._client import BaseClient
from talkkit.emulator import (
    TALKORY_KEY,
    TALKOVER_TOKEN,
    TALKTURO_ACCOUNT_SLUG,
    TALKTURO_TEAM_ID,
    TALKTURO_TOKEN,
    Emulator,
)
from talkkit.testing import running_emulator

pytestmark = pytest.mark.anyio
MOCKERS = ["httpcore", "httpx"]


@pytest.fixture(autouse=True)
def _default_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each client builds talkkit's default transport, with no proxy from the environment."""
    monkeypatch.delenv("TALKKIT_TRANSPORT", raising=False)
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A listening 127.0.0.1 socket the clients point at; nothing may connect to it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        sock.setblocking(False)
        yield sock


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every address any socket of this process tries to connect to during the test."""
    seen: list[Any] = []
    for name in ("connect", "connect_ex"):
        original = getattr(socket.socket, name)

        def spy(sock: socket.socket, address: Any, _original: Any = original) -> Any:
            seen.append(address)
            return _original(sock, address)

        monkeypatch.setattr(socket.socket, name, spy)
    return seen


def _base(listener: socket.socket) -> str:
    return f"http://127.0.0.1:{listener.getsockname()[1]}"


def _accepted(listener: socket.socket) -> bool:
    try:
        conn, _ = listener.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


def _clients(base: str) -> list[BaseClient]:
    """The three platform clients, on their default transport, pointed at ``base``."""
    return [
        AsyncTalkturo(
            TALKTURO_TOKEN,
            base_url=base + "/api",
            account_slug=TALKTURO_ACCOUNT_SLUG,
            team_id=TALKTURO_TEAM_ID,
            max_retries=0,
        ),
        AsyncTalkover(TALKOVER_TOKEN, base_url=base + "/api/v1", max_retries=0),
        AsyncTalkory(TALKORY_KEY, base_url=base, max_retries=0),
    ]


def _calls(clients: list[BaseClient]) -> list[Callable[[], Any]]:
    turo, over, tory = clients
    assert isinstance(turo, AsyncTalkturo)
    assert isinstance(over, AsyncTalkover)
    assert isinstance(tory, AsyncTalkory)

    async def first_numbers() -> Any:
        return [number async for number in turo.phone_numbers.list()]

    return [first_numbers, over.health.check, tory.wallet.get]


def _forward_to(emu: Emulator) -> Callable[[httpx.Request], Any]:
    """A respx side effect answering like ``emu`` would (in-process: no socket)."""
    transport = emu.transport()

    async def answer(request: httpx.Request) -> httpx.Response:
        response = await transport.handle_async_request(request)
        body = await response.aread()
        return httpx.Response(response.status_code, headers=response.headers, content=body)

    return answer


@pytest.mark.parametrize("using", MOCKERS)
async def test_respx_answers_every_client(
    anyio_backend: str, listener: socket.socket, connects: list[Any], using: str
) -> None:
    """Inside ``respx.mock`` every call of all three clients is answered by the mock."""
    base = _base(listener)
    emu = Emulator()
    clients = _clients(base)
    try:
        with respx.mock(using=using, assert_all_called=True) as mock:
            route = mock.route(host="127.0.0.1").mock(side_effect=_forward_to(emu))
            for call in _calls(clients):
                await call()
            assert route.call_count == 3
        for client in clients:
            assert isinstance(client._transport, AutoTransport)
            assert client._transport._fast is None  # aiohttp never sent
    finally:
        for client in clients:
            await client.aclose()
    assert [(r.platform, r.method) for r in emu.request_log] == [
        ("talkturo", "GET"),
        ("talkover", "GET"),
        ("talkory", "GET"),
    ]
    assert connects == []
    assert not _accepted(listener)


@pytest.mark.parametrize("using", MOCKERS)
async def test_an_unmatched_request_fails_as_respx_fails_it_without_a_socket(
    anyio_backend: str, listener: socket.socket, connects: list[Any], using: str
) -> None:
    """A call no route matches raises respx's error, and no connection is ever attempted."""
    base = _base(listener)
    clients = _clients(base)
    try:
        with respx.mock(using=using, assert_all_called=False) as mock:
            mock.get(url__regex=r"/never$").respond(200)
            for call in _calls(clients):
                with pytest.raises(respx.models.AllMockedAssertionError, match="not mocked"):
                    await call()
    finally:
        for client in clients:
            await client.aclose()
    assert connects == []
    assert not _accepted(listener)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("using", MOCKERS)
async def test_forced_aiohttp_transport_is_intercepted_too(
    monkeypatch: pytest.MonkeyPatch, listener: socket.socket, connects: list[Any], using: str
) -> None:
    """``TALKKIT_TRANSPORT=aiohttp`` hands a mocked request to httpx's transport as well."""
    monkeypatch.setenv("TALKKIT_TRANSPORT", "aiohttp")
    base = _base(listener)
    async with AsyncTalkory(TALKORY_KEY, base_url=base, max_retries=0) as client:
        assert type(client._transport) is AiohttpTransport
        with respx.mock(using=using) as mock:
            mock.get(f"{base}/v1/wallet").respond(json={"balance": 7, "currency": "USD"})
            assert (await client.wallet.get()).balance == 7
        assert client._transport._session is None  # aiohttp never opened a session
    assert connects == []
    assert not _accepted(listener)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_aiohttp_sends_again_once_the_mock_ends() -> None:
    """The check is per request: after the ``respx.mock`` block, aiohttp reaches the server."""
    with running_emulator() as served:
        async with AsyncTalkory(TALKORY_KEY, base_url=served.url, max_retries=0) as client:
            transport = client._transport
            assert isinstance(transport, AutoTransport)
            with respx.mock() as mock:
                mock.get(f"{served.url}/v1/wallet").respond(json={"balance": 7, "currency": "USD"})
                assert (await client.wallet.get()).balance == 7
            assert served.emulator.request_log == []
            await client.wallet.get()
            assert transport._fast is not None
            assert [r.path for r in served.emulator.request_log] == ["/v1/wallet"]


async def test_a_monkeypatched_httpx_transport_sees_every_request(
    anyio_backend: str, monkeypatch: pytest.MonkeyPatch, listener: socket.socket
) -> None:
    """Patching ``AsyncHTTPTransport.handle_async_request`` (pytest-httpx, tracers) catches calls."""
    base = _base(listener)
    seen: list[str] = []

    async def handle_async_request(
        self: httpx.AsyncHTTPTransport, request: httpx.Request
    ) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json={"balance": 3, "currency": "USD"})

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", handle_async_request)
    async with AsyncTalkory(TALKORY_KEY, base_url=base, max_retries=0) as client:
        assert (await client.wallet.get()).balance == 3
    assert seen == ["/v1/wallet"]
    assert not _accepted(listener)


async def test_a_tracer_wrapping_httpx_sees_every_request(
    anyio_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `functools.wraps` wrapper of httpx's transport method (a tracer) sees real requests."""
    original = httpx.AsyncHTTPTransport.handle_async_request
    traced: list[str] = []

    @functools.wraps(original)
    async def traced_send(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> Any:
        traced.append(request.url.path)
        return await original(self, request)

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", traced_send)
    with running_emulator() as served:
        async with AsyncTalkory(TALKORY_KEY, base_url=served.url, max_retries=0) as client:
            await client.wallet.get()
            assert getattr(client._transport, "_fast", None) is None
        assert [r.path for r in served.emulator.request_log] == ["/v1/wallet"]
    assert traced == ["/v1/wallet"]


async def test_a_mock_transport_keeps_working(anyio_backend: str) -> None:
    """``transport=httpx.MockTransport(...)`` answers, with or without respx's default mocker."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json={"balance": 5, "currency": "USD"})

    async with AsyncTalkory(
        TALKORY_KEY, base_url="https://api.example.com", transport=httpx.MockTransport(handler)
    ) as client:
        assert (await client.wallet.get()).balance == 5
        with respx.mock(assert_all_called=False):  # patches httpcore: not this transport
            assert (await client.wallet.get()).balance == 5
    assert seen == ["/v1/wallet", "/v1/wallet"]
