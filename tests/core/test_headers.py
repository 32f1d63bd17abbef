"""Header parsers: Retry-After in its three forms, X-RateLimit-*, request ids."""

from __future__ import annotations

import time
from email.utils import formatdate

import httpx
import pytest

from talkkit._headers import parse_rate_limit, parse_retry_after, request_id_from


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": " 1.5 "}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "-3"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "nan"}, None),
        ({}, None),
    ],
)
def test_retry_after_seconds_and_ms(headers: dict[str, str], expected: float | None) -> None:
    """Seconds and milliseconds forms parse; garbage gives None; never negative."""
    assert parse_retry_after(httpx.Headers(headers)) == expected


def test_retry_after_http_date() -> None:
    """An HTTP-date Retry-After becomes the seconds until that date."""
    now = time.time()
    headers = httpx.Headers({"retry-after": formatdate(now + 30, usegmt=True)})
    value = parse_retry_after(headers, now=now)
    assert value is not None
    assert 28.0 <= value <= 30.0


def test_retry_after_http_date_counts_from_the_given_now() -> None:
    """With ``now`` given, an HTTP-date is measured from it, not from the clock."""
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    then = 1445412480.0  # that date as a Unix timestamp
    assert parse_retry_after(httpx.Headers({"retry-after": date}), now=then - 42) == 42.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"retry-after": "7"}, 7.0), ({"retry-after-ms": "250"}, 0.25), ({}, None)],
)
def test_retry_after_reads_a_plain_mapping_of_lowercase_names(
    headers: dict[str, str], expected: float | None
) -> None:
    """Any mapping with lower-case names works, not only httpx's case-insensitive headers."""
    assert parse_retry_after(headers) == expected


def test_retry_after_date_in_the_past_is_zero() -> None:
    """A date already past means: go now."""
    headers = httpx.Headers({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert parse_retry_after(headers) == 0.0


def test_rate_limit_headers() -> None:
    """Limit, remaining and a delta reset are read; junk is None."""
    headers = httpx.Headers(
        {"x-ratelimit-limit": "30", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "12"}
    )
    assert parse_rate_limit(headers) == (30, 0, 12.0)
    assert parse_rate_limit(httpx.Headers({"x-ratelimit-limit": "many"})) == (None, None, None)


def test_rate_limit_reset_epoch_becomes_delta() -> None:
    """A Unix-timestamp reset is turned into seconds from now."""
    headers = httpx.Headers({"x-ratelimit-reset": str(int(time.time()) + 20)})
    reset = parse_rate_limit(headers)[2]
    assert reset is not None
    assert 18.0 <= reset <= 21.0


def test_request_id_header() -> None:
    """The server's request id is found under its usual names."""
    assert request_id_from(httpx.Headers({"x-request-id": "abc"})) == "abc"
    assert request_id_from(httpx.Headers({"request-id": "def"})) == "def"
    assert request_id_from(httpx.Headers({})) is None
