"""Talkory routes: camelCase bodies, paid runs, SSE, cursor paging and idempotent consensus."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from talkkit.emulator import Emulator

from .conftest import ORY, FakeClock

pytestmark = pytest.mark.anyio


def _events(text: str) -> list[Any]:
    return [
        line.removeprefix("data: ") if line == "data: [DONE]" else json.loads(line[6:])
        for line in text.splitlines()
        if line.startswith("data: ")
    ]


async def test_free_endpoints_are_camel_case(emu: Emulator, client: httpx.AsyncClient) -> None:
    """Health, models, wallet and usage answer bare camelCase objects."""
    emu.talkory.providers["grok"] = "error"
    health = (await client.get("/v1/health/llm", headers=ORY)).json()
    assert health["status"] == "degraded"
    assert health["providers"]["grok"] == {"status": "error"}
    assert health["checkedAt"].endswith("Z")
    models = (await client.get("/v1/models", headers=ORY)).json()["models"]
    assert {"id": "gpt", "name": "GPT-4o", "provider": "openai", "vision": True} in models
    wallet = (await client.get("/v1/wallet", headers=ORY)).json()
    assert wallet == {"balance": 25.0, "currency": "USD", "plan": "pro"}
    usage = (await client.get("/v1/usage", headers=ORY)).json()
    assert usage["requests"]["byRoute"]["/v1/models"] == {"requests": 1, "errors": 0}
    assert usage["queries"] == {"total": 0, "charged": 0.0, "totalTokens": 0}


async def test_async_query_runs_on_retrieve_and_is_charged_once(
    emu: Emulator, client: httpx.AsyncClient
) -> None:
    """stream:false is 202 {id, status: running}; the next retrieve sees the finished result."""
    emu.talkory.polls_until_done = 1
    started = await client.post(
        "/v1/query", json={"prompt": "2+2?", "models": ["gpt", "claude"]}, headers=ORY
    )
    assert started.status_code == 202
    query_id = started.json()["id"]
    assert started.json() == {"id": query_id, "status": "running"}
    first = (await client.get(f"/v1/queries/{query_id}", headers=ORY)).json()
    assert first["status"] == "running"
    done = (await client.get(f"/v1/queries/{query_id}", headers=ORY)).json()
    assert done["status"] == "success"
    assert [r["modelId"] for r in done["results"]] == ["gpt", "claude"]
    assert done["charged"] == 0.05
    assert emu.talkory.balance == Decimal("24.95")
    assert [(r.query_id, r.mode) for r in emu.talkory.runs] == [(query_id, "async")]


async def test_sync_query_and_validation(client: httpx.AsyncClient) -> None:
    """/v1/query/sync returns the result; bad bodies get invalid_request / invalid_model."""
    result = (await client.post("/v1/query/sync", json={"prompt": "hi"}, headers=ORY)).json()
    assert result["status"] == "success"
    assert len(result["results"]) == 5
    assert result["consensus"] is not None
    missing = await client.post("/v1/query", json={}, headers=ORY)
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "invalid_request"
    assert missing.json()["error"]["message"] == "prompt is required"
    unknown = await client.post("/v1/query", json={"prompt": "x", "models": ["gpt-9"]}, headers=ORY)
    assert unknown.json()["error"]["code"] == "invalid_model"


async def test_empty_wallet_is_402(emu: Emulator, client: httpx.AsyncClient) -> None:
    """A run the wallet cannot pay for is 402 insufficient_balance and is not recorded."""
    emu.talkory.balance = Decimal("0.01")
    response = await client.post("/v1/query", json={"prompt": "x"}, headers=ORY)
    assert response.status_code == 402
    assert response.json()["error"]["code"] == "insufficient_balance"
    assert emu.talkory.runs == []
    assert (await client.get("/v1/models", headers=ORY)).status_code == 200


async def test_stream_sends_query_created_first_and_done_last(
    emu: Emulator, client: httpx.AsyncClient
) -> None:
    """stream:true is an event stream: query_created, model events, done, then [DONE]."""
    body = {"prompt": "why?", "models": ["gpt"], "stream": True, "recursive": True}
    response = await client.post("/v1/query", json=body, headers=ORY)
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _events(response.text)
    assert events[0] == {"type": "query_created", "id": events[-2]["id"]}
    types = [e["type"] for e in events[:-1]]
    assert types == [
        "query_created",
        "model_stream_start",
        "model_chunk",
        "model_chunk",
        "model_result",
        "round1_done",
        "round2_start",
        "round2_done",
        "consensus_start",
        "done",
    ]
    assert events[-1] == "[DONE]"
    done = events[-2]
    assert done["status"] == "success"
    assert emu.talkory.runs[0].mode == "stream"


async def test_120_queries_come_back_through_cursors(
    emu: Emulator, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """GET /v1/queries pages newest first by cursor; 120 runs come back complete."""
    created = []
    for i in range(120):
        response = await client.post(
            "/v1/query", json={"prompt": f"q{i}", "models": ["gpt"]}, headers=ORY
        )
        created.append(response.json()["id"])
        clock.advance(2)  # 30/min
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/queries", params=params, headers=ORY)).json()
        seen += [q["id"] for q in page["queries"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
        clock.advance(2)
    assert seen == created[::-1]
    too_many = await client.get("/v1/queries", params={"limit": 101}, headers=ORY)
    assert too_many.json()["error"]["code"] == "invalid_request"
    bad = await client.get("/v1/queries", params={"cursor": "garbage"}, headers=ORY)
    assert bad.status_code == 400


async def test_consensus_is_idempotent(emu: Emulator, client: httpx.AsyncClient) -> None:
    """Deferred consensus charges once; repeats return cached: true and charged: 0."""
    started = await client.post(
        "/v1/query", json={"prompt": "x", "models": ["gpt"], "consensus": False}, headers=ORY
    )
    query_id = started.json()["id"]
    await client.get(f"/v1/queries/{query_id}", headers=ORY)
    first = (await client.post(f"/v1/queries/{query_id}/consensus", headers=ORY)).json()
    assert (first["cached"], first["charged"]) == (False, 0.01)
    assert first["consensus"]
    second = (await client.post(f"/v1/queries/{query_id}/consensus", headers=ORY)).json()
    assert (second["cached"], second["charged"]) == (True, 0.0)
    assert second["consensus"] == first["consensus"]
    assert [r.mode for r in emu.talkory.runs] == ["async", "consensus"]
    missing = await client.post("/v1/queries/q_nope/consensus", headers=ORY)
    assert missing.json()["error"]["code"] == "not_found"
