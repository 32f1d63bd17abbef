"""Proxies on every transport: from the environment or ``proxy=``, NO_PROXY, trust_env, CONNECT."""

from __future__ import annotations

import base64
import logging
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import trustme
from proxy.http.parser import HttpParser
from proxy.http.proxy import HttpProxyBasePlugin

from talkkit import APIConnectionError, APIError, AsyncTalkory, ConfigurationError
from talkkit._aiohttp_transport import AiohttpTransport, AutoTransport
from talkkit._network import Network, masked_url, resolve_proxy
from talkkit._transport import default_transport
from talkkit.emulator import TALKORY_KEY, Emulator
from talkkit.testing import ServedEmulator, capture_logs, running_emulator

from ..conftest import BACKENDS

pytestmark = pytest.mark.anyio

USER = "talkkit"
PASSWORD = "s3cret/p@ss:w0rd"  # "/", "@" and ":" must survive percent-encoding
AUTH = f"{quote(USER, safe='')}:{quote(PASSWORD, safe='')}"
RECORD_ENV = "TALKKIT_TEST_PROXY_RECORD"
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
_ROOT = Path(__file__).resolve().parents[2]


class Recorder(HttpProxyBasePlugin):
    """proxy.py plugin (loaded in the proxy's process): one line per request it forwards."""

    def handle_client_request(self, request: HttpParser) -> HttpParser:
        method = (request.method or b"").decode()
        target = f"{(request.host or b'').decode()}:{request.port}{(request.path or b'').decode()}"
        with open(os.environ[RECORD_ENV], "a", encoding="utf-8") as record:
            record.write(f"{method} {target}\n")
        return request


@dataclass
class ForwardProxy:
    """A real forward proxy (proxy.py) on 127.0.0.1 that demands ``USER:PASSWORD``."""

    port: int
    record: Path

    def url(self, auth: str = AUTH) -> str:
        return f"http://{auth}@127.0.0.1:{self.port}"

    def seen(self) -> list[str]:
        """The requests it forwarded since the test began (``METHOD host:port[path]``)."""
        return self.record.read_text().splitlines()


@pytest.fixture(scope="module")
def _proxy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ForwardProxy]:
    """proxy.py in a subprocess with basic auth and the `Recorder` plugin; stopped at the end."""
    folder = tmp_path_factory.mktemp("proxy")
    port_file, record = folder / "port", folder / "record"
    record.touch()
    paths = os.pathsep.join([str(_ROOT), str(_ROOT / "src"), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, RECORD_ENV: str(record), "PYTHONPATH": paths}
    args = ["--hostname", "127.0.0.1", "--port", "0", "--port-file", str(port_file)]
    args += ["--num-acceptors", "1", "--num-workers", "1", "--log-file", str(folder / "log")]
    args += ["--basic-auth", f"{USER}:{PASSWORD}", "--plugins", f"{__name__}.Recorder"]
    output = folder / "output"
    with output.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "proxy", *args],
            cwd=_ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers are stopped with it
        )
    try:
        port = _wait_for_port(port_file, proc, output)
        yield ForwardProxy(port, record)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _wait_for_port(port_file: Path, proc: subprocess.Popen[bytes], output: Path) -> int:
    for _ in range(300):  # up to 30 s on a loaded machine
        text = port_file.read_text().strip() if port_file.exists() else ""
        if text:
            port = int(text)
            with socket.create_connection(("127.0.0.1", port), timeout=5):
                return port
        assert proc.poll() is None, output.read_text()
        time.sleep(0.1)
    raise AssertionError("proxy.py did not start")


