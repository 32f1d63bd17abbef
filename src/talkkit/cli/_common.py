"""
What the bulk, health and demo commands share: exit codes, safe output, traffic counters.

Output never carries a credential: every line the commands print goes through `safe`, which
also makes text with undecodable bytes (kept as surrogates) printable.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click
import httpx

from talkkit._client import BaseClient
from talkkit._config import RateLimit, RetryEvent, RetryPolicy
from talkkit._headers import rate_limit_remaining
from talkkit.errors import APIConnectionError, APIError, ConfigurationError
from talkkit.middleware import RateLimitMiddleware
from talkkit.typing import Handler

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "CliUsageError",
    "Traffic",
    "console",
    "effective_rate",
    "format_rate",
    "parse_journal",
    "parse_rate_limit",
    "row_message",
    "safe",
    "unwrap_group",
]

EXIT_OK = 0
"""Every item ended done or skipped (health: every configured platform answered)."""
EXIT_FAILED = 1
"""Some item failed or is unknown, the job stopped early, or a health check failed."""
EXIT_USAGE = 2
"""Bad arguments, file or configuration: nothing was sent."""
EXIT_INTERRUPTED = 130
"""Stopped by Ctrl-C (128 + SIGINT, as shells report it)."""

_SECRET_ENVS = ("TALKTURO_TOKEN", "TALKOVER_TOKEN", "TALKORY_API_KEY", "TALKOVER_WEBHOOK_SECRET")


def safe(text: object) -> str:
    """
    ``text`` fit to print: credentials from the environment masked, and bytes that were not
    UTF-8 (kept as surrogates) shown as ``\\udcXX`` escapes instead of crashing the output.
    """
    out = str(text)
    for name in _SECRET_ENVS:
        secret = (os.environ.get(name) or "").strip()
        if len(secret) >= 6 and secret in out:
            out = out.replace(secret, "********")
    return out.encode("utf-8", "backslashreplace").decode("utf-8")


def row_message(row: int, message: str | None) -> str:
    """A row's message fit to print next to its row number (without a repeated ``row N:``)."""
    return safe(message or "").removeprefix(f"row {row}: ")


class CliUsageError(click.ClickException):
    """A usage problem found before anything was sent: one line on stderr, exit status 2."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str) -> None:
        super().__init__(safe(message))


def parse_rate_limit(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """The ``--rate-limit`` option's callback: ``"5/s"`` → ``RateLimit(5, 1.0)``."""
    if value is None:
        return None
    try:
        return RateLimit.parse(value)
    except ConfigurationError:
        raise click.BadParameter(
            f"{value!r} is not a rate: use N/s, N/min or N/h, e.g. 600/min", ctx, param
        ) from None


def parse_journal(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """
    The ``--journal`` option's callback: a Redis URL stays a string (a shared job), anything
    else is the SQLite file's `Path`.
    """
    if value is None:
        return None
    if "://" in value:
        from talkkit.bulk import RedisJournal

        try:
            RedisJournal(value)  # the URL and the redis extra, checked now
        except (ConfigurationError, ImportError) as exc:
            raise click.BadParameter(str(exc), ctx, param) from None
        return value
    path = Path(value)
    if path.is_dir():
        raise click.BadParameter(f"{value} is a directory: name a file", ctx, param)
    return path


def format_rate(rate: RateLimit | None) -> str:
    """``"1,200/min"`` for a rate, ``"unpaced"`` for none."""
    if rate is None:
        return "unpaced"
    for period, unit in ((1.0, "s"), (60.0, "min"), (3600.0, "h")):
        if rate.period == period:
            return f"{rate.limit:,.4g}/{unit}"
    return f"{rate.limit:,.4g}/{rate.period:g}s"


def effective_rate(client: BaseClient) -> RateLimit | None:
    """The rate the client's limiter paces at now (configured, learned or documented)."""
    for layer in client.middleware:
        if isinstance(layer, RateLimitMiddleware):
            return layer.rate
    return None


@attrs.define
class Traffic:
    """
    Counts what the request pipeline did, for the summaries: a middleware (one call per
    attempt, inside the retry loop) plus the retry policy's ``on_retry`` hook.

    Attributes:
        attempts: Requests sent (every attempt of every call).
        throttled: 429 answers from the server.
        server_errors: 5xx answers.
        dropped: Attempts that got no answer (connection dropped or timed out).
        retries: Attempts repeated by the retry policy.
        retry_wait: Seconds the retries slept in total (backoff and Retry-After).
        exhausted: ``X-RateLimit-Remaining: 0`` answers (each pauses the key briefly).
    """

    attempts: int = 0
    throttled: int = 0
    server_errors: int = 0
    dropped: int = 0
    retries: int = 0
    retry_wait: float = 0.0
    exhausted: int = 0

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        self.attempts += 1
        try:
            response = await call_next(request)
        except APIError as exc:
            if exc.code == "client_cooldown":
                self.attempts -= 1  # refused by our own limiter: nothing was sent
            elif exc.status == 429:
                self.throttled += 1
            elif exc.status >= 500:
                self.server_errors += 1
            raise
        except APIConnectionError:
            self.dropped += 1
            raise
        if rate_limit_remaining(response.headers) == 0:
            self.exhausted += 1
        return response

    def reset(self) -> None:
        """Start counting from zero again."""
        for field in attrs.fields(Traffic):
            setattr(self, field.name, field.default)

    def on_retry(self, event: RetryEvent) -> None:
        """The `RetryPolicy.on_retry` hook."""
        self.retries += 1
        self.retry_wait += event.delay

    def client_options(
        self, rate_limit: RateLimit | None = None, redis_url: str | None = None
    ) -> dict[str, Any]:
        """Options for a client that reports to this counter (``rate_limit`` if given)."""
        options: dict[str, Any] = {
            "middleware": [self],
            "retry": RetryPolicy(on_retry=self.on_retry),
        }
        if redis_url:
            from talkkit.redis import RedisRateLimit

            options["rate_limit"] = RedisRateLimit(redis_url, rate=rate_limit)
        elif rate_limit is not None:
            options["rate_limit"] = rate_limit
        return options

    def describe(self) -> str:
        """One line: what the retries and the server's limits did."""
        parts = [f"{self.attempts:,} sent", f"{self.retries:,} retries"]
        if self.retries:
            parts[-1] += f" ({self.retry_wait:.1f}s waiting)"
        parts.append(f"{self.throttled:,} × 429")
        parts.append(f"{self.server_errors:,} × 5xx")
        parts.append(f"{self.dropped:,} dropped")
        return ", ".join(parts)


def console(*, stderr: bool = False) -> Console:
    """A rich console on stdout (or stderr), created when the command runs (so tests capture it)."""
    from rich.console import Console

    out = Console(file=sys.stderr if stderr else sys.stdout, highlight=False)
    if not out.is_terminal and "COLUMNS" not in os.environ:
        out.width = 120  # logs and pipes: wide enough for the tables, not the 80-column default
    return out


def unwrap_group(exc: BaseException) -> BaseException:
    """The first real error inside (nested) exception groups raised by task groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc
