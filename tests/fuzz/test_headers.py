"""
Retry-After and X-RateLimit-* parsing, alone and through the whole pipeline (retry, rate limit):
whatever a server puts in those headers, a call ends with a response or a TalkkitError.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal
from hypothesis import given
from hypothesis import strategies as st

from talkkit import RateLimitError, RetryPolicy
from talkkit._headers import parse_rate_limit, parse_retry_after, request_id_from
from talkkit.errors import TalkkitError

from .strategies import PLATFORMS, Platform, fuzz, make_client

NAMES = [
    "retry-after",
    "retry-after-ms",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-request-id",
]
numbers = st.one_of(
    st.floats().map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        [
            "nan",
            "NaN",
            "inf",
            "-inf",
            "Infinity",
            "1e999",
            "-1e999",
            "1e-999",
            "0",
            "-0",
            "0x10",
            "1_000",
            " 5 ",
            "5,6",
            "",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "Mon, 01 Jan 0001 00:00:00 GMT",
            "Sun, 06 Nov 1994 08:49:37 +2400",
        ]
    ),
    st.text(max_size=12),
)
header_maps = st.dictionaries(st.sampled_from(NAMES), numbers, max_size=4)


@pytest.mark.parametrize("value", ["inf", "-inf", "1e999", "-1e999", "Infinity"])
def test_infinite_rate_limit_numbers_read_as_absent(value: str) -> None:
    """Regression: an infinite X-RateLimit number reads as absent instead of raising OverflowError."""
    headers = {
        "x-ratelimit-limit": value,
        "x-ratelimit-remaining": value,
        "x-ratelimit-reset": value,
    }
    assert parse_rate_limit(headers) == (None, None, None)


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "1e999"])
def test_retry_after_ms_that_is_not_finite_reads_as_absent(value: str) -> None:
    """Regression: retry-after-ms of NaN or infinity is ignored, as the same Retry-After is."""
    assert parse_retry_after({"retry-after-ms": value}) is None
    assert parse_retry_after({"retry-after-ms": value, "retry-after": "2"}) == 2.0


@pytest.mark.parametrize("value", ["-1", "-0.5", "-1e300", "1e300", str(2**53 + 2), "nan"])
def test_negative_or_absurd_rate_limit_counts_read_as_absent(value: str) -> None:
    """Regression: a Limit or Remaining below zero or beyond any real count reads as absent."""
    headers = {"x-ratelimit-limit": value, "x-ratelimit-remaining": value}
    assert parse_rate_limit(headers) == (None, None, None)
    sane = {"x-ratelimit-limit": "30, 30;w=60", "x-ratelimit-remaining": "0"}
    assert parse_rate_limit(sane) == (30, 0, None)


@pytest.mark.parametrize("name", ["retry-after", "retry-after-ms", "x-ratelimit-reset"])
def test_waits_below_zero_are_now_and_huge_finite_waits_are_kept(name: str) -> None:
    """A negative wait means "go now"; 1e300 stays a finite wait, for the retry layer to raise."""
    scale = 1000.0 if name == "retry-after-ms" else 1.0

    def wait(value: str) -> float | None:
        if name == "x-ratelimit-reset":
            return parse_rate_limit({name: value})[2]
        return parse_retry_after({name: value})

    assert wait("-3") == 0.0
    assert wait("1e300") == pytest.approx(1e300 / scale)


@pytest.mark.parametrize(
    ("status", "headers"),
    [
        (429, {"retry-after": "1e300"}),
        (200, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1e300"}),
    ],
)
def test_a_wait_of_1e300_seconds_is_raised_with_retry_after(
    portal: BlockingPortal, status: int, headers: dict[str, str]
) -> None:
    """A server asking for 1e300 s gets a RateLimitError with retry_after, not a sleep or crash."""
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(status, headers=headers, json={"id": "x"})

    client = make_client(
        "talkory", httpx.MockTransport(answer), max_retries=2, rate_limit="1000000/s"
    )
    if status == 429:
        with pytest.raises(RateLimitError) as first:
            portal.call(client.request_json, "GET", "/anything")
        assert first.value.retry_after == 1e300
    else:
        portal.call(client.request_json, "GET", "/anything")
    assert len(sent) == 1  # above the inline cap: not retried
    with pytest.raises(RateLimitError) as cooling:
        portal.call(client.request_json, "GET", "/anything")
    assert cooling.value.code == "client_cooldown"
    pause = cooling.value.retry_after
    assert pause is not None
    assert math.isfinite(pause)
    assert pause > 1e299
    assert len(sent) == 1  # the cooldown is honoured without sending


@fuzz()
@given(headers=header_maps)
def test_header_parsers_never_raise_and_stay_finite(headers: dict[str, str]) -> None:
    """Any header values give None or finite, non-negative numbers."""
    wait = parse_retry_after(headers, now=1_800_000_000.0)
    assert wait is None or (math.isfinite(wait) and wait >= 0)
    limit, remaining, reset = parse_rate_limit(headers)
    assert limit is None or isinstance(limit, int)
    assert remaining is None or isinstance(remaining, int)
    assert reset is None or (math.isfinite(reset) and reset >= 0)
    request_id_from(headers)


@fuzz()
@given(
    platform=st.sampled_from(PLATFORMS),
    statuses=st.lists(st.sampled_from([200, 429, 500, 503]), min_size=1, max_size=3),
    headers=header_maps,
    paced=st.booleans(),
)
def test_any_rate_headers_through_the_pipeline_end_typed(
    portal: BlockingPortal,
    platform: Platform,
    statuses: list[int],
    headers: dict[str, str],
    paced: bool,
) -> None:
    """A call whose answers carry any rate headers returns or raises a TalkkitError, promptly."""
    answers = iter(statuses)

    def answer(request: httpx.Request) -> httpx.Response:
        status = next(answers, 200)
        encoded = [(k.encode(), v.encode("utf-8", "replace")) for k, v in headers.items()]
        return httpx.Response(status, headers=encoded, json={"id": "x"})

    options: dict[str, Any] = {
        "retry": RetryPolicy(
            max_retries=2, backoff_base=0.0, backoff_max=0.0, retry_after_cap=0.01
        ),
        "rate_limit": "1000000/s" if paced else None,
    }
    client = make_client(platform, httpx.MockTransport(answer), **options)
    with contextlib.suppress(TalkkitError):
        portal.call(client.request_json, "GET", "/anything")
