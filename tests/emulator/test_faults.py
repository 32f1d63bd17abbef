"""Scripted faults: drops, commit-then-drop, 5xx, 429, latency, stream cuts, seeding."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import pytest

from talkkit.emulator import TALKTURO_TEAM_ID, Emulator, FaultRule

from .conftest import ORY, OVER, TURO

pytestmark = pytest.mark.anyio

COMPANY = {"teamId": TALKTURO_TEAM_ID, "name": "Acme"}


async def test_drop_is_a_transport_error_and_stores_nothing(
    emu: Emulator, client: httpx.AsyncClient
) -> None:
    """A dropped request raises httpx.RemoteProtocolError and is never processed."""
    emu.faults.add(FaultRule("POST /api/crm/companies", drop_rate=1.0))
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post("/api/crm/companies", json=COMPANY, headers=TURO)
    assert emu.talkturo.companies == {}
    [entry] = emu.request_log
    assert (entry.fault, entry.status, entry.subject, entry.created) == ("drop", None, None, None)


async def test_commit_then_drop_stores_exactly_one_record(
    emu: Emulator, client: httpx.AsyncClient
) -> None:
    """The write happens, the client sees a transport error, and a blind retry conflicts."""
    emu.faults.add(FaultRule("POST /api/crm/companies", commit_drop_rate=1.0, times=1))
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post("/api/crm/companies", json=COMPANY, headers=TURO)
    [stored] = emu.talkturo.companies
    assert (emu.request_log[0].fault, emu.request_log[0].status) == ("commit_drop", 200)
    retry = await client.post("/api/crm/companies", json=COMPANY, headers=TURO)
    assert retry.status_code == 409
    assert len(emu.talkturo.companies) == 1
    assert [(r.fault, r.subject, r.created) for r in emu.request_log] == [
        ("commit_drop", "name:acme", stored),
        (None, "name:acme", None),
    ]


async def test_commit_drop_of_a_call_can_be_reconciled(
    emu: Emulator, client: httpx.AsyncClient
) -> None:
    """A call whose answer was lost is placed once and can be found in the call history."""
    agent = (await client.post("/api/v1/agents", json={"name": "A"}, headers=OVER)).json()["data"]
    emu.faults.add(FaultRule("POST /api/v1/agents/*/call", commit_drop_rate=1.0, times=1))
    body = {"to": "+14155550142", "is_testing": True}
    with pytest.raises(httpx.TransportError):
        await client.post(f"/api/v1/agents/{agent['id']}/call", json=body, headers=OVER)
    assert [c.to for c in emu.placed_calls] == ["+14155550142"]
    assert (emu.request_log[-1].subject, emu.request_log[-1].created) == (
        "phone:+14155550142",
        emu.placed_calls[0].call_id,
    )
    history = await client.get(
        "/api/v1/calls", params={"agent_id": agent["id"], "search": "+14155550142"}, headers=OVER
    )
    assert [c["id"] for c in history.json()["data"]] == [emu.placed_calls[0].call_id]


async def test_error_rate_answers_5xx_in_each_dialect_without_processing(
    emu: Emulator, client: httpx.AsyncClient
) -> None:
    """error_rate answers the configured 5xx in the platform's own error shape."""
    emu.faults.add(FaultRule("* /v1/*", error_rate=1.0, error_status=503))
    emu.faults.add(FaultRule("* /api/v1/*", error_rate=1.0, error_status=502))
    emu.faults.add(FaultRule("POST /api/*", error_rate=1.0))
    ory = await client.post("/v1/query", json={"prompt": "x"}, headers=ORY)
    assert ory.status_code == 503
    assert ory.json()["error"]["code"] == "service_unavailable"
    over = await client.get("/api/v1/agents", headers=OVER)
    assert over.status_code == 502
    assert over.json() == {"success": False, "message": "Server Error", "code": "SERVER_ERROR"}
    turo = await client.post("/api/crm/companies", json=COMPANY, headers=TURO)
    assert turo.status_code == 500
    assert turo.json() == {"success": False, "error": "Internal server error"}
    assert emu.talkory.runs == []
    assert emu.talkturo.companies == {}
    assert [e.fault for e in emu.request_log] == ["error"] * 3


