"""The retry layer: what is retried, how long it waits, and the never-twice rule."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from email.utils import formatdate

import anyio
import httpx
import pytest
import respx

from talkkit import (
    APIConnectionError,
    AsyncTalkory,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitError,
    RetryEvent,
    RetryPolicy,
    ServerError,
    ServiceUnavailableError,
)
from talkkit.testing import capture_logs, no_backoff
from talkkit.typing import Handler

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., AsyncTalkory]
RATE_LIMITED = {"error": {"code": "rate_limited", "message": "slow down", "status": 429}}


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
async def test_safe_get_retried_on_transient_status(
    router: respx.MockRouter, make_talkory: MakeClient, status: int
) -> None:
    """A GET that fails with a transient status is retried and then succeeds."""
    route = router.get("/v1/wallet").mock(
        side_effect=[httpx.Response(status), httpx.Response(200, json={"balance": 1.0})]
    )
    wallet = await make_talkory().wallet.get()
    assert wallet.balance == 1.0
    assert route.call_count == 2


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("eof")],
)
async def test_safe_get_retried_on_transport_errors(
    router: respx.MockRouter, make_talkory: MakeClient, exc: Exception
) -> None:
    """A GET is retried after connect errors, timeouts and dropped connections."""
    route = router.get("/v1/wallet").mock(
        side_effect=[exc, httpx.Response(200, json={"balance": 2.0})]
    )
    assert (await make_talkory().wallet.get()).balance == 2.0
    assert route.call_count == 2


async def test_max_retries_bounds_attempts(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """max_retries=2 means three attempts, then the last error is raised."""
    route = router.get("/v1/wallet").mock(return_value=httpx.Response(500))
    with pytest.raises(ServerError):
        await make_talkory().wallet.get()
    assert route.call_count == 3


async def test_unsafe_post_dropped_after_sending_is_sent_once(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """A POST whose connection drops after sending goes out exactly once: OutcomeUnknownError."""
    route = router.post("/v1/query/sync").mock(side_effect=httpx.RemoteProtocolError("peer closed"))
    with pytest.raises(OutcomeUnknownError) as info:
        await make_talkory().queries.run("what is 2+2?")
    assert route.call_count == 1
    err = info.value
    sent = route.calls[0].request
    assert err.request_id == sent.headers["x-request-id"]
    assert err.idempotency_key == sent.headers["idempotency-key"]
    assert isinstance(err.cause, APIConnectionError)
    assert err.cause.request_sent


@pytest.mark.parametrize("status", [500, 502, 504, 408])
async def test_unsafe_post_server_error_is_outcome_unknown(
    router: respx.MockRouter, make_talkory: MakeClient, status: int
) -> None:
    """A POST answered 500/502/504/408 is not retried: it may have been processed."""
    route = router.post("/v1/query").mock(return_value=httpx.Response(status))
    with pytest.raises(OutcomeUnknownError) as info:
        await make_talkory().queries.create("hello")
    assert route.call_count == 1
    assert info.value.status == status


async def test_unsafe_post_read_timeout_is_outcome_unknown(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """A POST that timed out reading the answer is never sent twice."""
    route = router.post("/v1/query").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(OutcomeUnknownError):
        await make_talkory().queries.create("hello")
    assert route.call_count == 1


async def test_unsafe_post_retried_when_provably_not_processed(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """Connect error before sending, 429 and 503+Retry-After are safe to resend, same key."""
    route = router.post("/v1/query").mock(
        side_effect=[
            httpx.ConnectError("refused"),
            httpx.Response(429, json=RATE_LIMITED, headers={"Retry-After": "0"}),
            httpx.Response(503, headers={"Retry-After": "0"}),
            httpx.Response(202, json={"id": "q_1", "status": "running"}),
        ]
    )
    started = await make_talkory(retry=RetryPolicy(max_retries=3, backoff_base=0)).queries.create(
        "hi"
    )
    assert started.id == "q_1"
    assert route.call_count == 4
    keys = {call.request.headers["idempotency-key"] for call in route.calls}
    ids = {call.request.headers["x-request-id"] for call in route.calls}
    assert len(keys) == 1
    assert len(ids) == 1


async def test_unsafe_503_without_retry_after_is_outcome_unknown(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """A bare 503 proves nothing for a POST: no resend."""
    route = router.post("/v1/query").mock(return_value=httpx.Response(503))
    with pytest.raises(OutcomeUnknownError):
        await make_talkory().queries.create("hi")
    assert route.call_count == 1


async def test_unsafe_retries_exhausted_on_429_raise_rate_limit(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """When 429s outlast the retries, the 429 itself is raised (not outcome-unknown)."""
    router.post("/v1/query").mock(
        return_value=httpx.Response(429, json=RATE_LIMITED, headers={"Retry-After": "0"})
    )
    with pytest.raises(RateLimitError):
        await make_talkory().queries.create("hi")


async def test_conflict_is_never_retried(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """409 means already exists / busy: raised at once, even for idempotent calls."""
    body = {"error": {"code": "query_in_progress", "message": "busy", "status": 409}}
    route = router.post("/v1/queries/q_1/consensus").mock(
        return_value=httpx.Response(409, json=body)
    )
    with pytest.raises(ConflictError):
        await make_talkory().queries.consensus("q_1")
    assert route.call_count == 1


async def test_idempotent_post_retried_after_drop(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """Consensus is documented idempotent, so a dropped attempt is retried."""
    route = router.post("/v1/queries/q_1/consensus").mock(
        side_effect=[
            httpx.ReadError("reset"),
            httpx.Response(200, json={"id": "q_1", "cached": True}),
        ]
    )
    result = await make_talkory().queries.consensus("q_1")
    assert result.cached is True
    assert route.call_count == 2


async def test_retry_after_seconds_is_honoured(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """Retry-After in seconds is slept before the next attempt."""
    router.get("/v1/wallet").mock(
        side_effect=[
            httpx.Response(429, json=RATE_LIMITED, headers={"Retry-After": "0.3"}),
            httpx.Response(200, json={"balance": 1}),
        ]
    )
    client = make_talkory(rate_limit=None)
    started = time.monotonic()
    await client.wallet.get()
    assert time.monotonic() - started >= 0.29


async def test_retry_after_ms_is_honoured(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """retry-after-ms wins over Retry-After and is slept."""
    router.get("/v1/wallet").mock(
        side_effect=[
            httpx.Response(503, headers={"retry-after-ms": "300", "Retry-After": "30"}),
            httpx.Response(200, json={"balance": 1}),
        ]
    )
    events: list[RetryEvent] = []
    client = make_talkory(retry=RetryPolicy(on_retry=events.append))
    started = time.monotonic()
    await client.wallet.get()
    assert time.monotonic() - started >= 0.29
    assert [e.delay for e in events] == [0.3]


async def test_retry_after_http_date_is_honoured(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """An HTTP-date Retry-After is turned into a wait until that moment."""
    router.get("/v1/wallet").mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": formatdate(time.time() + 2, usegmt=True)}),
            httpx.Response(200, json={"balance": 1}),
        ]
    )
    events: list[RetryEvent] = []
    await make_talkory(retry=RetryPolicy(on_retry=events.append)).wallet.get()
    assert len(events) == 1
    assert 0.5 <= events[0].delay <= 2.0


async def test_long_retry_after_is_raised_not_slept(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """A Retry-After above the inline cap raises RateLimitError carrying retry_after."""
    route = router.get("/v1/wallet").mock(
        return_value=httpx.Response(429, json=RATE_LIMITED, headers={"Retry-After": "90"})
    )
    started = time.monotonic()
    with pytest.raises(RateLimitError) as info:
        await make_talkory(rate_limit=None).wallet.get()
    assert info.value.retry_after == 90.0
    assert route.call_count == 1
    assert time.monotonic() - started < 5


async def test_inline_cap_is_configurable(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """With retry_after_cap=0.1 even a 1 s Retry-After is handed back to the caller."""
    route = router.get("/v1/wallet").mock(
        return_value=httpx.Response(429, json=RATE_LIMITED, headers={"Retry-After": "1"})
    )
    with pytest.raises(RateLimitError):
        await make_talkory(retry=RetryPolicy(retry_after_cap=0.1), rate_limit=None).wallet.get()
    assert route.call_count == 1


async def test_deadline_stops_retrying(router: respx.MockRouter, make_talkory: MakeClient) -> None:
    """No retry sleeps past the deadline: a 5 s Retry-After under a 1 s deadline raises now."""
    route = router.get("/v1/wallet").mock(
        return_value=httpx.Response(503, headers={"Retry-After": "5"})
    )
    started = time.monotonic()
    with pytest.raises(ServiceUnavailableError):
        await make_talkory(retry=RetryPolicy(max_retries=5, deadline=1.0)).wallet.get()
    assert route.call_count == 1
    assert time.monotonic() - started < 1.0


async def test_deadline_counts_from_the_first_attempt(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """Backoffs of 0.2 s under a 0.5 s deadline allow a couple of retries, not ten."""
    route = router.get("/v1/wallet").mock(
        return_value=httpx.Response(503, headers={"Retry-After": "0.2"})
    )
    with pytest.raises(ServiceUnavailableError):
        await make_talkory(retry=RetryPolicy(max_retries=10, deadline=0.5)).wallet.get()
    assert 2 <= route.call_count <= 3


async def test_backoff_is_full_jitter_and_capped(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """Without Retry-After, attempt n waits within [0, base*2^(n-1)], capped at backoff_max."""
    router.get("/v1/wallet").mock(return_value=httpx.Response(502))
    events: list[RetryEvent] = []
    policy = RetryPolicy(max_retries=4, backoff_base=0.01, backoff_max=0.03, on_retry=events.append)
    with pytest.raises(ServerError):
        await make_talkory(retry=policy).wallet.get()
    bounds = [0.01, 0.02, 0.03, 0.03]
    assert [e.attempt for e in events] == [1, 2, 3, 4]
    assert all(0 <= e.delay <= bound for e, bound in zip(events, bounds, strict=True))
    assert all(e.status == 502 for e in events)


async def test_on_retry_hook_sees_transport_cause(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """The hook gets attempt, cause, status (None for transport errors) and delay."""
    router.get("/v1/wallet").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json={"balance": 0})]
    )
    events: list[RetryEvent] = []
    await make_talkory(retry=RetryPolicy(backoff_base=0, on_retry=events.append)).wallet.get()
    assert len(events) == 1
    assert events[0].attempt == 1
    assert events[0].status is None
    assert isinstance(events[0].cause, APIConnectionError)
    assert events[0].cause.request_sent is False


async def test_max_retries_zero_disables(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """max_retries=0: one attempt only."""
    route = router.get("/v1/wallet").mock(return_value=httpx.Response(503))
    with pytest.raises(ServiceUnavailableError):
        await make_talkory(max_retries=0).wallet.get()
    assert route.call_count == 1


async def test_cancellation_during_backoff_propagates(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """Cancelling a call while it sleeps before a retry cancels cleanly."""
    route = router.get("/v1/wallet").mock(
        return_value=httpx.Response(503, headers={"Retry-After": "10"})
    )
    with anyio.move_on_after(0.2) as scope:
        await make_talkory().wallet.get()
    assert scope.cancelled_caught
    assert route.call_count == 1


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_unsafe_post_server_error_with_retry_after_is_still_outcome_unknown(
    router: respx.MockRouter, make_talkory: MakeClient, status: int
) -> None:
    """Only a 503 with Retry-After proves a POST was not processed; other 5xx with it do not."""
    route = router.post("/v1/query").mock(
        return_value=httpx.Response(status, headers={"Retry-After": "0"})
    )
    with pytest.raises(OutcomeUnknownError) as info:
        await make_talkory().queries.create("hello")
    assert route.call_count == 1
    assert info.value.status == status


async def test_unsafe_503s_with_retry_after_outlasting_the_retries_raise_503(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """A POST refused with 503 + Retry-After every time was never processed: the 503 is raised."""
    route = router.post("/v1/query").mock(
        return_value=httpx.Response(503, headers={"Retry-After": "0"})
    )
    with pytest.raises(ServiceUnavailableError) as info:
        await make_talkory(retry=RetryPolicy(max_retries=2, backoff_base=0)).queries.create("hi")
    assert not isinstance(info.value, OutcomeUnknownError)
    assert (route.call_count, info.value.retry_after) == (3, 0.0)


async def test_unsafe_call_failing_inside_the_client_raises_that_error(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """An error raised before anything is sent (a middleware's own) is not made outcome-unknown."""

    calls = 0

    async def refuse(request: httpx.Request, call_next: Handler) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise InvalidRequestError("prompt", "refused by policy")

    route = router.post("/v1/query").mock(return_value=httpx.Response(202))
    with pytest.raises(InvalidRequestError, match="refused by policy"):
        await make_talkory(middleware=[refuse]).queries.create("hi")
    assert (calls, route.call_count) == (1, 0)  # not retried either


async def test_outcome_unknown_names_the_call(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """The outcome-unknown error carries the method and the URL without its query."""
    router.post("/v1/query").mock(return_value=httpx.Response(500))
    with pytest.raises(OutcomeUnknownError) as info:
        await make_talkory().queries.create("hello")
    assert (info.value.method, info.value.url) == ("POST", "https://api.talkory.ai/v1/query")
    assert info.value.request_id


async def test_each_retry_is_logged_and_reported_to_the_hook(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """A retry logs method, path, attempt, cause and delay, and the hook gets method and URL."""
    router.get("/v1/wallet").mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": "0"}),
            httpx.ConnectError("refused"),
            httpx.Response(200, json={"balance": 0}),
        ]
    )
    events: list[RetryEvent] = []
    client = make_talkory(retry=RetryPolicy(backoff_base=0, on_retry=events.append))
    with capture_logs(logging.INFO) as records:
        await client.wallet.get()
    attempts = [
        r.getMessage().split(" attempt=")[1].split()[0]
        for r in records
        if " attempt=" in r.getMessage()
    ]
    assert attempts == ["1", "2", "3"]
    lines = [r.getMessage() for r in records if r.getMessage().startswith("retrying")]
    assert lines == [
        "retrying GET /v1/wallet after attempt 1 (503): sleeping 0.000s",
        "retrying GET /v1/wallet after attempt 2 (APIConnectionError): sleeping 0.000s",
    ]
    assert [(e.attempt, e.status, e.method, e.url) for e in events] == [
        (1, 503, "GET", "https://api.talkory.ai/v1/wallet"),
        (2, None, "GET", "https://api.talkory.ai/v1/wallet"),
    ]


async def test_no_backoff_makes_every_wait_zero(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """Under talkkit.testing.no_backoff even a server's Retry-After is waited as zero."""
    router.get("/v1/wallet").mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": "5"}),
            httpx.Response(200, json={"balance": 0}),
        ]
    )
    events: list[RetryEvent] = []
    with no_backoff():
        await make_talkory(retry=RetryPolicy(on_retry=events.append)).wallet.get()
    assert [e.delay for e in events] == [0.0]


