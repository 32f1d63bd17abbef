"""The rate-limit layer: shared 429 cooldown, header learning, pacing."""

from __future__ import annotations

import time
from collections.abc import Callable

import anyio
import anyio.lowlevel
import httpx
import pytest
import respx

from talkkit import AsyncTalkory, MemoryLimiterStore, RateLimit, RateLimitError, RetryPolicy

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., AsyncTalkory]


async def test_one_429_pauses_every_task(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """50 concurrent tasks, one 429 with Retry-After 1: nobody sends again within that second."""
    sent: list[float] = []
    throttled_at: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        now = time.monotonic()
        sent.append(now)
        if not throttled_at and len(sent) == 10:
            throttled_at.append(now)
            return httpx.Response(429, headers={"Retry-After": "1"})
        return httpx.Response(200, json={"balance": 1})

    router.get("/v1/wallet").mock(side_effect=answer)
    client = make_talkory(rate_limit=RateLimit(1_000_000, 1.0, burst=1000))

    async def worker() -> None:
        for _ in range(3):
            await client.wallet.get()
            await anyio.lowlevel.checkpoint()

    async with anyio.create_task_group() as tg:
        for _ in range(50):
            tg.start_soon(worker)

    assert len(throttled_at) == 1
    t429 = throttled_at[0]
    after = [t for t in sent if t > t429]
    assert after, "tasks must resume after the cooldown"
    assert min(after) - t429 >= 0.99
    assert len(sent) == 151  # 150 successes plus the one throttled attempt, retried


async def test_server_limit_replaces_the_default(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """X-RateLimit-Limit: 1000000 means no pacing at Talkory's documented 30/min."""
    router.get("/v1/wallet").mock(
        return_value=httpx.Response(
            200,
            json={"balance": 1},
            headers={"X-RateLimit-Limit": "1000000", "X-RateLimit-Remaining": "999999"},
        )
    )
    client = make_talkory(rate_limit=UNSET_RATE)
    started = time.monotonic()
    for _ in range(60):  # twice the documented per-minute budget
        await client.wallet.get()
    assert time.monotonic() - started < 2.0
    assert client._rate_limiter.rate is not None
    assert client._rate_limiter.rate.limit == 1_000_000


async def test_documented_default_paces_without_headers(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """Without headers Talkory's documented 30/min applies: a burst of 30, then pacing."""
    clock = [0.0]
    store = MemoryLimiterStore(clock=lambda: clock[0])
    router.get("/v1/wallet").mock(return_value=httpx.Response(200, json={"balance": 1}))
    client = make_talkory(rate_limit=UNSET_RATE, limiter_store=store)
    for _ in range(30):
        await client.wallet.get()
    key = client._rate_limiter.key
    assert store.reserve_now(key, 2.0, 30) == pytest.approx(2.0)


async def test_remaining_is_the_truth_for_a_learned_limit(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """Limit 20 with a window we cannot see: while Remaining stays high, nothing is paced."""
    router.get("/v1/wallet").mock(
        return_value=httpx.Response(
            200,
            json={"balance": 1},
            headers={"X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "19"},
        )
    )
    client = make_talkory(rate_limit=UNSET_RATE)
    started = time.monotonic()
    for _ in range(60):  # three times the limit: paced at 20/min this would take two minutes
        await client.wallet.get()
    assert time.monotonic() - started < 2.0


async def test_remaining_never_raises_a_configured_rate(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """A configured 10/s keeps spacing requests even when the server says plenty remain."""
    router.get("/v1/wallet").mock(
        return_value=httpx.Response(
            200, json={"balance": 1}, headers={"X-RateLimit-Remaining": "999"}
        )
    )
    client = make_talkory(rate_limit=RateLimit(10, 1.0))
    started = time.monotonic()
    for _ in range(4):
        await client.wallet.get()
    assert time.monotonic() - started >= 0.29


async def test_configured_rate_wins_over_headers(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """A user-configured rate is kept even when the server advertises another."""
    router.get("/v1/wallet").mock(
        return_value=httpx.Response(200, json={"balance": 1}, headers={"X-RateLimit-Limit": "5"})
    )
    client = make_talkory(rate_limit="600/min")
    await client.wallet.get()
    assert client._rate_limiter.rate == RateLimit(600, 60.0)


async def test_configured_rate_spaces_requests(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """At 20/s with burst 1, 6 requests take at least 5 intervals (0.25 s)."""
    router.get("/v1/wallet").mock(return_value=httpx.Response(200, json={"balance": 1}))
    client = make_talkory(rate_limit=RateLimit(20, 1.0))
    started = time.monotonic()
    async with anyio.create_task_group() as tg:
        for _ in range(6):
            tg.start_soon(client.wallet.get)
    assert time.monotonic() - started >= 0.24


async def test_remaining_zero_pauses_until_reset(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """Remaining: 0 with Reset: 0.3 holds the next request back ~0.3 s."""
    router.get("/v1/wallet").mock(
        side_effect=[
            httpx.Response(
                200,
                json={"balance": 1},
                headers={
                    "X-RateLimit-Limit": "1000",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": "0.3",
                },
            ),
            httpx.Response(200, json={"balance": 1}),
        ]
    )
    client = make_talkory(rate_limit=UNSET_RATE)
    await client.wallet.get()
    started = time.monotonic()
    await client.wallet.get()
    assert time.monotonic() - started >= 0.25


async def test_shared_store_spans_clients(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """Two clients with one key and one store share a cooldown."""
    router.get("/v1/wallet").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "0.4"}),
            httpx.Response(200, json={"balance": 1}),
        ]
    )
    store = MemoryLimiterStore()
    first = make_talkory(
        rate_limit=UNSET_RATE, limiter_store=store, retry=RetryPolicy(max_retries=0)
    )
    second = make_talkory(rate_limit=UNSET_RATE, limiter_store=store)
    with pytest.raises(Exception, match="429"):
        await first.wallet.get()
    started = time.monotonic()
    await second.wallet.get()
    assert time.monotonic() - started >= 0.35


async def test_long_cooldown_raises_instead_of_hanging(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """After Remaining: 0 with Reset: 600, the next call raises at once with retry_after."""
    route = router.get("/v1/wallet").mock(
        return_value=httpx.Response(
            200,
            json={"balance": 1},
            headers={
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": "600",
            },
        )
    )
    client = make_talkory(rate_limit=UNSET_RATE)
    await client.wallet.get()
    with pytest.raises(RateLimitError) as info:
        await client.wallet.get()
    assert info.value.code == "client_cooldown"
    assert info.value.retry_after is not None
    assert info.value.retry_after > 590
    assert route.call_count == 1  # nothing was sent


async def test_rate_limit_none_disables_the_layer(make_talkory: MakeClient) -> None:
    """rate_limit=None removes pacing and cooldowns from the pipeline."""
    client = make_talkory(rate_limit=None)
    assert client._rate_limiter not in client.middleware


from talkkit._config import UNSET as UNSET_RATE  # noqa: E402  (default: documented + learned)
