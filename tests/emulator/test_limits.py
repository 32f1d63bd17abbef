"""Server-side rate limits: token buckets, headers, 429 + Retry-After per dialect."""

from __future__ import annotations

import httpx
import pytest

from talkkit.emulator import Emulator, RateLimitSpec

from .conftest import ORY, OVER, TURO, FakeClock

pytestmark = pytest.mark.anyio


async def test_talkory_limit_headers_and_429(emu: Emulator, client: httpx.AsyncClient) -> None:
    """Talkory allows 30 requests, counts down X-RateLimit-Remaining, then answers 429."""
    for expected in range(29, -1, -1):
        response = await client.get("/v1/models", headers=ORY)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "30"
        assert response.headers["X-RateLimit-Remaining"] == str(expected)
    limited = await client.get("/v1/models", headers=ORY)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "2"  # one token refills in 60/30 seconds
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.json()["error"]["code"] == "rate_limited"
    assert emu.throttled == 1


async def test_bucket_refills_with_the_clock(
    emu: Emulator, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """After the announced Retry-After the same credential is served again."""
    for _ in range(30):
        await client.get("/v1/wallet", headers=ORY)
    limited = await client.get("/v1/wallet", headers=ORY)
    clock.advance(float(limited.headers["Retry-After"]))
    again = await client.get("/v1/wallet", headers=ORY)
    assert again.status_code == 200
    assert again.headers["X-RateLimit-Remaining"] == "0"
    assert emu.throttled == 1


async def test_talkover_limit_uses_shape_c(client: httpx.AsyncClient) -> None:
    """Talkover allows 100 per minute and answers the 101st with a shape C 429."""
    statuses = [(await client.get("/api/v1/health", headers=OVER)).status_code for _ in range(101)]
    assert statuses == [200] * 100 + [429]
    limited = await client.get("/api/v1/health", headers=OVER)
    assert limited.json() == {
        "success": False,
        "message": "Too Many Attempts.",
        "code": "RATE_LIMIT_EXCEEDED",
    }
    assert int(limited.headers["Retry-After"]) >= 1


async def test_talkturo_is_unlimited_by_default(client: httpx.AsyncClient) -> None:
    """Talkturo publishes no limit: no headers and no 429 by default."""
    for _ in range(150):
        response = await client.get("/api/assistants/asst_x", headers=TURO)
        assert response.status_code == 404
    assert "X-RateLimit-Limit" not in response.headers


async def test_custom_specs_burst_and_disabling(clock: FakeClock) -> None:
    """A spec's burst caps the bucket; None disables a platform's limit."""
    emu = Emulator(
        rate_limits={"talkturo": RateLimitSpec(2, period=1.0, burst=3), "talkory": None},
        clock=clock,
    )
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://t") as client:
        turo = [await client.get("/api/assistants/a", headers=TURO) for _ in range(4)]
        assert [r.status_code for r in turo] == [404, 404, 404, 429]
        assert turo[0].headers["X-RateLimit-Limit"] == "2"
        assert turo[3].json() == {"success": False, "error": "Too many requests"}
        assert turo[3].headers["Retry-After"] == "1"
        clock.advance(0.5)
        assert (await client.get("/api/assistants/a", headers=TURO)).status_code == 404
        ory = [await client.get("/v1/models", headers=ORY) for _ in range(40)]
        assert {r.status_code for r in ory} == {200}
        assert "X-RateLimit-Limit" not in ory[0].headers
    assert emu.throttled == 1


async def test_limits_are_per_credential(clock: FakeClock) -> None:
    """Two keys have independent buckets."""
    other = "tk_live_" + "b" * 32
    emu = Emulator(talkory_keys=(ORY["Authorization"][7:], other), clock=clock)
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://t") as client:
        for _ in range(30):
            await client.get("/v1/models", headers=ORY)
        assert (await client.get("/v1/models", headers=ORY)).status_code == 429
        fresh = await client.get("/v1/models", headers={"Authorization": f"Bearer {other}"})
        assert fresh.status_code == 200


def test_unknown_platform_in_rate_limits_is_refused() -> None:
    """A typo in rate_limits fails loudly instead of silently keeping defaults."""
    with pytest.raises(ValueError, match="talkory2"):
        Emulator(rate_limits={"talkory2": None})