async def test_a_non_retryable_failure_after_a_retry_is_raised_at_once(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """A 503 is retried, but the 404 that follows is raised without another attempt."""
    route = router.get("/v1/wallet").mock(
        side_effect=[httpx.Response(503), httpx.Response(404), httpx.Response(200, json={})]
    )
    with pytest.raises(NotFoundError):
        await make_talkory().wallet.get()
    assert route.call_count == 2


async def test_an_unsafe_call_retried_then_unclear_is_outcome_unknown(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """A POST refused before sending, then answered 500, ends outcome-unknown naming the call."""
    route = router.post("/v1/query").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(500)]
    )
    with pytest.raises(OutcomeUnknownError) as info:
        await make_talkory().queries.create("hello")
    assert route.call_count == 2
    assert (info.value.method, info.value.url) == ("POST", "https://api.talkory.ai/v1/query")


async def test_one_retry_allowed_is_one_retry(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """max_retries=1 retries once."""
    route = router.get("/v1/wallet").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"balance": 0})]
    )
    await make_talkory(retry=RetryPolicy(max_retries=1, backoff_base=0)).wallet.get()
    assert route.call_count == 2


async def test_retry_after_equal_to_the_cap_is_slept(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """A Retry-After exactly at the inline cap is still waited inline, not raised."""
    route = router.get("/v1/wallet").mock(
        side_effect=[
            httpx.Response(503, headers={"retry-after-ms": "50"}),
            httpx.Response(200, json={"balance": 0}),
        ]
    )
    policy = RetryPolicy(retry_after_cap=0.05, backoff_base=0)
    await make_talkory(retry=policy).wallet.get()
    assert route.call_count == 2


async def test_no_deadline_still_retries(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """deadline=None means no time limit, not no retries."""
    route = router.get("/v1/wallet").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"balance": 0})]
    )
    await make_talkory(retry=RetryPolicy(deadline=None, backoff_base=0)).wallet.get()
    assert route.call_count == 2