@pytest.fixture
def forward_proxy(_proxy_server: ForwardProxy) -> ForwardProxy:
    """The module's proxy, its record emptied for this test."""
    _proxy_server.record.write_text("")
    return _proxy_server


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy or CA setting of the machine running the tests leaks in."""
    for name in (*PROXY_VARS, "REQUEST_METHOD", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


# -- targets: the emulator over http and over https (a test CA) -----------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    """A throwaway certificate authority."""
    return trustme.CA()


@pytest.fixture
def http_target() -> Iterator[ServedEmulator]:
    """The emulator served over plain http on 127.0.0.1."""
    with running_emulator() as served:
        yield served


@pytest.fixture
def https_target(
    ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ServedEmulator]:
    """The emulator served over TLS (a certificate for 127.0.0.1); clients trust the CA."""
    pem = tmp_path / "server.pem"
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(pem))
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # httpx's rule, on every transport
    with _serve_tls(Emulator(), pem) as served:
        yield served


@contextmanager
def _serve_tls(emu: Emulator, pem: Path) -> Iterator[ServedEmulator]:
    with running_emulator(emu, ssl_certfile=str(pem), ssl_keyfile=str(pem)) as served:
        yield served


# -- the wires: (event loop, TALKKIT_TRANSPORT) -----------------------------------------------------

WIRES = [
    pytest.param(("asyncio", ""), id="asyncio-auto"),  # aiohttp, chosen automatically
    pytest.param(("asyncio", "aiohttp"), id="asyncio-aiohttp"),
    pytest.param(("asyncio", "httpx"), id="asyncio-httpx"),
    pytest.param(("trio", ""), id="trio-auto"),  # httpx's transport
]


@pytest.fixture(params=[w for w in WIRES if w.values[0][0] in BACKENDS])
def wire(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """One event loop and transport choice."""
    backend, transport = request.param
    if transport:
        monkeypatch.setenv("TALKKIT_TRANSPORT", transport)
    else:
        monkeypatch.delenv("TALKKIT_TRANSPORT", raising=False)
    return backend, transport


@pytest.fixture
def anyio_backend(wire: tuple[str, str]) -> str:
    """The wire's event loop."""
    return wire[0]


async def _wallet(base_url: str, wire: tuple[str, str], **options: Any) -> AsyncTalkory:
    """Fetch the Talkory wallet once; check the wire that carried it; return the closed client."""
    async with AsyncTalkory(
        TALKORY_KEY, base_url=base_url, max_retries=0, rate_limit=None, **options
    ) as client:
        await client.wallet.get()
        transport = client._transport
        if wire == ("asyncio", ""):
            assert isinstance(transport, AutoTransport)
            assert transport._fast is not None  # aiohttp sent it
            assert transport._plain is None
        elif wire == ("trio", ""):
            assert isinstance(transport, AutoTransport)
            assert transport._fast is None
        else:
            expected = AiohttpTransport if wire[1] == "aiohttp" else httpx.AsyncHTTPTransport
            assert type(transport) is expected
            assert getattr(transport, "_plain", None) is None  # (aiohttp: it sent it itself)
    return client


def _arrived(target: ServedEmulator) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in target.emulator.request_log]


def _host(target: ServedEmulator) -> str:
    return target.url.partition("://")[2]


# -- through the proxy ----------------------------------------------------------------------------


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
async def test_http_goes_through_the_environments_proxy(
    wire: tuple[str, str],
    forward_proxy: ForwardProxy,
    http_target: ServedEmulator,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
) -> None:
    """HTTP_PROXY (either case) or ALL_PROXY, with credentials, carries a plain-http request."""
    monkeypatch.setenv(variable, forward_proxy.url())
    await _wallet(http_target.url, wire)
    assert forward_proxy.seen() == [f"GET {_host(http_target)}/v1/wallet"]
    assert _arrived(http_target) == [("GET", "/v1/wallet")]


