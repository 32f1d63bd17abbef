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

from talkkit._transport import header_list

__all__ = ["parse_rate_limit", "parse_retry_after", "rate_limit_remaining", "request_id_from"]

_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid")
_RAW_REQUEST_ID_HEADERS = tuple(name.encode() for name in _REQUEST_ID_HEADERS)
_LIMIT, _REMAINING, _RESET = b"x-ratelimit-limit", b"x-ratelimit-remaining", b"x-ratelimit-reset"
_WANTED = frozenset({*_RAW_REQUEST_ID_HEADERS, _LIMIT, _REMAINING, _RESET})
_SHORT = 16  # digits of a count that is surely below `_MAX_COUNT`


def _raw_values(headers: Mapping[str, str]) -> dict[bytes, bytes] | None:
    """
    The raw values of the headers read here (lowercase names), in one pass over an
    `httpx.Headers`' pairs: each ``.get()`` would be a scan decoding every value it meets.

    ``None`` (read them with ``.get()``) for any other mapping, and when one of them repeats
    (``.get()`` joins the values) or is not ASCII (it decodes with the headers' encoding).
    """
    lines = header_list(headers)
    if lines is None:
        return None
    found: dict[bytes, bytes] = {}
    for _, name, value in lines:
        if name in _WANTED:
            if name in found or not value.isascii():
                return None
            found[name] = value
    return found


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
    found = _raw_values(headers)
    if found is None:
        return (
            _int(headers.get("x-ratelimit-limit")),
            _int(headers.get("x-ratelimit-remaining")),
            _reset(headers.get("x-ratelimit-reset")),
        )
    reset = found.get(_RESET)
    return (
        _count(found.get(_LIMIT)),
        _count(found.get(_REMAINING)),
        None if reset is None else _reset(reset.decode("ascii")),
    )


def rate_limit_remaining(headers: Mapping[str, str]) -> int | None:
    """``X-RateLimit-Remaining`` as `parse_rate_limit` reads it, without the other two."""
    found = _raw_values(headers)
    if found is None:
        return _int(headers.get("x-ratelimit-remaining"))
    return _count(found.get(_REMAINING))


def request_id_from(headers: Mapping[str, str]) -> str | None:
    """The server's request id header, if it sent one."""
    found = _raw_values(headers)
    if found is None:
        for name in _REQUEST_ID_HEADERS:
            value = headers.get(name)
            if value:
                return value
        return None
    for raw_name in _RAW_REQUEST_ID_HEADERS:
        raw = found.get(raw_name)
        if raw:
            return raw.decode("ascii")
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


def _count(raw: bytes | None) -> int | None:
    """`_int` of an ASCII value; a short run of digits is read without the float."""
    if raw is None:
        return None
    if raw.isdigit() and len(raw) < _SHORT:
        return int(raw)
    return _int(raw.decode("ascii"))


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
