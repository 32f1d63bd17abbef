"""Talkover routes: envelopes, page paging, lifecycles, calls and error shapes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from talkkit.emulator import Emulator

from .conftest import OVER, FakeClock

pytestmark = pytest.mark.anyio


async def _agent(client: httpx.AsyncClient, name: str = "SupportBot", **extra: Any) -> str:
    response = await client.post("/api/v1/agents", json={"name": name, **extra}, headers=OVER)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


async def _voice_id(client: httpx.AsyncClient) -> str:
    groups = (await client.get("/api/v1/voice-templates", headers=OVER)).json()["data"]
    return str(groups[0]["voices"][0]["id"])


async def _published_agent(client: httpx.AsyncClient) -> str:
    agent_id = await _agent(client)
    voice = {
        "voice_id": await _voice_id(client),
        "conversation_speed": 1.0,
        "who_speaks_first": "agent",
    }
    assert (
        await client.put(f"/api/v1/agents/{agent_id}/voice", json=voice, headers=OVER)
    ).is_success
    published = await client.post(f"/api/v1/agents/{agent_id}/publish", headers=OVER)
    assert published.json()["data"]["current_status"] == "published"
    return agent_id


async def test_create_agent_envelope_and_defaults(client: httpx.AsyncClient) -> None:
    """A new agent comes back as {success, message, data} in draft with empty nested lists."""
    response = await client.post("/api/v1/agents", json={"name": "Bot"}, headers=OVER)
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "Agent created successfully"
    agent = body["data"]
    assert len(agent["id"]) == 36
    assert (agent["current_status"], agent["voice"], agent["label"]) == ("draft", None, "Bot")
    assert agent["trainings"] == agent["actions"] == agent["phone_numbers"] == []


async def test_validation_is_shape_d_422(client: httpx.AsyncClient) -> None:
    """Invalid fields answer 422 {"message": "The given data was invalid.", "errors": {…}}."""
    body = {"language": "xx-XX", "conversation_speed": 9, "name": "x" * 300}
    response = await client.post("/api/v1/agents", json=body, headers=OVER)
    assert response.status_code == 422
    assert response.json() == {
        "message": "The given data was invalid.",
        "errors": {
            "name": ["The name field must not be greater than 255 characters."],
            "language": ["The selected language is invalid."],
            "conversation_speed": ["The conversation speed field must be between 0.1 and 3."],
        },
    }


async def test_not_found_is_shape_c_with_code(client: httpx.AsyncClient) -> None:
    """Unknown ids answer shape C with the documented code."""
    response = await client.get("/api/v1/agents/nope", headers=OVER)
    assert response.status_code == 404
    assert response.json() == {
        "success": False,
        "message": "Agent not found",
        "code": "AGENT_NOT_FOUND",
    }
    campaign = await client.get("/api/v1/campaigns/nope", headers=OVER)
    assert campaign.json()["code"] == "CAMPAIGN_NOT_FOUND"


async def test_120_agents_page_through_meta(client: httpx.AsyncClient, clock: FakeClock) -> None:
    """GET /agents pages with `meta`; 120 agents come back complete and in order."""
    created = []
    for i in range(120):
        created.append(await _agent(client, f"Agent {i:03d}"))
        clock.advance(1)  # stay under the default 100/min limit
    seen: list[str] = []
    page = 1
    while True:
        body = (
            await client.get("/api/v1/agents", params={"page": page, "per_page": 50}, headers=OVER)
        ).json()
        assert body["meta"] == {"current_page": page, "per_page": 50, "total": 120, "last_page": 3}
        seen += [a["id"] for a in body["data"]]
        if page == body["meta"]["last_page"]:
            break
        page += 1
    assert seen == created
    too_big = await client.get("/api/v1/agents", params={"per_page": 101}, headers=OVER)
    assert too_big.status_code == 422
    assert "per_page" in too_big.json()["errors"]


async def test_publish_needs_a_voice_and_delete_needs_unpublish(client: httpx.AsyncClient) -> None:
    """Publishing without a voice is 422; deleting a published agent is AGENT_IS_PUBLISHED."""
    agent_id = await _agent(client)
    early = await client.post(f"/api/v1/agents/{agent_id}/publish", headers=OVER)
    assert early.status_code == 422
    agent_id = await _published_agent(client)
    blocked = await client.delete(f"/api/v1/agents/{agent_id}", headers=OVER)
    assert blocked.status_code == 409
    assert blocked.json()["code"] == "AGENT_IS_PUBLISHED"
    knowledge = {
        "description": "Helps customers",
        "interrupt_sensitivity": "low",
        "ask_if_human_present_on_idle": False,
        "llm_temperature": 0.2,
        "initial_message_delay": 1,
    }
    updated = await client.put(f"/api/v1/agents/{agent_id}/knowledge", json=knowledge, headers=OVER)
    assert updated.json()["data"]["current_status"] == "draft"
    assert (await client.delete(f"/api/v1/agents/{agent_id}", headers=OVER)).status_code == 200


async def test_agent_call_is_recorded_and_findable_in_history(
    emu: Emulator, client: httpx.AsyncClient
) -> None:
    """A placed call lands in emu.placed_calls and in GET /calls, searchable by number."""
    agent_id = await _published_agent(client)
    headers = {**OVER, "Idempotency-Key": "call-1"}
    body = {"to": "+14155550199", "context": {"order": 7}}
    placed = await client.post(f"/api/v1/agents/{agent_id}/call", json=body, headers=headers)
    assert placed.status_code == 200
    data = placed.json()["data"]
    assert (data["agent_id"], data["to"], data["status"]) == (agent_id, "+14155550199", "initiated")
    [call] = emu.placed_calls
    assert (call.kind, call.to, call.agent_id, call.call_id) == (
        "agent",
        "+14155550199",
        agent_id,
        data["id"],
    )
    assert (call.idempotency_key, call.context) == ("call-1", {"order": 7})
    found = (
        await client.get("/api/v1/calls", params={"search": "4155550199"}, headers=OVER)
    ).json()
    assert [c["id"] for c in found["data"]] == [data["id"]]
    assert found["pagination"] == {
        "current_page": 1,
        "per_page": 20,
        "total": 1,
        "last_page": 1,
        "from": 1,
        "to": 1,
    }
    none = (
        await client.get("/api/v1/calls", params={"search": "+19999999999"}, headers=OVER)
    ).json()
    assert none["data"] == []
    by_agent = await client.get(f"/api/v1/agents/{agent_id}/calls", headers=OVER)
    assert "agent" not in by_agent.json()["data"][0]
    busy = await client.delete(f"/api/v1/agents/{agent_id}", headers=OVER)
    await client.post(f"/api/v1/agents/{agent_id}/unpublish", headers=OVER)
    busy = await client.delete(f"/api/v1/agents/{agent_id}", headers=OVER)
    assert busy.json()["code"] == "AGENT_HAS_ACTIVE_CALLS"
    assert emu.talkover.complete_calls() == 1
    assert (await client.delete(f"/api/v1/agents/{agent_id}", headers=OVER)).status_code == 200


async def test_draft_agent_takes_only_test_calls(emu: Emulator, client: httpx.AsyncClient) -> None:
    """An unpublished agent refuses real calls but accepts is_testing ones."""
    agent_id = await _agent(client)
    path = f"/api/v1/agents/{agent_id}/call"
    refused = await client.post(path, json={"to": "+14155550100"}, headers=OVER)
    assert refused.status_code == 409
    assert emu.placed_calls == []
    assert (emu.request_log[-1].subject, emu.request_log[-1].created) == (
        "phone:+14155550100",
        None,
    )
    bad = await client.post(path, json={"to": "0800"}, headers=OVER)
    assert bad.json()["errors"] == {"to": ["The to field format is invalid."]}
    test_call = await client.post(
        path, json={"to": "+14155550100", "is_testing": True}, headers=OVER
    )
    assert test_call.status_code == 200
    assert emu.placed_calls[0].is_testing is True


async def test_campaign_status_transitions(client: httpx.AsyncClient) -> None:
    """Allowed transitions succeed; a bad one is 400 INVALID_TRANSITION; a bad value is 422."""
    created = await client.post("/api/v1/campaigns", json={"name": "Q3"}, headers=OVER)
    campaign_id = created.json()["data"]["id"]
    path = f"/api/v1/campaigns/{campaign_id}/status"
    for status in ("active", "paused", "active", "completed"):
        response = await client.patch(path, json={"status": status}, headers=OVER)
        assert response.json()["data"]["status"] == status
    invalid = await client.patch(path, json={"status": "active"}, headers=OVER)
    assert invalid.status_code == 400
    assert invalid.json()["code"] == "INVALID_TRANSITION"
    unknown = await client.patch(path, json={"status": "paused-ish"}, headers=OVER)
    assert unknown.status_code == 422


async def test_campaign_call_201_without_envelope_and_duplicates(
    emu: Emulator, client: httpx.AsyncClient
) -> None:
    """A campaign call is 201 {campaign_call, campaign}; the same number again is 409."""
    agent_id = await _published_agent(client)
    body = {"name": "Reminders", "agent_id": agent_id, "campaign_type": "reminder"}
    campaign_id = (await client.post("/api/v1/campaigns", json=body, headers=OVER)).json()["data"][
        "id"
    ]
    path = f"/api/v1/campaigns/{campaign_id}/call"
    response = await client.post(path, json={"to": "+14155550123"}, headers=OVER)
    assert response.status_code == 201
    payload = response.json()
    assert set(payload) == {"campaign_call", "campaign"}
    assert payload["campaign_call"]["status"] == "queued"
    assert payload["campaign"] == {"id": campaign_id, "name": "Reminders", "status": "draft"}
    duplicate = await client.post(path, json={"to": "+14155550123"}, headers=OVER)
    assert duplicate.status_code == 409
    allowed = await client.post(
        path, json={"to": "+14155550123", "allow_duplicates": True}, headers=OVER
    )
    assert allowed.status_code == 201
    assert [c.kind for c in emu.placed_calls] == ["campaign", "campaign"]
    assert [c.campaign_id for c in emu.placed_calls] == [campaign_id, campaign_id]
    detail = (await client.get(f"/api/v1/campaigns/{campaign_id}", headers=OVER)).json()["data"]
    assert detail["stats"]["total_calls"] == 2
    assert len(detail["calls"]) == 2
    assert detail["agent"]["id"] == agent_id


async def test_120_campaigns_page_through_pagination(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """GET /campaigns uses `pagination` with from/to; 120 come back complete and in order."""
    created = []
    for i in range(120):
        clock.advance(1)  # stay under the default 100/min limit
        response = await client.post("/api/v1/campaigns", json={"name": f"C{i}"}, headers=OVER)
        created.append(response.json()["data"]["id"])
    seen: list[str] = []
    for page in (1, 2, 3):
        body = (
            await client.get(
                "/api/v1/campaigns", params={"page": page, "per_page": 50}, headers=OVER
            )
        ).json()
        pagination = body["pagination"]
        assert pagination["last_page"] == 3
        assert pagination["from"] == (page - 1) * 50 + 1
        seen += [c["id"] for c in body["data"]]
    assert pagination["to"] == 120
    assert seen == created


async def test_agent_webhooks_list_available_events_and_toggle(
    emu: Emulator, client: httpx.AsyncClient
) -> None:
    """Agent webhooks list as data.webhooks + data.available_events; toggle and test work."""
    agent_id = await _agent(client)
    base = f"/api/v1/agents/{agent_id}/webhooks"
    bad = await client.post(
        base, json={"name": "n", "webhook_url": "nope", "events": ["x"]}, headers=OVER
    )
    assert set(bad.json()["errors"]) == {"webhook_url", "events.0"}
    body = {
        "name": "Ends",
        "webhook_url": "https://example.com/hook",
        "events": ["event_phone_call_ended"],
        "webhook_secret": "s3cret",
    }
    webhook = (await client.post(base, json=body, headers=OVER)).json()["data"]
    assert webhook["status"] == "active"
    assert "webhook_secret" not in webhook
    listed = (await client.get(base, headers=OVER)).json()["data"]
    assert [w["id"] for w in listed["webhooks"]] == [webhook["id"]]
    assert "event_phone_call_ended" in listed["available_events"]
    toggled = await client.patch(f"{base}/{webhook['id']}/toggle", headers=OVER)
    assert toggled.json()["message"] == "Webhook disabled"
    tested = await client.post(f"{base}/{webhook['id']}/test", headers=OVER)
    assert tested.json()["data"] == {"status_code": 200, "response_time": 42}
    assert emu.talkover.webhook_tests[0]["payload"]["event"] == "webhook.test"
    assert (await client.delete(f"{base}/{webhook['id']}", headers=OVER)).status_code == 200
    assert (await client.get(f"{base}/{webhook['id']}", headers=OVER)).status_code == 404


async def test_voice_demo_is_bare_and_sip_trunk_rules(client: httpx.AsyncClient) -> None:
    """The voice demo answers bare {"mp3_url"}; a trunk with DIDs cannot be deleted."""
    voice_id = await _voice_id(client)
    demo = (await client.get(f"/api/v1/voice-templates/{voice_id}/demo", headers=OVER)).json()
    assert list(demo) == ["mp3_url"]
    body = {"name": "Carrier", "domain": "sip.example.com", "username": "u", "password": "p"}
    trunk = (await client.post("/api/v1/sip-trunks", json=body, headers=OVER)).json()["data"]
    assert (trunk["port"], trunk["transport"], trunk["is_verified"]) == (5061, "tls", False)
    assert "password" not in trunk
    base = f"/api/v1/sip-trunks/{trunk['id']}"
    verified = (await client.post(f"{base}/verify", headers=OVER)).json()["data"]
    assert verified["is_verified"] is True
    did = await client.post(
        f"{base}/dids", json={"country_code": "US", "number": "+13125550100"}, headers=OVER
    )
    assert did.status_code == 201
    again = await client.post(
        f"{base}/dids", json={"country_code": "US", "number": "+13125550100"}, headers=OVER
    )
    assert again.json()["code"] == "DID_ALREADY_EXISTS"
    blocked = await client.delete(base, headers=OVER)
    assert blocked.json() == {
        "success": False,
        "message": "Remove the trunk's DIDs before deleting it",
        "code": "TRUNK_HAS_DIDS",
    }
    assert (await client.delete(f"{base}/dids/{did.json()['data']['id']}", headers=OVER)).is_success
    assert (await client.delete(base, headers=OVER)).is_success
