"""Talkturo routes: envelopes, offset paging, conflicts, validation and workflows."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from talkkit.emulator import TALKTURO_ACCOUNT_SLUG, TALKTURO_TEAM_ID, Emulator

from .conftest import TURO

pytestmark = pytest.mark.anyio


async def _post(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> httpx.Response:
    return await client.post(path, json=body, headers=TURO)


async def _company(client: httpx.AsyncClient, name: str = "Acme Corp") -> str:
    response = await _post(client, "/api/crm/companies", {"teamId": TALKTURO_TEAM_ID, "name": name})
    assert response.status_code == 200, response.text
    return str(response.json()["company"]["id"])


def _contact(company_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "teamId": TALKTURO_TEAM_ID,
        "companyId": company_id,
        "firstName": "Ada",
        "lastName": "Lovelace",
        **extra,
    }


async def test_assistant_from_template_uses_the_resource_key(client: httpx.AsyncClient) -> None:
    """Creating an assistant answers {"success": true, "assistant": {...}} in snake_case."""
    body = {"accountSlug": TALKTURO_ACCOUNT_SLUG, "name": "Setter", "templateId": "outbound-setter"}
    created = await _post(client, "/api/assistants", body)
    assert created.status_code == 200
    data = created.json()
    assert data["success"] is True
    assistant = data["assistant"]
    assert assistant["id"].startswith("asst_01j")
    assert assistant["type"] == "outbound-setter"
    assert assistant["outbound_enabled"] is True
    assert assistant["created_at"].endswith("Z")
    fetched = await client.get(f"/api/assistants/{assistant['id']}", headers=TURO)
    assert fetched.json() == data


async def test_assistant_update_requires_account_slug_and_accepts_both_casings(
    client: httpx.AsyncClient,
) -> None:
    """PATCH without accountSlug is a 400 naming it; camelCase and snake_case both apply."""
    body = {"accountSlug": TALKTURO_ACCOUNT_SLUG, "name": "A"}
    assistant_id = (await _post(client, "/api/assistants", body)).json()["assistant"]["id"]
    path = f"/api/assistants/{assistant_id}"
    missing = await client.patch(path, json={"name": "B"}, headers=TURO)
    assert missing.status_code == 400
    assert missing.json() == {"success": False, "error": "accountSlug is required"}
    change = {"accountSlug": TALKTURO_ACCOUNT_SLUG, "firstMessage": "Hi", "max_tokens": 99}
    updated = (await client.patch(path, json=change, headers=TURO)).json()["assistant"]
    assert (updated["first_message"], updated["max_tokens"]) == ("Hi", 99)
    bad = await client.patch(path, json={**change, "temperature": 3}, headers=TURO)
    assert bad.json() == {"success": False, "error": "temperature must be between 0 and 2"}


async def test_unknown_template_and_unknown_assistant(client: httpx.AsyncClient) -> None:
    """An unknown templateId is a 400 naming it; an unknown assistant is a 404."""
    body = {"accountSlug": TALKTURO_ACCOUNT_SLUG, "name": "A", "templateId": "nope"}
    response = await _post(client, "/api/assistants", body)
    assert response.status_code == 400
    assert response.json()["error"].startswith("templateId must be one of: outbound-setter")
    missing = await client.get("/api/assistants/asst_nope", headers=TURO)
    assert missing.status_code == 404
    assert missing.json() == {"success": False, "error": "Assistant not found"}


async def test_contact_validation_names_the_field(client: httpx.AsyncClient) -> None:
    """Missing and malformed fields give 400 {"success": false, "error": "<field> …"}."""
    company_id = await _company(client)
    no_name = _contact(company_id)
    del no_name["firstName"]
    response = await _post(client, "/api/crm/contacts", no_name)
    assert response.status_code == 400
    assert response.json() == {"success": False, "error": "firstName is required"}
    bad_phone = await _post(client, "/api/crm/contacts", _contact(company_id, phone="555-1234"))
    assert bad_phone.json() == {"success": False, "error": "phone must be E.164"}
    bad_json = await client.post("/api/crm/contacts", content=b"{nope", headers=TURO)
    assert bad_json.status_code == 400
    assert bad_json.json()["success"] is False


async def test_duplicate_contact_email_or_phone_is_409(
    emu: Emulator, client: httpx.AsyncClient
) -> None:
    """A second contact with the same email (any case) or the same phone is a 409."""
    company_id = await _company(client)
    first = _contact(company_id, email="ada@example.com", phone="+12025550100")
    assert (await _post(client, "/api/crm/contacts", first)).status_code == 200
    same_email = _contact(company_id, email="ADA@example.com", phone="+12025550101")
    response = await _post(client, "/api/crm/contacts", same_email)
    assert response.status_code == 409
    assert response.json() == {"success": False, "error": "Contact with this email already exists"}
    same_phone = _contact(company_id, email="other@example.com", phone="+12025550100")
    response = await _post(client, "/api/crm/contacts", same_phone)
    assert response.status_code == 409
    assert response.json() == {"success": False, "error": "Contact with this phone already exists"}
    assert len(emu.talkturo.contacts) == 1


async def test_duplicate_company_name_is_409(client: httpx.AsyncClient) -> None:
    """A company name already used in the team (any case) is a 409."""
    await _company(client, "Initech")
    body = {"teamId": TALKTURO_TEAM_ID, "name": "INITECH"}
    response = await _post(client, "/api/crm/companies", body)
    assert response.status_code == 409
    assert response.json() == {"success": False, "error": "Company with this name already exists"}


async def test_duplicates_are_stored_when_refusal_is_off(client: httpx.AsyncClient) -> None:
    """With refuse_duplicates off, a second contact or company with the same key is stored too."""
    emu = Emulator(refuse_duplicates=False)
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://localhost") as raw:
        company_id = await _company(raw, "Initech")
        assert await _company(raw, "INITECH") != company_id
        first = _contact(company_id, email="ada@example.com", phone="+12025550100")
        again = _contact(company_id, email="ADA@example.com", phone="+12025550100")
        for body in (first, again):
            assert (await _post(raw, "/api/crm/contacts", body)).status_code == 200
    assert sorted(c["name"] for c in emu.talkturo.companies.values()) == ["INITECH", "Initech"]
    assert [c["email"] for c in emu.talkturo.contacts.values()] == [
        "ada@example.com",
        "ADA@example.com",
    ]


async def test_refusal_can_be_switched_at_runtime_and_survives_reset(
    emu: Emulator, client: httpx.AsyncClient
) -> None:
    """The switch applies to the next request, and reset() keeps it as configuration."""
    await _company(client, "Initech")
    emu.refuse_duplicates = False
    await _company(client, "Initech")
    emu.reset()
    assert emu.refuse_duplicates is False
    await _company(client, "Initech")
    await _company(client, "Initech")
    emu.refuse_duplicates = True
    response = await _post(client, "/api/crm/companies", {"teamId": TALKTURO_TEAM_ID, "name": "x"})
    assert response.status_code == 200
    response = await _post(client, "/api/crm/companies", {"teamId": TALKTURO_TEAM_ID, "name": "X"})
    assert response.status_code == 409
    assert len(emu.talkturo.companies) == 3


async def test_the_log_says_what_each_create_was_about(
    emu: Emulator, client: httpx.AsyncClient
) -> None:
    """Creates log their natural key and the id they stored; refused and invalid ones store none."""
    company_id = await _company(client, "Initech")
    await _post(client, "/api/crm/contacts", _contact(company_id, email="Ada@Example.com"))
    await _post(client, "/api/crm/contacts", _contact(company_id, email="ada@example.com"))
    await _post(client, "/api/crm/contacts", _contact(company_id, phone="+12025550100"))
    await _post(client, "/api/crm/contacts", _contact(company_id, email="not-an-email"))
    await _post(client, "/api/crm/contacts", _contact(company_id))
    contact_ids = list(emu.talkturo.contacts)
    assert [(r.status, r.subject, r.created) for r in emu.request_log] == [
        (200, "name:initech", company_id),
        (200, "email:ada@example.com", contact_ids[0]),
        (409, "email:ada@example.com", None),
        (200, "phone:+12025550100", contact_ids[1]),
        (400, None, None),
        (200, None, contact_ids[2]),
    ]


async def test_120_contacts_come_back_complete_and_in_order(client: httpx.AsyncClient) -> None:
    """Offset paging returns every contact once, in creation order, with count/limit/offset."""
    company_id = await _company(client)
    created = []
    for i in range(120):
        body = _contact(company_id, email=f"c{i}@example.com", lastName=f"N{i:03d}")
        created.append((await _post(client, "/api/crm/contacts", body)).json()["contact"]["id"])
    seen: list[str] = []
    offset = 0
    while True:
        params: dict[str, str | int] = {"teamId": TALKTURO_TEAM_ID, "limit": 50, "offset": offset}
        page = (await client.get("/api/crm/contacts", params=params, headers=TURO)).json()
        assert (page["count"], page["limit"], page["offset"]) == (120, 50, offset)
        seen += [c["id"] for c in page["contacts"]]
        offset += 50
        if offset >= page["count"]:
            break
    assert seen == created
    default = (
        await client.get("/api/crm/contacts", params={"teamId": TALKTURO_TEAM_ID}, headers=TURO)
    ).json()
    assert default["limit"] == 50
    bad = await client.get(
        "/api/crm/contacts", params={"teamId": TALKTURO_TEAM_ID, "limit": "x"}, headers=TURO
    )
    assert bad.json() == {"success": False, "error": "limit must be an integer"}


async def test_phone_search_purchase_and_assignment(
    emu: Emulator, client: httpx.AsyncClient
) -> None:
    """Search is deterministic camelCase; purchase makes an owned number the assistant takes."""
    search = {"filters": {"countryCode": "US", "areaCode": "212", "limit": 3}}
    found = (await _post(client, "/api/phone-numbers/search", search)).json()
    assert found["provider"] == "telnyx"
    assert found["count"] == 3
    first = found["numbers"][0]
    assert first == {
        "phoneNumber": "+12125550100",
        "monthlyPrice": "1.00",
        "setupPrice": "1.00",
        "features": ["voice", "sms"],
    }
    bought = await _post(
        client,
        "/api/phone-numbers/purchase",
        {"phoneNumber": first["phoneNumber"], "teamId": TALKTURO_TEAM_ID},
    )
    number = bought.json()["phoneNumber"]
    assert number["phone_number"] == "+12125550100"
    again = (await _post(client, "/api/phone-numbers/search", search)).json()
    assert again["numbers"][0]["phoneNumber"] == "+12125550101"
    twice = await _post(
        client,
        "/api/phone-numbers/purchase",
        {"phoneNumber": "+12125550100", "teamId": TALKTURO_TEAM_ID},
    )
    assert twice.status_code == 409

    body = {
        "accountSlug": TALKTURO_ACCOUNT_SLUG,
        "name": "Inbound",
        "templateId": "inbound-support",
    }
    assistant_id = (await _post(client, "/api/assistants", body)).json()["assistant"]["id"]
    path = f"/api/assistants/{assistant_id}/telephony/phone-numbers"
    assign = {"accountSlug": TALKTURO_ACCOUNT_SLUG, "phoneNumberIds": [number["id"]]}
    assigned = await client.patch(path, json=assign, headers=TURO)
    assert assigned.status_code == 200
    assert emu.talkturo.phone_numbers[number["id"]]["assistant_id"] == assistant_id
    bad = await client.patch(
        path, json={**assign, "phoneNumberIds": ["+12125550100"]}, headers=TURO
    )
    assert bad.json() == {"success": False, "error": "phoneNumberIds.0 does not exist"}
    cleared = await client.patch(path, json={**assign, "phoneNumberIds": []}, headers=TURO)
    assert cleared.status_code == 200
    assert emu.talkturo.phone_numbers[number["id"]]["assistant_id"] is None
    owned = (
        await client.get("/api/phone-numbers", params={"teamId": TALKTURO_TEAM_ID}, headers=TURO)
    ).json()
    assert [n["id"] for n in owned["phoneNumbers"]] == [number["id"]]
    missing = await _post(client, "/api/phone-numbers/search", {"filters": {}})
    assert missing.json() == {"success": False, "error": "filters.countryCode is required"}


async def test_campaign_contacts_and_start_stop(emu: Emulator, client: httpx.AsyncClient) -> None:
    """Contacts join a campaign once, do-not-call ones are skipped, and starts are recorded."""
    company_id = await _company(client)
    ids = []
    for i, dnc in enumerate((False, False, True)):
        body = _contact(company_id, email=f"p{i}@example.com", doNotCall=dnc)
        ids.append((await _post(client, "/api/crm/contacts", body)).json()["contact"]["id"])
    body = {"teamId": TALKTURO_TEAM_ID, "name": "Renewals", "fromNumber": "+12025550199"}
    campaign = (await _post(client, "/api/crm/campaigns", body)).json()["campaign"]
    assert campaign["id"].startswith("camp_01j")
    assert (campaign["status"], campaign["call_window_start"]) == ("draft", "09:00")
    base = f"/api/crm/campaigns/{campaign['id']}"
    added = (await _post(client, f"{base}/contacts", {"contactIds": ids + ids[:1]})).json()
    assert (added["added"], added["skipped"]) == (2, 2)
    listed = (await client.get(f"{base}/contacts", headers=TURO)).json()
    assert [c["id"] for c in listed["contacts"]] == ids[:2]

    started = await _post(client, f"{base}/run", {"action": "start"})
    assert started.json()["status"] == "running"
    again = await _post(client, f"{base}/run", {"action": "start"})
    assert again.status_code == 409
    window = await client.patch(base, json={"callWindowStart": "10:00"}, headers=TURO)
    assert window.status_code == 409
    stopped = await _post(client, f"{base}/run", {"action": "stop"})
    assert stopped.json()["status"] == "paused"
    assert [r["action"] for r in emu.talkturo.campaign_runs] == ["start", "stop"]
    running = await client.get(
        "/api/crm/campaigns", params={"teamId": TALKTURO_TEAM_ID, "status": "paused"}, headers=TURO
    )
    assert running.json()["count"] == 1
    assert (await client.delete(base, headers=TURO)).status_code == 200
    assert (await client.get(base, headers=TURO)).status_code == 404
    only = await client.get(
        "/api/crm/campaigns", params={"teamId": TALKTURO_TEAM_ID, "deleted": "only"}, headers=TURO
    )
    assert only.json()["count"] == 1


async def test_companies_list_by_account_slug_with_search(client: httpx.AsyncClient) -> None:
    """Companies list by accountSlug and filter by name search."""
    for name in ("Alpha", "Beta", "Alphabet"):
        await _company(client, name)
    params = {"accountSlug": TALKTURO_ACCOUNT_SLUG, "search": "alpha"}
    data = (await client.get("/api/crm/companies", params=params, headers=TURO)).json()
    assert [c["name"] for c in data["companies"]] == ["Alpha", "Alphabet"]
    neither = await client.get("/api/crm/companies", headers=TURO)
    assert neither.json() == {"success": False, "error": "teamId or accountSlug is required"}


async def test_inbound_webhook_needs_no_token(emu: Emulator, client: httpx.AsyncClient) -> None:
    """The call-status webhook accepts unsigned posts and records them."""
    event = {"data": {"event_type": "call.answered"}}
    response = await client.post("/api/db/webhook", json=event)
    assert response.json() == {"received": True}
    assert emu.talkturo.webhook_events[0]["payload"] == event


async def _started_campaign(
    emu: Emulator, client: httpx.AsyncClient, phones: list[str], body: dict[str, Any]
) -> tuple[str, str]:
    """A campaign with one contact per phone, started: its path and company id."""
    company_id = await _company(client)
    ids = []
    for i, phone in enumerate(phones):
        contact = _contact(company_id, email=f"c{i}@example.com", phone=phone)
        ids.append((await _post(client, "/api/crm/contacts", contact)).json()["contact"]["id"])
    campaign = (
        await _post(client, "/api/crm/campaigns", {"teamId": TALKTURO_TEAM_ID, **body})
    ).json()["campaign"]
    base = f"/api/crm/campaigns/{campaign['id']}"
    await _post(client, f"{base}/contacts", {"contactIds": ids})
    assert (await _post(client, f"{base}/run", {"action": "start"})).status_code == 200
    return base, company_id


async def test_a_started_campaign_calls_each_contact_once(
    emu: Emulator, client: httpx.AsyncClient
) -> None:
    """One call per contact with a phone; a restart calls only contacts added since."""
    emu.call_time_scale = 0
    phones = ["+12025550301", "+12025550302"]
    body = {"name": "Dial", "fromNumber": "+12025550199"}
    base, company_id = await _started_campaign(emu, client, phones, body)
    calls = list(emu.talkturo.calls.values())
    assert [(c["to"], c["from"], c["status"]) for c in calls] == [
        (p, "+12025550199", "initiated") for p in phones
    ]
    emu.talkturo.settle()
    fates = emu.talkturo_call_fates()
    assert list(fates) == [c["id"] for c in calls]
    assert [c["status"] for c in calls] == [f.status for f in fates.values()]
    assert all(c["ended_at"] is not None for c in calls)
    assert emu.placed_calls == []  # Talkover's record only
    assert emu.pending_webhooks == 0  # no Talkturo call webhook URL

    await _post(client, f"{base}/run", {"action": "stop"})
    later = _contact(company_id, email="later@example.com", phone="+12025550303")
    later_id = (await _post(client, "/api/crm/contacts", later)).json()["contact"]["id"]
    await _post(client, f"{base}/contacts", {"contactIds": [later_id]})
    await _post(client, f"{base}/run", {"action": "start"})
    assert [c["to"] for c in emu.talkturo.calls.values()] == [*phones, "+12025550303"]


async def test_campaign_call_fates_follow_the_seed() -> None:
    """Two emulators with one seed end the same calls the same way."""
    phones = [f"+1202555{n:04d}" for n in range(400, 412)]
    ends = []
    for _ in range(2):
        emu = Emulator(seed=5, call_time_scale=0)
        async with httpx.AsyncClient(
            transport=emu.transport(), base_url="http://localhost"
        ) as client:
            await _started_campaign(emu, client, phones, {"name": "Seeded"})
        ends.append([(f.to, f.status, f.duration) for f in emu.talkturo_call_fates().values()])
    assert ends[0] == ends[1]
    assert len({status for _, status, _ in ends[0]}) > 1
