"""
Pure parsers for response headers: Retry-After, X-RateLimit-*, request ids.

A value that is not a finite, sane number (``nan``, ``inf``, ``1e999``, a negative count) reads
as if the header were absent: never an exception, never an infinite or NaN wait. A negative wait
means "now" (``0.0``); a huge finite one is kept, so that the retry layer raises it as
``retry_after`` (it is above the inline cap) instead of sleeping it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

__all__ = ["parse_rate_limit", "parse_retry_after", "request_id_from"]

_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid")
_RAW_REQUEST_ID_HEADERS = tuple(name.encode() for name in _REQUEST_ID_HEADERS)


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """
    Seconds to wait according to ``retry-after-ms``, or ``Retry-After`` as seconds or HTTP-date.

    Returns ``None`` when no usable header is present; never a negative number.
    """
    ms = _finite(headers.get("retry-after-ms"))
    if ms is not None:
        return max(ms / 1000.0, 0.0)
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    seconds = _finite(value)
    if seconds is not None:
        return max(seconds, 0.0)
    try:
        when = parsedate_to_datetime(value)  # "nan" and "inf" are no dates either
        if when.tzinfo is None:  # RFC 9110 dates are GMT
            return None
        return max(when.timestamp() - (time.time() if now is None else now), 0.0)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def parse_rate_limit(
    headers: Mapping[str, str],
) -> tuple[int | None, int | None, float | None]:
    """
    Read ``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset`` (seconds from now).

    A ``Reset`` that looks like a Unix timestamp is turned into seconds from now (``0.0`` once
    past). Unparseable values come back as ``None``, and so do NaN and infinities, and counts
    below 0 or above 2**53.
    """
    return (
        _int(headers.get("x-ratelimit-limit")),
        _int(headers.get("x-ratelimit-remaining")),
        _reset(headers.get("x-ratelimit-reset")),
    )


def request_id_from(headers: Mapping[str, str]) -> str | None:
    """The server's request id header, if it sent one."""
    raw = getattr(headers, "raw", None)
    if raw is not None:  # httpx.Headers: one pass over the raw pairs (each .get() is a scan)
        found = {k.lower(): v for k, v in raw if k.lower() in _RAW_REQUEST_ID_HEADERS and v}
        for raw_name in _RAW_REQUEST_ID_HEADERS:
            if raw_name in found:
                return str(found[raw_name].decode("latin-1"))
        return None
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


_MAX_COUNT = 2**53
"""The largest count a header may carry: beyond it a float no longer holds whole numbers."""


def _finite(value: str | None) -> float | None:
    """``value`` as a finite float; ``None`` when it is no number, NaN or infinite."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    number = _finite(value.split(",")[0])  # "30, 30;w=60": the first figure
    if number is None or not 0 <= number <= _MAX_COUNT:
        return None
    return int(number)


def _reset(value: str | None) -> float | None:
    seconds = _finite(value)
    if seconds is None:
        return None
    if seconds > 1_000_000_000:  # an epoch timestamp, not a delta
        seconds -= time.time()
    return max(seconds, 0.0)
