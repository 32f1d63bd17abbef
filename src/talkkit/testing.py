"""
Helpers for testing code that uses talkkit.

- `no_backoff`: make every retry wait zero seconds (Retry-After included) while active.
- `capture_logs`: collect the ``talkkit`` logger's records.
- `running_emulator`: serve an emulator on a free 127.0.0.1 port from a background thread.
- `talkturo_client`, `talkover_client`, `talkory_client`: clients wired to an in-process
  emulator (no sockets), with the emulator's tokens and defaults.
- `ready_agent`: a Talkover agent with a voice, published, so it can place calls.
- The pytest plugin (`talkkit.pytest_plugin`, loaded automatically) builds on these.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Unpack

import attrs

from talkkit._client import ClientOptions
from talkkit._constants import LOGGER_NAME
from talkkit.middleware import retry as _retry
from talkkit.talkory import AsyncTalkory
from talkkit.talkover import AsyncTalkover
from talkkit.talkturo import AsyncTalkturo

if TYPE_CHECKING:
    from talkkit.emulator import Emulator
    from talkkit.talkover.types import Agent

__all__ = [
    "EMULATOR_HOST",
    "ServedEmulator",
    "capture_logs",
    "no_backoff",
    "ready_agent",
    "running_emulator",
    "serving",
    "talkory_client",
    "talkover_client",
    "talkturo_client",
]

EMULATOR_HOST = "http://localhost"
"""The origin in-process emulator clients use (any loopback name would do: nothing listens)."""


def talkturo_client(emulator: Emulator, **options: Unpack[ClientOptions]) -> AsyncTalkturo:
    """An `AsyncTalkturo` talking to ``emulator`` in-process, with its account and team."""
    from talkkit.emulator import TALKTURO_ACCOUNT_SLUG, TALKTURO_TEAM_ID, TALKTURO_TOKEN

    options.setdefault("transport", emulator.transport())
    return AsyncTalkturo(
        TALKTURO_TOKEN,
        base_url=EMULATOR_HOST + "/api",
        account_slug=TALKTURO_ACCOUNT_SLUG,
        team_id=TALKTURO_TEAM_ID,
        **options,
    )


def talkover_client(emulator: Emulator, **options: Unpack[ClientOptions]) -> AsyncTalkover:
    """An `AsyncTalkover` talking to ``emulator`` in-process."""
    from talkkit.emulator import TALKOVER_TOKEN

    options.setdefault("transport", emulator.transport())
    return AsyncTalkover(TALKOVER_TOKEN, base_url=EMULATOR_HOST + "/api/v1", **options)


def talkory_client(emulator: Emulator, **options: Unpack[ClientOptions]) -> AsyncTalkory:
    """An `AsyncTalkory` talking to ``emulator`` in-process."""
    from talkkit.emulator import TALKORY_KEY

    options.setdefault("transport", emulator.transport())
    return AsyncTalkory(TALKORY_KEY, base_url=EMULATOR_HOST, **options)


@contextmanager
def no_backoff() -> Iterator[None]:
    """Within this block, retries happen immediately (no backoff, no Retry-After sleeps)."""
    previous = _retry._zero_waits
    _retry.set_testing(no_waits=True)
    try:
        yield
    finally:
        _retry.set_testing(no_waits=previous)


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def capture_logs(
    level: int = logging.DEBUG, *, logger_name: str = LOGGER_NAME
) -> Iterator[list[logging.LogRecord]]:
    """
    Collect the records the ``talkkit`` logger emits at ``level`` or above.

    ``logger_name`` picks another logger (``""``: the root, i.e. every library's records).
    """
    logger = logging.getLogger(logger_name)
    handler = _ListHandler()
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


@attrs.frozen
class ServedEmulator:
    """
    An emulator answering on a real socket.

    Attributes:
        emulator: The emulator (inspect its state in tests).
        url: ``http://127.0.0.1:<port>`` — Talkory's base URL; Talkturo is ``url + "/api"``,
            Talkover ``url + "/api/v1"``.
    """

    emulator: Emulator
    url: str

    @property
    def talkturo_url(self) -> str:
        """Talkturo's base URL on this server."""
        return self.url + "/api"

    @property
    def talkover_url(self) -> str:
        """Talkover's base URL on this server."""
        return self.url + "/api/v1"

    def environment(self) -> dict[str, str]:
        """
        The variables that point talkkit at this server (what ``talkkit emulator serve``
        prints as ``export`` lines): for a CLI subprocess, or `monkeypatch.setenv`.
        """
        from talkkit.emulator import environment

        return environment(self.url)


def _loopback_listener() -> socket.socket:
    """
    A TCP socket bound to a free 127.0.0.1 port, ready to hand to a server.

    It is created with ``IPPROTO_TCP`` and ``TCP_NODELAY`` on: asyncio turns Nagle's algorithm
    off only for sockets whose ``proto`` says TCP, and with it on every keep-alive request
    waits ~40 ms for the peer's delayed ACK.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serving(
    app: Any, *, lifespan: bool = False, backlog: int = 2048, **config: Any
) -> Iterator[str]:
    """
    Serve an ASGI ``app`` with uvicorn on a free loopback port; yield its base URL.

    The server runs in a daemon thread with its own event loop and stops when the block ends.

    Args:
        app: Any ASGI app (a webhook receiver, an emulator's ``app``).
        lifespan: Send the app ASGI lifespan events (its background tasks run then).
        backlog: The listen queue (raise it for thousands of simultaneous connections).
        **config: More `uvicorn.Config` settings (``ssl_certfile=`` serves https).
    """
    import uvicorn

    sock = _loopback_listener()
    port = sock.getsockname()[1]
    scheme = "https" if config.get("ssl_certfile") else "http"
    settings: dict[str, Any] = {"log_level": "error", "access_log": False}
    settings.update(timeout_graceful_shutdown=1, backlog=backlog, **config)
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on" if lifespan else "off", **settings))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(1000):  # up to 10 s for the server to come up (a loaded CI machine)
            if server.started or not thread.is_alive():
                break
            threading.Event().wait(0.01)
        if not server.started:
            raise RuntimeError("the server did not start")
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def running_emulator(
    emulator: Emulator | None = None,
    *,
    backlog: int = 2048,
    webhooks: bool = False,
    **config: Any,
) -> Iterator[ServedEmulator]:
    """
    Serve ``emulator`` (a fresh one by default) with uvicorn on a free loopback port.

    The server runs in a daemon thread with its own event loop and stops when the block ends.
    Needs the ``emulator`` extra.

    Args:
        emulator: The emulator to serve.
        backlog: The listen queue (raise it for thousands of simultaneous connections).
        webhooks: Deliver webhooks in the background, as ``talkkit emulator serve`` does
            (`Emulator.deliver_webhooks`); off by default, so a test's emulator changes only
            when it is asked to.
        **config: More `uvicorn.Config` settings (``ssl_certfile=`` serves https).
    """
    from talkkit.emulator import Emulator

    emu = emulator or Emulator()
    with serving(emu.app, lifespan=webhooks, backlog=backlog, **config) as url:
        yield ServedEmulator(emu, url)


async def ready_agent(client: AsyncTalkover, name: str = "SupportBot") -> Agent:
    """Create a Talkover agent, give it the first voice in the catalogue and publish it."""
    agent = await client.agents.create(name=name, label=f"{name} label")
    groups = await client.voice_templates.list()
    voice = groups[0].voices[0]
    await client.agents.update_voice(
        agent.id, voice_id=voice.id, conversation_speed=1.5, who_speaks_first="agent"
    )
    return await client.agents.publish(agent.id)