async def test_https_is_tunnelled_through_the_environments_proxy(
    wire: tuple[str, str],
    forward_proxy: ForwardProxy,
    https_target: ServedEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HTTPS_PROXY carries an https request as a CONNECT tunnel to a server the CA vouches for."""
    monkeypatch.setenv("https_proxy", forward_proxy.url())
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # the other scheme's: not used
    await _wallet(https_target.url, wire)
    assert forward_proxy.seen() == [f"CONNECT {_host(https_target)}"]
    assert _arrived(https_target) == [("GET", "/v1/wallet")]


async def test_explicit_proxy_overrides_the_environment(
    wire: tuple[str, str],
    forward_proxy: ForwardProxy,
    https_target: ServedEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``proxy=`` wins over HTTPS_PROXY and NO_PROXY, as in httpx."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))  # bound, never listening: connecting to it is refused
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{unused.getsockname()[1]}")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        await _wallet(https_target.url, wire, proxy=httpx.URL(forward_proxy.url()))
    assert forward_proxy.seen() == [f"CONNECT {_host(https_target)}"]
    assert _arrived(https_target) == [("GET", "/v1/wallet")]


# -- around the proxy -----------------------------------------------------------------------------


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "localhost,127.0.0.1", "*"])
async def test_no_proxy_bypasses_the_proxy(
    wire: tuple[str, str],
    forward_proxy: ForwardProxy,
    http_target: ServedEmulator,
    monkeypatch: pytest.MonkeyPatch,
    no_proxy: str,
) -> None:
    """A host named in NO_PROXY is reached directly."""
    monkeypatch.setenv("HTTP_PROXY", forward_proxy.url())
    monkeypatch.setenv("no_proxy", no_proxy)
    await _wallet(http_target.url, wire)
    assert forward_proxy.seen() == []
    assert _arrived(http_target) == [("GET", "/v1/wallet")]


async def test_trust_env_false_ignores_the_environment(
    wire: tuple[str, str],
    forward_proxy: ForwardProxy,
    http_target: ServedEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With ``trust_env=False`` the proxy variables are not read."""
    monkeypatch.setenv("HTTP_PROXY", forward_proxy.url())
    monkeypatch.setenv("ALL_PROXY", forward_proxy.url())
    await _wallet(http_target.url, wire, trust_env=False)
    assert forward_proxy.seen() == []
    assert _arrived(http_target) == [("GET", "/v1/wallet")]


async def test_trust_env_false_ignores_ssl_cert_file(
    wire: tuple[str, str], https_target: ServedEmulator
) -> None:
    """With ``trust_env=False`` SSL_CERT_FILE is not read either: the test CA is not trusted."""
    with pytest.raises(APIConnectionError) as caught:
        await _wallet(https_target.url, wire, trust_env=False)
    assert any(isinstance(exc, ssl.SSLCertVerificationError) for exc in _chain(caught.value))
    assert _arrived(https_target) == []


# -- credentials stay secret ----------------------------------------------------------------------

_SECRETS = (
    PASSWORD,
    quote(PASSWORD, safe=""),
    base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(),
    base64.b64encode(f"{USER}:wrong-{PASSWORD}".encode()).decode(),
    f"wrong-{PASSWORD}",
)


def _assert_hidden(*texts: str) -> None:
    for text in texts:
        for secret in _SECRETS:
            assert secret not in text


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = error
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


@pytest.mark.parametrize("scheme", ["http", "https"])
async def test_refused_credentials_are_never_shown(
    wire: tuple[str, str],
    forward_proxy: ForwardProxy,
    http_target: ServedEmulator,
    https_target: ServedEmulator,
    scheme: str,
) -> None:
    """A proxy refusing the credentials fails the call; no text about it shows them."""
    target = http_target if scheme == "http" else https_target
    bad = forward_proxy.url(f"{USER}:{quote('wrong-' + PASSWORD, safe='')}")
    with (
        capture_logs(logger_name="") as records,
        pytest.raises((APIError, APIConnectionError)) as caught,
    ):
        await _wallet(target.url, wire, proxy=bad)
    error = caught.value
    if scheme == "http":  # the proxy answered the request itself
        assert isinstance(error, APIError)
        assert error.status == 407
    else:  # the tunnel was refused: nothing reached the server
        assert isinstance(error, APIConnectionError)
        assert error.request_sent is False
    assert forward_proxy.seen() == []
    assert _arrived(target) == []
    _assert_hidden(
        *(text for exc in _chain(error) for text in (str(exc), repr(exc))),
        "".join(traceback.format_exception(error)),
        *(record.getMessage() for record in records),
    )


async def test_accepted_credentials_are_never_shown(
    wire: tuple[str, str], forward_proxy: ForwardProxy, http_target: ServedEmulator
) -> None:
    """The client, its transport and the debug logs never show the proxy's credentials."""
    with capture_logs(logging.DEBUG, logger_name="") as records:
        client = await _wallet(http_target.url, wire, proxy=forward_proxy.url())
    assert forward_proxy.seen() == [f"GET {_host(http_target)}/v1/wallet"]
    _assert_hidden(
        repr(client),
        repr(client._transport),
        repr(getattr(client._transport, "_network", "")),
        *(record.getMessage() for record in records),
    )


# -- deciding the proxy (no network) --------------------------------------------------------------


def _httpx_would_use(url: str) -> str | None:
    """The proxy `httpx.AsyncClient(trust_env=True)` picks for ``url``: its own rules, replayed."""
    from httpx._utils import URLPattern, get_environment_proxies

    mounts = {URLPattern(key): value for key, value in get_environment_proxies().items()}
    for pattern in sorted(mounts):
        if pattern.matches(httpx.URL(url)):
            value = mounts[pattern]
            return None if value is None else str(httpx.Proxy(value).url)
    return None


@pytest.mark.parametrize(
    ("env", "url"),
    [
        ({"HTTP_PROXY": "http://p:1"}, "http://api.example.com"),
        ({"HTTP_PROXY": "http://p:1"}, "https://api.example.com"),
        ({"HTTPS_PROXY": "p:2"}, "https://api.example.com"),
        ({"ALL_PROXY": "http://p:3", "HTTP_PROXY": "http://p:1"}, "https://api.example.com"),
        ({"ALL_PROXY": "http://p:3", "HTTP_PROXY": "http://p:1"}, "http://api.example.com"),
        ({"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:1"}, "https://a.b"),
        ({"HTTPS_PROXY": "https://p:4", "NO_PROXY": "*"}, "https://api.example.com"),
        ({"HTTPS_PROXY": "http://p:4", "NO_PROXY": "example.com"}, "https://example.com"),
        ({"HTTPS_PROXY": "http://p:4", "NO_PROXY": "example.com"}, "https://api.example.com"),
        ({"HTTPS_PROXY": "http://p:4", "NO_PROXY": "example.com"}, "https://apiexample.com"),
        ({"HTTPS_PROXY": "http://p:4", "NO_PROXY": ".example.com"}, "https://example.com"),
        ({"HTTPS_PROXY": "http://p:4", "NO_PROXY": ".example.com"}, "https://api.example.com"),
        (
            {"HTTPS_PROXY": "http://p:4", "no_proxy": " a.org , Example.COM "},
            "https://x.example.com",
        ),
        ({"HTTP_PROXY": "http://p:4", "NO_PROXY": "localhost"}, "http://localhost:8000"),
        ({"HTTP_PROXY": "http://p:4", "NO_PROXY": "localhost"}, "http://app.localhost:8000"),
        ({"HTTP_PROXY": "http://p:4", "NO_PROXY": "127.0.0.1"}, "http://127.0.0.1:8000"),
        ({"HTTP_PROXY": "http://p:4", "NO_PROXY": "10.0.0.0/8"}, "http://10.1.2.3"),
        ({"HTTP_PROXY": "http://p:4", "NO_PROXY": "::1"}, "http://[::1]:8000"),
        ({"HTTPS_PROXY": "http://p:4", "NO_PROXY": "example.com:8443"}, "https://example.com:8443"),
        ({"HTTPS_PROXY": "http://p:4", "NO_PROXY": "example.com:8443"}, "https://example.com"),
        ({"ALL_PROXY": "http://p:4", "NO_PROXY": "http://example.com"}, "http://example.com"),
        ({"ALL_PROXY": "http://p:4", "NO_PROXY": "http://example.com"}, "https://example.com"),
        ({"ALL_PROXY": "socks5://p:5"}, "https://api.example.com"),
        ({}, "https://api.example.com"),
    ],
)
def test_the_proxy_is_chosen_as_httpx_chooses_it(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], url: str
) -> None:
    """For one base URL, talkkit picks the proxy httpx's client would pick from the environment."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    chosen = resolve_proxy(url, None, trust_env=True)
    assert (None if chosen is None else str(chosen.url)) == _httpx_would_use(url)
    assert resolve_proxy(url, None, trust_env=False) is None


def test_proxy_option_accepts_urls_and_proxies() -> None:
    """``proxy=`` takes a string, an `httpx.URL` or an `httpx.Proxy`; credentials leave the URL."""
    for value in (
        f"http://{AUTH}@p:1",
        httpx.URL(f"http://{AUTH}@p:1"),
        httpx.Proxy(f"http://{AUTH}@p:1"),
    ):
        chosen = resolve_proxy("https://api.example.com", value, trust_env=True)
        assert chosen is not None
        assert str(chosen.url) == "http://p:1"
        assert chosen.auth == (USER, PASSWORD)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("proxy", f"ftp://{AUTH}@p:1"),
        ("proxy", f"{AUTH}@p:1"),
        ("proxy", f"http://{USER}:{PASSWORD}@p:1"),  # not percent-encoded: not a URL
        ("HTTPS_PROXY", f"ftp://{AUTH}@p:1"),
    ],
)
def test_an_unusable_proxy_url_is_a_configuration_error_without_secrets(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    """A proxy URL that cannot be used is refused at construction, its credentials masked."""
    if variable != "proxy":
        monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as caught:
        AsyncTalkory(
            TALKORY_KEY,
            base_url="https://api.example.com",
            proxy=value if variable == "proxy" else None,
        )
    assert caught.value.field == variable
    _assert_hidden(str(caught.value), "".join(traceback.format_exception(caught.value)))


def test_masked_url_hides_user_and_password() -> None:
    """Everything before the host's ``@`` is masked, whatever the password holds."""
    assert masked_url(f"http://{AUTH}@p:1/x") == "http://********@p:1/x"
    assert masked_url("http://p:1/x") == "http://p:1/x"
    assert masked_url(f"{USER}:{PASSWORD}@p:1") == "********@p:1"
    assert "p@ss" not in repr(Network(httpx.Proxy(f"http://{AUTH}@p:1")))