async def test_throttle_rate_sends_429_with_retry_after(
    emu: Emulator, client: httpx.AsyncClient
) -> None:
    """throttle_rate answers 429 with the rule's Retry-After; the limiter count is untouched."""
    emu.faults.add(FaultRule("GET /v1/wallet", throttle_rate=1.0, retry_after=7))
    response = await client.get("/v1/wallet", headers=ORY)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json()["error"]["code"] == "rate_limited"
    assert emu.throttled == 0
    assert emu.request_log[0].fault == "throttle"


async def test_times_spends_a_rule(emu: Emulator, client: httpx.AsyncClient) -> None:
    """A rule with times=2 fires twice, then requests pass; later rules still apply."""
    first = emu.faults.add(FaultRule("GET /v1/models", error_rate=1.0, times=2))
    emu.faults.add(FaultRule("GET /v1/models", throttle_rate=1.0, times=1))
    statuses = [(await client.get("/v1/models", headers=ORY)).status_code for _ in range(4)]
    assert statuses == [500, 500, 429, 200]
    assert emu.faults.fired(first) == 2
    emu.faults.clear()
    assert emu.faults.rules == ()


async def test_same_seed_same_faults() -> None:
    """Two emulators with the same seed inject the same faults; another seed differs."""

    async def run(seed: int) -> list[int]:
        emu = Emulator(seed=seed, rate_limits={"talkory": None})
        emu.faults.add(FaultRule("*", error_rate=0.3, throttle_rate=0.2))
        async with httpx.AsyncClient(transport=emu.transport(), base_url="http://t") as client:
            return [(await client.get("/v1/models", headers=ORY)).status_code for _ in range(40)]

    first, again, other = await run(7), await run(7), await run(8)
    assert first == again
    assert first != other
    assert {200, 429, 500} == set(first)


async def test_latency_delays_the_answer(emu: Emulator, client: httpx.AsyncClient) -> None:
    """latency sleeps before handling and is logged as a latency fault."""
    emu.faults.add(FaultRule("GET /v1/wallet", latency=0.05))
    start = anyio.current_time()
    response = await client.get("/v1/wallet", headers=ORY)
    assert anyio.current_time() - start >= 0.05
    assert response.status_code == 200
    assert emu.request_log[0].fault == "latency"


async def test_stream_drop_after_events_keeps_the_run(
    emu: Emulator, client: httpx.AsyncClient
) -> None:
    """A cut stream delivers its first events, then fails; the run exists and is retrievable."""
    emu.faults.add(FaultRule("POST /v1/query", stream_drop_after=2, times=1))
    events: list[dict[str, Any]] = []
    body = {"prompt": "x", "models": ["gpt"], "stream": True}

    async def read_stream() -> None:
        async with client.stream("POST", "/v1/query", json=body, headers=ORY) as response:
            assert response.status_code == 200
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    events.append(json.loads(line[6:]))

    with pytest.raises(httpx.RemoteProtocolError):
        await read_stream()
    assert [e["type"] for e in events] == ["query_created", "model_stream_start"]
    assert emu.request_log[-1].fault == "stream_drop"
    assert len(emu.talkory.runs) == 1
    recovered = await client.get(f"/v1/queries/{events[0]['id']}", headers=ORY)
    assert recovered.json()["status"] == "success"
    whole = await client.post("/v1/query", json=body, headers=ORY)
    assert whole.text.endswith("data: [DONE]\n\n")


def test_rates_must_fit_in_one_draw() -> None:
    """Rates that add up to more than 1 are refused."""
    with pytest.raises(ValueError, match="more than 1"):
        FaultRule(drop_rate=0.7, error_rate=0.5)
    with pytest.raises(ValueError, match="5xx"):
        FaultRule(error_rate=1.0, error_status=404)


async def test_reset_clears_state_but_keeps_configuration(
    emu: Emulator, client: httpx.AsyncClient
) -> None:
    """reset() empties stores and logs, rewinds ids and fault counters, keeps the rules."""
    rule = emu.faults.add(FaultRule("GET /v1/models", error_rate=1.0, times=1))
    first = (await client.post("/api/crm/companies", json=COMPANY, headers=TURO)).json()
    await client.get("/v1/models", headers=ORY)
    emu.reset()
    assert emu.talkturo.companies == {}
    assert emu.request_log == []
    assert emu.faults.rules == (rule,)
    again = (await client.post("/api/crm/companies", json=COMPANY, headers=TURO)).json()
    assert again["company"]["id"] == first["company"]["id"]
    assert (await client.get("/v1/models", headers=ORY)).status_code == 500
