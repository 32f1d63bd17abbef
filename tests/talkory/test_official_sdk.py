"""Compatibility: the official `talkory` package, pointed at our emulator, works as against the real API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from talkkit.emulator import TALKORY_KEY, Emulator, RateLimitSpec
from talkkit.testing import ServedEmulator, running_emulator

talkory = pytest.importorskip("talkory")  # a test-only dependency (the `test` extra installs it)


@pytest.fixture(scope="module")
def served() -> Iterator[ServedEmulator]:
    """One emulator on a real socket, with room for the module's requests."""
    with running_emulator(Emulator(rate_limits={"talkory": RateLimitSpec(1000)})) as server:
        yield server


@pytest.fixture
def sdk(served: ServedEmulator) -> Iterator[talkory.Talkory]:
    """The official synchronous client, allowed to use plain HTTP to loopback."""
    client = talkory.Talkory(TALKORY_KEY, base_url=served.url, allow_insecure=True, max_retries=0)
    yield client
    client.close()


def test_health(sdk: talkory.Talkory) -> None:
    """health.check() parses our body: status, checkedAt and providers."""
    health = sdk.health.check()
    assert health.status in ("ok", "degraded")
    assert "gpt" in health.providers


def test_models_wallet_usage(sdk: talkory.Talkory) -> None:
    """models, wallet and usage parse with the SDK's own pydantic models."""
    models = sdk.models.list()
    assert [m.id for m in models]
    assert sdk.wallet.get().balance >= 0
    usage = sdk.usage.get()
    assert usage.requests.total >= 1


def test_queries(sdk: talkory.Talkory, served: ServedEmulator) -> None:
    """run, create, retrieve, list and consensus all work, and each paid run happens once."""
    runs_before = len(served.emulator.talkory.runs)
    result = sdk.queries.run("What is 2+2?", models=["gpt", "claude"])
    assert result.id
    assert result.results
    started = sdk.queries.create("Another question", consensus=False)
    fetched = sdk.queries.retrieve(started.id)
    assert fetched.id == started.id
    page_ids = [q.id for q in sdk.queries.list(limit=100)]
    assert result.id in page_ids
    assert started.id in page_ids
    done = sdk.queries.wait(started.id, timeout=10)
    consensus = sdk.queries.consensus(done.id)
    again = sdk.queries.consensus(done.id)
    assert again.charged == 0
    assert consensus.id == done.id
    new = served.emulator.talkory.runs[runs_before:]
    assert sorted(r.mode for r in new) == ["async", "consensus", "sync"]  # each paid once


def test_stream(sdk: talkory.Talkory) -> None:
    """The SDK's SSE reader understands our stream through to the final result."""
    events = list(sdk.queries.stream("Stream me", models=["gpt"]))
    assert events
    assert events[0].type == "query_created"


def test_errors_map_to_the_sdks_typed_errors(served: ServedEmulator) -> None:
    """Our error bodies become the SDK's own typed exceptions (auth, not found)."""
    bad = talkory.Talkory(
        "tk_live_" + "0" * 32, base_url=served.url, allow_insecure=True, max_retries=0
    )
    try:
        with pytest.raises(talkory.AuthenticationError):
            bad.wallet.get()
    finally:
        bad.close()
    good = talkory.Talkory(TALKORY_KEY, base_url=served.url, allow_insecure=True, max_retries=0)
    try:
        with pytest.raises(talkory.NotFoundError):
            good.queries.retrieve("q_does_not_exist")
    finally:
        good.close()