def test_a_socks_proxy_is_left_to_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    """A SOCKS proxy goes to httpx's transport (socksio needed); forced aiohttp refuses it."""
    monkeypatch.delenv("TALKKIT_TRANSPORT", raising=False)
    url, proxy = "https://api.example.com", "socks5://127.0.0.1:1080"
    if find_spec("socksio") is None:
        with pytest.raises(ConfigurationError, match=r"httpx\[socks\]"):
            default_transport(httpx.Limits(), url=url, proxy=proxy)
    else:
        assert type(default_transport(httpx.Limits(), url=url, proxy=proxy)) is (
            httpx.AsyncHTTPTransport
        )
    monkeypatch.setenv("TALKKIT_TRANSPORT", "aiohttp")
    with pytest.raises(ConfigurationError, match="SOCKS"):
        default_transport(httpx.Limits(), url=url, proxy=proxy)


async def test_a_given_transport_ignores_proxy_settings(
    anyio_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user's own transport is used as given: neither ``proxy=`` nor the environment apply."""
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"balance": 1, "currency": "USD"})

    async with AsyncTalkory(
        TALKORY_KEY,
        base_url="https://api.example.com",
        transport=httpx.MockTransport(handler),
        proxy="http://127.0.0.1:9",
    ) as client:
        assert (await client.wallet.get()).balance == 1
    assert seen == ["https://api.example.com/v1/wallet"]


async def test_an_unreachable_proxy_fails_before_sending(
    wire: tuple[str, str], monkeypatch: pytest.MonkeyPatch, http_target: ServedEmulator
) -> None:
    """A proxy nobody listens on is a connection error before sending, naming the proxy on aiohttp."""
    monkeypatch.setenv("HTTP_PROXY", "http://user:hunter2-secret@127.0.0.1:9")
    with pytest.raises(APIConnectionError) as caught:
        await _wallet(http_target.url, wire)
    assert caught.value.request_sent is False
    assert "hunter2-secret" not in str(caught.value)
    if wire != ("trio", "") and wire[1] != "httpx":  # aiohttp knows the proxy was the problem
        assert "cannot reach the proxy" in str(caught.value)
    assert _arrived(http_target) == []
