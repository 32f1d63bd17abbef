"""Client configuration: frozen value objects, the UNSET sentinel, env-var loading."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable
from enum import Enum
from typing import Final, Literal

import attrs
import httpx

from talkkit._constants import (
    DEFAULT_BACKOFF_BASE,
    DEFAULT_BACKOFF_MAX,
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RETRIES,
    DEFAULT_RETRY_AFTER_CAP,
)
from talkkit.errors import ConfigurationError

__all__ = [
    "UNSET",
    "RateLimit",
    "RetryEvent",
    "RetryPolicy",
    "Secret",
    "Unset",
    "check_base_url",
    "resolve_token",
]


class Unset(Enum):
    """Type of `UNSET`: "not given, use the default" (distinct from ``None``)."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


@attrs.frozen
class RetryEvent:
    """
    What the ``on_retry`` hook receives before each backoff sleep.

    Attributes:
        attempt: The attempt that just failed (1 for the first try).
        cause: The exception that attempt raised.
        status: Its HTTP status, or ``None`` for a transport failure.
        delay: Seconds talkkit will sleep before the next attempt.
        method: HTTP method of the call.
        url: URL of the call.
    """

    attempt: int
    cause: BaseException
    status: int | None
    delay: float
    method: str
    url: str


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """
    How talkkit retries a call. Which failures are retried depends on the request's safety.

    Args:
        max_retries: Attempts after the first (0 disables retrying).
        backoff_base: Attempt ``n`` (from 1) waits a random time in ``[0, base * 2**(n-1)]``
            (full jitter), capped at ``backoff_max``.
        backoff_max: Upper bound of one computed backoff.
        retry_after_cap: A server-requested wait (``Retry-After``) above this is not slept:
            the error is raised with ``retry_after`` so the caller can reschedule.
        deadline: Total seconds for one logical call: no retry starts and no backoff sleeps
            past it (``None``: no deadline). An attempt in flight is not cut by it: it is bounded
            by the sum of its timeouts, so a call lasts at most the deadline plus one attempt.
        on_retry: Called with a `RetryEvent` before each backoff sleep.
    """

    max_retries: int = attrs.field(default=DEFAULT_MAX_RETRIES, validator=attrs.validators.ge(0))
    backoff_base: float = attrs.field(
        default=DEFAULT_BACKOFF_BASE, validator=attrs.validators.ge(0)
    )
    backoff_max: float = attrs.field(default=DEFAULT_BACKOFF_MAX, validator=attrs.validators.ge(0))
    retry_after_cap: float = attrs.field(default=DEFAULT_RETRY_AFTER_CAP)
    deadline: float | None = DEFAULT_DEADLINE
    on_retry: Callable[[RetryEvent], object] | None = None


_PERIODS = {
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "m": 60.0,
    "min": 60.0,
    "minute": 60.0,
    "h": 3600.0,
    "hour": 3600.0,
    "hr": 3600.0,
}
_RATE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:/|per)\s*([a-z]+?)s?\s*$")


@attrs.frozen
class RateLimit:
    """
    A request rate for one API key: ``limit`` requests per ``period`` seconds.

    ``burst`` is how many requests may go back to back before pacing starts (1: evenly
    spaced). A configured `RateLimit` takes precedence over the server's ``X-RateLimit-Limit``;
    ``Remaining: 0`` and 429 cooldowns are honoured either way.
    """

    limit: float = attrs.field(validator=attrs.validators.gt(0))
    period: float = attrs.field(default=60.0, validator=attrs.validators.gt(0))
    burst: int = attrs.field(default=1, validator=attrs.validators.ge(1))

    @property
    def interval(self) -> float:
        """Seconds between two requests at this rate."""
        return self.period / self.limit

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """
        Parse ``"30/min"``, ``"5/s"``, ``"1000/hour"``, ``"100 per minute"``.

        Raises:
            ConfigurationError: The text is not of that form.
        """
        match = _RATE_RE.match(text.lower())
        period = _PERIODS.get(match.group(2)) if match else None
        if match is None or period is None or float(match.group(1)) <= 0:
            raise ConfigurationError(
                "rate_limit", "expected N/s, N/min or N/h, e.g. 30/min", value=text
            )
        return cls(float(match.group(1)), period)


class Secret:
    """A credential that never shows itself in ``repr``, ``str``, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        """The credential itself (only for building the Authorization header)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[type[Secret], tuple[str]]:
        return (Secret, (self._value,))


def resolve_token(
    token: str | Secret | None,
    *,
    env_var: str,
    prefixes: tuple[str, ...],
    platform: str,
) -> Secret:
    """
    Take the token from the argument or ``env_var``; check the documented prefix.

    Raises:
        ConfigurationError: No token, or one without the platform's documented prefix.
    """
    if isinstance(token, Secret):
        token = token.get()
    source = "the token argument"
    if token is None:
        token = os.environ.get(env_var)
        source = env_var
    if not token or not token.strip():
        raise ConfigurationError("token", f"no {platform} token: pass token=... or set {env_var}")
    token = token.strip()
    if prefixes and not token.startswith(prefixes):
        shown = " or ".join(repr(p) for p in prefixes)
        # Never echo the token: its length and where it came from are enough to find it.
        raise ConfigurationError(
            "token",
            f"{platform} tokens start with {shown}; the one from {source} "
            f"({len(token)} characters) does not. Is it another platform's token?",
        )
    return Secret(token)


def check_base_url(url: str, *, allow_insecure: bool, field: str = "base_url") -> httpx.URL:
    """
    Parse a base URL; refuse plain ``http://`` except to loopback hosts.

    Raises:
        ConfigurationError: Not an absolute http(s) URL, or cleartext to a remote host.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigurationError(field, f"not a URL: {exc}", value=url) from exc
    scheme: Literal["http", "https"] | str = parsed.scheme
    if scheme not in ("http", "https") or not parsed.host:
        raise ConfigurationError(field, "must be an absolute http:// or https:// URL", value=url)
    if scheme == "http" and not allow_insecure and not _is_loopback(parsed.host):
        raise ConfigurationError(
            field,
            "refusing cleartext http:// to a non-loopback host (the token would travel "
            "unencrypted); use https:// or pass allow_insecure=True",
            value=url,
        )
    path = parsed.raw_path.decode("ascii").split("?")[0].rstrip("/")
    return parsed.copy_with(raw_path=path.encode("ascii"), query=None, fragment=None)


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
