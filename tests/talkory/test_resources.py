"""Talkory through the real client against the in-process emulator."""

from __future__ import annotations

import time

import pytest

from talkkit import (
    AsyncTalkory,
    AuthenticationError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitError,
    StreamInterruptedError,
)
from talkkit.emulator import Emulator, FaultRule, RateLimitSpec
from talkkit.talkory import HealthStatus, QueryStatus
from talkkit.testing import talkory_client

from .helpers import consume

pytestmark = pytest.mark.anyio


@pytest.fixture
def talkkit_emulator_options() -> dict[str, object]:
    """Room for the module's requests: the documented 30/min is tested separately."""
    return {"rate_limits": {"talkory": RateLimitSpec(10_000)}}


async def test_free_endpoints(talkory: AsyncTalkory) -> None:
    """health, models, wallet and usage come back as typed records."""
    health = await talkory.health.llm()
    assert health.status in (HealthStatus.OK, HealthStatus.DEGRADED)
    assert health.checked_at is not None
    assert health.checked_at.tzinfo is not None
    assert set(health.providers) >= {"gpt", "claude"}
    models = await talkory.models.list()
    assert "gpt" in [m.id for m in models]
    wallet = await talkory.wallet.get()
    assert wallet.balance > 0
    usage = await talkory.usage.get()
    assert usage.requests.total >= 3


async def test_run_retrieve_consensus(talkory: AsyncTalkory, talkkit_emulator: Emulator) -> None:
    """A sync run returns results; a deferred consensus is charged once, then cached."""
    result = await talkory.queries.run("What is 2+2?", models=["gpt", "claude"], consensus=False)
    assert result.status is QueryStatus.SUCCESS
    assert {r.model_id for r in result.results} == {"gpt", "claude"}
    first = await talkory.queries.consensus(result.id)
    again = await talkory.queries.consensus(result.id)
    assert again.cached is True
    assert again.charged == 0
    assert first.id == result.id
    assert [r.mode for r in talkkit_emulator.talkory.runs] == ["sync", "consensus"]


async def test_create_then_wait(talkory: AsyncTalkory) -> None:
    """A background run is polled until it is done."""
    started = await talkory.queries.create("Background question")
    assert started.status == QueryStatus.RUNNING
    done = await talkory.queries.wait(started.id, poll_interval=0.01, max_interval=0.05, timeout=10)
    assert done.done


async def test_list_pages_through_120_queries(talkory: AsyncTalkory) -> None:
    """Cursor pagination over 120 runs returns all 120, newest first, without repeats."""
    ids = [(await talkory.queries.create(f"question {i}")).id for i in range(120)]
    listed = [q.id async for q in talkory.queries.list(limit=50)]
    assert listed == list(reversed(ids))
    first = await talkory.queries.list(limit=50).first_page()
    assert len(first.items) == 50
    assert first.has_next


async def test_commit_then_drop_is_outcome_unknown_and_runs_once(
    talkory: AsyncTalkory, talkkit_emulator: Emulator
) -> None:
    """The run happens, the answer is lost: OutcomeUnknownError, and exactly one paid run."""
    talkkit_emulator.faults.add(FaultRule(route="POST /v1/query", commit_drop_rate=1.0, times=1))
    with pytest.raises(OutcomeUnknownError) as info:
        await talkory.queries.create("Will this be charged twice?")
    assert len(talkkit_emulator.talkory.runs) == 1
    assert info.value.idempotency_key is not None
    logged = [r for r in talkkit_emulator.request_log if r.path == "/v1/query"]
    assert len(logged) == 1


async def test_stream_through_emulator(talkory: AsyncTalkory) -> None:
    """A streamed run yields query_created first and ends with the full result."""
    async with talkory.queries.stream("Stream it", models=["gpt"]) as stream:
        types = [event.type async for event in stream]
    assert types[0] == "query_created"
    assert types[-1] == "done"
    assert stream.result is not None
    assert stream.result.id == stream.query_id


async def test_dropped_stream_recovers_by_retrieve(
    talkory: AsyncTalkory, talkkit_emulator: Emulator
) -> None:
    """A stream cut after 3 events raises with the id; retrieve finds the run; no second run."""
    talkkit_emulator.faults.add(FaultRule(route="POST /v1/query", stream_drop_after=3, times=1))
    with pytest.raises(StreamInterruptedError) as info:
        await consume(talkory, prompt="Drop me")
    assert info.value.resource_id is not None
    recovered = await talkory.queries.retrieve(info.value.resource_id)
    assert recovered.id == info.value.resource_id
    assert len(talkkit_emulator.talkory.runs) == 1


async def test_typed_errors_with_codes_and_request_ids(
    talkkit_emulator: Emulator, talkory: AsyncTalkory
) -> None:
    """401 and 404 come back typed, with the platform code and the server's request id."""
    wrong = AsyncTalkory(
        "tk_live_" + "0" * 32, base_url="http://localhost", transport=talkkit_emulator.transport()
    )
    with pytest.raises(AuthenticationError) as auth:
        await wrong.wallet.get()
    assert auth.value.code == "invalid_api_key"
    assert auth.value.request_id is not None
    assert auth.value.request_id.startswith("req_")
    with pytest.raises(NotFoundError) as missing:
        await talkory.queries.retrieve("q_missing")
    assert missing.value.code == "not_found"


async def test_consensus_of_unknown_query_is_not_found(talkory: AsyncTalkory) -> None:
    """An idempotent POST answered 404 raises NotFoundError at once (no retry)."""
    with pytest.raises(NotFoundError):
        await talkory.queries.consensus("q_missing")


async def test_server_rate_limit_retry_after_is_honoured() -> None:
    """With pacing off, the emulator's 429 Retry-After is slept, then the call succeeds."""
    emu = Emulator(rate_limits={"talkory": RateLimitSpec(2, period=1.0)})
    client = talkory_client(emu, rate_limit=None)
    await client.wallet.get()
    await client.wallet.get()
    started = time.monotonic()
    await client.wallet.get()  # the third in a second: 429 + Retry-After: 1, then success
    assert time.monotonic() - started >= 0.5
    assert emu.throttled == 1


async def test_client_pacing_avoids_429s() -> None:
    """The default limiter learns a 60-request limit from headers: 70 calls, no 429 at all."""
    emu = Emulator(rate_limits={"talkory": RateLimitSpec(60, period=1.0)})
    client = talkory_client(emu)
    for _ in range(70):
        await client.wallet.get()
    assert emu.throttled == 0
    assert client._rate_limiter.rate is not None
    assert client._rate_limiter.rate.limit == 60


async def test_rate_limit_error_when_retry_after_too_long() -> None:
    """A Retry-After beyond the inline cap surfaces as RateLimitError with retry_after."""
    emu = Emulator(rate_limits={"talkory": RateLimitSpec(1, period=3600.0)})
    client = talkory_client(emu, rate_limit=None)
    await client.wallet.get()
    with pytest.raises(RateLimitError) as info:
        await client.wallet.get()
    assert info.value.retry_after is not None
    assert info.value.retry_after > 60
    assert info.value.code == "rate_limited"
