"""
``talkkit calls dial --wait --listen [HOST:]PORT``: a webhook receiver in the job's own process.

The receiver (`talkkit.webhooks.app`) verifies Talkover's deliveries with the webhook secret
and pushes each final call event into the job's `CallEnds` feed, so a call is reported when its
webhook arrives; the job polls the call history only rarely, for the calls whose webhook never
came. The socket is bound before the job starts (a port in use is a usage error, nothing sent)
and uvicorn serves it inside the job's event loop until the job ends.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import anyio
import attrs
import click

from talkkit.bulk import CallEnds
from talkkit.cli._common import CliUsageError

__all__ = ["SECRET_ENV", "Listener", "parse_listen"]

SECRET_ENV = "TALKOVER_WEBHOOK_SECRET"
"""Where ``--webhook-secret`` is read from when not given (as ``talkkit webhooks listen``)."""
FINAL_EVENTS = (
    "event_phone_call_ended",
    "event_phone_call_did_not_connect",
    "event_phone_call_error",
)
"""The agent webhook events that end a call (INFERRED: as the emulator sends them)."""
_DEFAULT_HOST = "127.0.0.1"


def parse_listen(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """The ``--listen`` option's callback: ``"8790"`` or ``"0.0.0.0:8790"`` → (host, port)."""
    if value is None:
        return None
    host, _, port = value.rpartition(":")
    host = host.strip("[]") or _DEFAULT_HOST  # [::1]:8790 names an IPv6 address
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise click.BadParameter(f"{value!r} is not [HOST:]PORT, e.g. 8790 or 0.0.0.0:8790")
    return host, int(port)


@attrs.define
class Listener:
    """The receiver of one dial job: its bound socket, the feed it fills, its URL."""

    sock: socket.socket
    feed: CallEnds
    secret: str

    @classmethod
    def bind(cls, address: tuple[str, int], secret: str | None) -> Listener:
        """
        Bind ``address`` now (before anything is sent).

        Raises:
            CliUsageError: No secret, or the address cannot be bound.
        """
        if not (secret or "").strip():
            raise CliUsageError(
                f"--listen needs the agent webhook's secret: --webhook-secret or {SECRET_ENV}"
            )
        assert secret is not None
        host, port = address
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            sock = socket.create_server((host, port), family=family)
        except OSError as exc:
            raise CliUsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        return cls(sock, CallEnds(), secret)

    @property
    def url(self) -> str:
        """The URL the socket is bound to (the real port when 0 was asked)."""
        host, port = self.sock.getsockname()[:2]
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/"

    def announce(self) -> str:
        """The line that says what to register, for stderr."""
        return (
            f"Receiving Talkover webhooks on {self.url} — register it (or a public URL that "
            f"reaches it) as the agent's webhook, with events {', '.join(FINAL_EVENTS)} and "
            "the same webhook_secret."
        )

    def serving(self) -> Callable[[], contextlib.AbstractAsyncContextManager[None]]:
        """What the job runs inside: the receiver served until the job ends."""
        return lambda: _serve(self)

    def close(self) -> None:
        """Close the socket (when the job never ran)."""
        self.sock.close()


@contextlib.contextmanager
def _quiet_signals() -> Iterator[None]:
    """The job handles Ctrl-C itself (`watch_signals`): uvicorn takes no signal over."""
    yield


@contextlib.asynccontextmanager
async def _serve(listener: Listener) -> AsyncIterator[None]:
    try:
        import uvicorn

        from talkkit.webhooks import app, feed_handler
    except ImportError as exc:
        raise CliUsageError(
            f"{exc}; --listen needs uvicorn: pip install 'talkkit[emulator,webhooks]'"
        ) from None

    from talkkit.cli._webhooks import _log_refusals

    receiver = app(feed_handler(listener.feed), talkover_secret=listener.secret, workers=1)
    config = uvicorn.Config(
        receiver,
        lifespan="off",  # the receiver's worker runs in `receiver.running()` below
        log_config=None,  # leave the process's logging alone
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    server.capture_signals = _quiet_signals  # type: ignore[method-assign]
    _log_refusals()  # a wrong secret shows at once, not as a slow job
    with listener.sock:
        async with receiver.running(), anyio.create_task_group() as tg:
            tg.start_soon(server.serve, [listener.sock])
            try:
                yield
            finally:
                server.should_exit = True
