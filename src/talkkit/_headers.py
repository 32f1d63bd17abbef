"""Pure parsers for response headers: Retry-After, X-RateLimit-*, request ids."""

from __future__ import annotations

import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

__all__ = ["parse_rate_limit", "parse_retry_after", "request_id_from"]

_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid")


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """
    Seconds to wait according to ``retry-after-ms``, or ``Retry-After`` as seconds or HTTP-date.

    Returns ``None`` when no usable header is present; never a negative number.
    """
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return max(float(ms) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # RFC 9110 dates are GMT
            return None
        return max(when.timestamp() - (time.time() if now is None else now), 0.0)
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN / inf
        return None
    return max(seconds, 0.0)


def parse_rate_limit(
    headers: Mapping[str, str],
) -> tuple[int | None, int | None, float | None]:
    """
    Read ``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset`` (seconds from now).

    A ``Reset`` that looks like a Unix timestamp is turned into seconds from now.
    Unparseable values come back as ``None``.
    """
    return (
        _int(headers.get("x-ratelimit-limit")),
        _int(headers.get("x-ratelimit-remaining")),
        _reset(headers.get("x-ratelimit-reset")),
    )


def request_id_from(headers: Mapping[str, str]) -> str | None:
    """The server's request id header, if it sent one."""
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value.split(",")[0].strip()))
    except ValueError:
        return None


def _reset(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if seconds > 1_000_000_000:  # an epoch timestamp, not a delta
        seconds -= time.time()
    return max(seconds, 0.0)
