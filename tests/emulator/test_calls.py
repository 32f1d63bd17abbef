"""Talkover calls over time: status progression, the seeded mix, history filters and the truth."""

from __future__ import annotations

import contextlib
import math
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import httpx
import pytest

from talkkit.emulator import TALKTURO_TEAM_ID, CallFate, Emulator, FaultRule

from .conftest import OVER, TURO

pytestmark = pytest.mark.anyio

NUMBERS = [f"+1202555{n:04d}" for n in range(40)]


class WallClock:
    """A wall clock (the emulator's `now`) that only moves when told to."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def wall() -> WallClock:
    """A fake wall clock."""
    return WallClock()


def _emulator(wall: WallClock | None = None, **options: Any) -> Emulator:
    return Emulator(rate_limits={"talkover": None}, now=wall, **options)


Timed = tuple[Emulator, httpx.AsyncClient]


@pytest.fixture
async def timed(wall: WallClock) -> AsyncIterator[Timed]:
    """A real-time emulator on the fake wall clock, without rate limits, and its client."""
    emu = _emulator(wall)
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://emu") as client:
        yield emu, client


async def _agent(client: httpx.AsyncClient) -> str:
    """A published agent's id."""
    agent = await client.post("/api/v1/agents", json={"name": "Caller"}, headers=OVER)
    agent_id = str(agent.json()["data"]["id"])
    groups = (await client.get("/api/v1/voice-templates", headers=OVER)).json()["data"]
    voice = {
        "voice_id": groups[0]["voices"][0]["id"],
        "conversation_speed": 1.0,
        "who_speaks_first": "agent",
    }
    await client.put(f"/api/v1/agents/{agent_id}/voice", json=voice, headers=OVER)
    published = await client.post(f"/api/v1/agents/{agent_id}/publish", headers=OVER)
    assert published.json()["data"]["current_status"] == "published"
    return agent_id


async def _dial(client: httpx.AsyncClient, agent_id: str, to: str, **body: Any) -> str:
    placed = await client.post(
        f"/api/v1/agents/{agent_id}/call", json={"to": to, **body}, headers=OVER
    )
    assert placed.status_code == 200, placed.text
    assert placed.json()["data"]["status"] == "initiated"
    return str(placed.json()["data"]["id"])


async def _history(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/calls", params=params, headers=OVER)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _call(client: httpx.AsyncClient, call_id: str) -> dict[str, Any]:
    """One call of the history (there is no single-call GET)."""
    [call] = [c for c in (await _history(client, per_page=100))["data"] if c["id"] == call_id]
    return call


def _statuses_over_time(emu: Emulator, wall: WallClock, call_id: str, step: float) -> list[str]:
    """Every distinct status the call shows while the clock moves on by `step` seconds."""
    seen: list[str] = []
    for _ in range(10_000):
        emu.talkover.settle()
        status = emu.talkover.calls[call_id]["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if emu.talkover.calls[call_id]["ended_at"] is not None:
            return seen
        wall.advance(step)
    raise AssertionError(f"the call never ended: {seen}")


async def test_an_answered_call_rings_talks_and_completes(wall: WallClock) -> None:
    """initiated → ringing → answered → completed; duration and ended_at appear at the end."""
    emu = _emulator(wall, call_mix={"completed": 1})
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://emu") as client:
        agent_id = await _agent(client)
        call_id = await _dial(client, agent_id, NUMBERS[0])
        live = await _call(client, call_id)
        assert (live["status"], live["duration"], live["ended_at"]) == ("initiated", 0, None)
        seen = _statuses_over_time(emu, wall, call_id, 0.5)
        assert seen == ["initiated", "ringing", "answered", "completed"]
        ended = await _call(client, call_id)
    fate = emu.call_fates()[call_id]
    assert fate == CallFate(
        call_id=call_id,
        to=NUMBERS[0],
        agent_id=agent_id,
        campaign_id=None,
        status="completed",
        duration=fate.duration,
        ends_at=fate.ends_at,
    )
    assert 15 <= fate.duration <= 240
    assert fate.ends_at is not None
    assert ended["status"] == "completed"
    assert ended["duration"] == fate.duration
    assert ended["ended_at"] == ended["updated_at"] == fate.ends_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ended["created_at"] == "2026-03-01T12:00:00Z"


@pytest.mark.parametrize("final", ["busy", "no-answer", "failed"])
async def test_an_unanswered_call_rings_then_ends_without_talk_time(
    wall: WallClock, final: str
) -> None:
    """initiated → ringing → busy / no-answer / failed, with duration 0."""
    emu = _emulator(wall, call_mix={final: 1})
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://emu") as client:
        call_id = await _dial(client, await _agent(client), NUMBERS[1])
        assert _statuses_over_time(emu, wall, call_id, 0.5) == ["initiated", "ringing", final]
        ended = await _call(client, call_id)
    assert (ended["status"], ended["duration"]) == (final, 0)
    assert (emu.call_fates()[call_id].status, emu.call_fates()[call_id].duration) == (final, 0)


async def test_time_scale_shrinks_the_call_but_not_its_duration(wall: WallClock) -> None:
    """At scale 0.001 a call ends within a quarter second of clock time; durations stay real."""
    emu = _emulator(wall, call_mix={"completed": 1}, call_time_scale=0.001)
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://emu") as client:
        call_id = await _dial(client, await _agent(client), NUMBERS[2])
        wall.advance(0.0005)
        assert (await _call(client, call_id))["status"] == "initiated"
        wall.advance(0.25)
        ended = await _call(client, call_id)
    fate = emu.call_fates()[call_id]
    assert ended["status"] == "completed"
    assert ended["duration"] == fate.duration >= 15
    assert fate.ends_at is not None
    assert fate.ends_at - datetime(2026, 3, 1, 12, 0, tzinfo=UTC) < timedelta(seconds=0.25)


async def test_scale_zero_ends_at_once_and_infinity_never() -> None:
    """Scale 0: the first read shows the end; math.inf: `initiated` until complete_calls()."""
    emu = _emulator(call_time_scale=0)
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://emu") as client:
        agent_id = await _agent(client)
        call_id = await _dial(client, agent_id, NUMBERS[3])
        assert (await _call(client, call_id))["status"] == emu.call_fates()[call_id].status
        emu.call_time_scale = math.inf
        frozen = await _dial(client, agent_id, NUMBERS[4])
        assert emu.call_fates()[frozen].ends_at is None
        assert (await _call(client, frozen))["status"] == "initiated"
        assert emu.talkover.complete_calls("no-answer", 0) == 1
        ended = await _call(client, frozen)
    assert (ended["status"], ended["duration"]) == ("no-answer", 0)
    assert ended["ended_at"] is not None
    fate = emu.call_fates()[frozen]
    assert (fate.status, fate.duration) == ("no-answer", 0)
    assert emu.call_fates()[call_id].status != "initiated"


async def test_a_call_ends_in_well_under_a_second_of_real_time() -> None:
    """On the real clock, a small scale lets a test follow calls to their end quickly."""
    emu = _emulator(call_time_scale=0.0005)
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://emu") as client:
        agent_id = await _agent(client)
        ids = [await _dial(client, agent_id, number) for number in NUMBERS[:5]]
        with anyio.fail_after(10):
            while True:
                calls = {c["id"]: c for c in (await _history(client))["data"]}
                if all(calls[i]["ended_at"] is not None for i in ids):
                    break
                await anyio.sleep(0.02)
    fates = emu.call_fates()
    assert {i: (calls[i]["status"], calls[i]["duration"]) for i in ids} == {
        i: (fates[i].status, fates[i].duration) for i in ids
    }


async def test_delay_seconds_holds_the_call_before_it_rings(timed: Timed, wall: WallClock) -> None:
    """A call placed with delay_seconds stays `initiated` for that long."""
    _emu, client = timed
    call_id = await _dial(client, await _agent(client), NUMBERS[5], delay_seconds=60)
    wall.advance(59)
    assert (await _call(client, call_id))["status"] == "initiated"
    wall.advance(5)
    assert (await _call(client, call_id))["status"] == "ringing"


async def _fates_by_number(emu: Emulator, numbers: list[str]) -> dict[str, tuple[str, int]]:
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://emu") as client:
        agent_id = await _agent(client)
        for number in numbers:
            await _dial(client, agent_id, number)
    return {f.to: (f.status, f.duration) for f in emu.call_fates().values()}


async def test_the_mix_is_seeded_per_number_whatever_the_order() -> None:
    """Same seed: the same number gets the same end in any order; another seed differs."""
    first = await _fates_by_number(_emulator(seed=7), NUMBERS)
    again = await _fates_by_number(_emulator(seed=7), NUMBERS[::-1])
    other = await _fates_by_number(_emulator(seed=8), NUMBERS)
    assert first == again
    assert first != other
    assert {s for s, _ in first.values()} == {"completed", "no-answer", "busy", "failed"}


async def test_the_mix_follows_its_weights_and_a_redial_draws_anew() -> None:
    """Over 1,000 calls each final status shows up about as often as weighted."""
    emu = _emulator(call_mix={"completed": 0.5, "busy": 0.5})
    numbers = [f"+1303555{n:04d}" for n in range(1000)]
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://emu") as client:
        agent_id = await _agent(client)
        for number in numbers:
            await _dial(client, agent_id, number)
        redials = [await _dial(client, agent_id, numbers[0]) for _ in range(20)]
    mix = Counter(f.status for f in emu.call_fates().values())
    assert set(mix) == {"completed", "busy"}
    assert 400 <= mix["completed"] <= 600
    assert len({emu.call_fates()[i].status for i in redials}) == 2
    assert emu.calls_per_number()[numbers[0]] == 21
    assert emu.calls_per_number()[numbers[1]] == 1


def test_call_settings_are_checked_and_survive_reset() -> None:
    """Bad scales and mixes are refused; reset() keeps scale and mix."""
    with pytest.raises(ValueError, match="call_time_scale"):
        Emulator(call_time_scale=-1)
    with pytest.raises(ValueError, match="final statuses"):
        Emulator(call_mix={"answered": 1})
    with pytest.raises(ValueError, match="weights"):
        Emulator(call_mix={"busy": 0})
    emu = Emulator(call_time_scale=0.5, call_mix={"busy": 1})
    with pytest.raises(ValueError, match="call_time_scale"):
        emu.call_time_scale = math.nan
    emu.reset()
    assert (emu.call_time_scale, emu.call_mix) == (0.5, {"busy": 1})


async def test_reset_forgets_calls_and_replays_the_same_fates() -> None:
    """After reset() the same calls get the same ends again."""
    emu = _emulator()
    before = await _fates_by_number(emu, NUMBERS[:10])
    emu.reset()
    assert emu.call_fates() == {}
    assert emu.calls_per_number() == Counter()
    assert await _fates_by_number(emu, NUMBERS[:10]) == before


async def test_history_filters_for_reconciling_and_following(timed: Timed, wall: WallClock) -> None:
    """agent_id, search (number), date_from/date_to, status and paging narrow the history."""
    emu, client = timed
    mine, other = await _agent(client), await _agent(client)
    first = await _dial(client, mine, NUMBERS[0])
    wall.advance(86_400)
    second = await _dial(client, mine, NUMBERS[1])
    theirs = await _dial(client, other, NUMBERS[0])
    ids = lambda body: [c["id"] for c in body["data"]]  # noqa: E731
    assert ids(await _history(client, agent_id=mine)) == [second, first]
    assert ids(await _history(client, search=NUMBERS[0])) == [theirs, first]
    assert ids(await _history(client, agent_id=mine, search=NUMBERS[0])) == [first]
    assert ids(await _history(client, date_from="2026-03-02")) == [theirs, second]
    assert ids(await _history(client, date_to="2026-03-01")) == [first]
    assert ids(await _history(client, date_from="2026-03-01", date_to="2026-03-01")) == [first]
    ended = emu.call_fates()[first]
    assert ids(await _history(client, status=ended.status)) == [first]
    assert ids(await _history(client, status="initiated")) == [theirs, second]
    agent_calls = await client.get(
        f"/api/v1/agents/{mine}/calls", params={"search": NUMBERS[1]}, headers=OVER
    )
    assert [c["id"] for c in agent_calls.json()["data"]] == [second]
    bad = await client.get("/api/v1/calls", params={"date_from": "2026-03-01T10:00"}, headers=OVER)
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"date_from": ["The date from field must be a valid date."]}


async def test_history_pages_through_many_calls(timed: Timed) -> None:
    """per_page 100 walks 250 calls in three pages with the pagination block."""
    _emu, client = timed
    agent_id = await _agent(client)
    placed = [await _dial(client, agent_id, f"+1404555{n:04d}") for n in range(250)]
    seen: list[str] = []
    for page in (1, 2, 3):
        body = await _history(client, agent_id=agent_id, per_page=100, page=page)
        assert body["pagination"]["last_page"] == 3
        assert body["pagination"]["total"] == 250
        seen += [c["id"] for c in body["data"]]
    assert seen == placed[::-1]


async def test_campaign_calls_progress_and_count_in_stats(wall: WallClock) -> None:
    """Campaign calls follow their script too; the campaign's stats count the ends."""
    emu = _emulator(wall, call_mix={"completed": 1})
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://emu") as client:
        agent_id = await _agent(client)
        body = {"name": "Spring", "agent_id": agent_id}
        campaign = (await client.post("/api/v1/campaigns", json=body, headers=OVER)).json()
        path = f"/api/v1/campaigns/{campaign['data']['id']}"
        queued = await client.post(f"{path}/call", json={"to": NUMBERS[0]}, headers=OVER)
        assert queued.status_code == 201
        wall.advance(3600)
        stats = (await client.get(path, headers=OVER)).json()["data"]["stats"]
    [fate] = emu.call_fates().values()
    assert fate.campaign_id == campaign["data"]["id"]
    assert (stats["total_calls"], stats["completed_calls"]) == (1, 1)
    assert stats["average_duration"] == fate.duration


async def test_placement_faults_place_nothing_or_exactly_one_call() -> None:
    """10 % 5xx, 2 % drops, 1 % commit-then-drop on placement: the log matches the calls."""
    emu = _emulator(seed=3)
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://emu") as client:
        agent_id = await _agent(client)
        rule = FaultRule(
            "POST /api/v1/agents/*/call", error_rate=0.10, drop_rate=0.02, commit_drop_rate=0.01
        )
        emu.faults.add(rule)
        numbers = [f"+1505555{n:04d}" for n in range(1000)]
        for number in numbers:
            with contextlib.suppress(httpx.TransportError):
                await client.post(
                    f"/api/v1/agents/{agent_id}/call", json={"to": number}, headers=OVER
                )
        history = await _history(client, per_page=100)
    calls = [r for r in emu.request_log if r.method == "POST" and r.path.endswith("/call")]
    faults = Counter(r.fault for r in calls)
    assert 70 <= faults["error"] <= 130
    assert 5 <= faults["drop"] <= 40
    assert 2 <= faults["commit_drop"] <= 25
    placed = {c.call_id for c in emu.placed_calls}
    assert placed == {r.created for r in calls if r.fault in (None, "commit_drop")}
    assert all(r.created is None for r in calls if r.fault in ("error", "drop"))
    assert (
        sum(emu.calls_per_number().values())
        == len(placed)
        == 1000 - faults["error"] - faults["drop"]
    )
    assert history["pagination"]["total"] == len(placed)  # GETs are not faulted by this rule
    assert emu.faults.fired(rule) == sum(faults[k] for k in ("error", "drop", "commit_drop"))


async def test_get_requests_are_faulted_only_when_a_rule_names_them(
    timed: Timed, wall: WallClock
) -> None:
    """A rule for the history applies to the reads that follow and reconcile calls."""
    emu, client = timed
    await _agent(client)
    emu.faults.add(FaultRule("GET /api/v1/calls", error_rate=1.0, times=1))
    assert (await client.get("/api/v1/calls", headers=OVER)).status_code == 500
    assert (await client.get("/api/v1/calls", headers=OVER)).status_code == 200


async def test_contact_faults_and_the_stored_keys() -> None:
    """Contact creates under 5xx/drops/commit-drops store each created row once, by key."""
    emu = Emulator(seed=5)
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://emu") as client:
        company = await client.post(
            "/api/crm/companies", json={"teamId": TALKTURO_TEAM_ID, "name": "Acme"}, headers=TURO
        )
        company_id = company.json()["company"]["id"]
        emu.faults.add(
            FaultRule(
                "POST /api/crm/contacts", error_rate=0.1, drop_rate=0.02, commit_drop_rate=0.01
            )
        )
        rows = [f"Row{n}@Example.com" for n in range(300)]
        for email in rows:
            body = {
                "teamId": TALKTURO_TEAM_ID,
                "companyId": company_id,
                "firstName": "A",
                "lastName": "B",
                "email": email,
            }
            with contextlib.suppress(httpx.TransportError):
                await client.post("/api/crm/contacts", json=body, headers=TURO)
    created = {
        r.subject
        for r in emu.request_log
        if r.path == "/api/crm/contacts" and r.created is not None
    }
    lost = [r for r in emu.request_log if r.path == "/api/crm/contacts" and r.fault]
    assert 20 <= len(lost) <= 60
    assert emu.contact_keys() == Counter(dict.fromkeys(created, 1))
    assert len(created) == 300 - sum(r.fault in ("error", "drop") for r in lost)
    assert emu.company_keys() == Counter({"name:acme": 1})


async def test_agent_published_state_and_not_found_shapes(timed: Timed) -> None:
    """What a dial preflight reads: the agent's current_status, and 404 shape C with a code."""
    _emu, client = timed
    draft = (await client.post("/api/v1/agents", json={"name": "D"}, headers=OVER)).json()["data"]
    fetched = await client.get(f"/api/v1/agents/{draft['id']}", headers=OVER)
    assert fetched.json()["data"]["current_status"] == "draft"
    refused = await client.post(
        f"/api/v1/agents/{draft['id']}/call", json={"to": NUMBERS[0]}, headers=OVER
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "AGENT_NOT_PUBLISHED")
    published = await _agent(client)
    fetched = await client.get(f"/api/v1/agents/{published}", headers=OVER)
    assert fetched.json()["data"]["current_status"] == "published"
    for path, code, what in [
        ("/api/v1/agents/agent_missing", "AGENT_NOT_FOUND", "Agent"),
        ("/api/v1/campaigns/camp_missing", "CAMPAIGN_NOT_FOUND", "Campaign"),
    ]:
        missing = await client.get(path, headers=OVER)
        assert missing.status_code == 404
        assert missing.json() == {"success": False, "message": f"{what} not found", "code": code}
    call = await client.post("/api/v1/agents/nope/call", json={"to": NUMBERS[0]}, headers=OVER)
    assert (call.status_code, call.json()["code"]) == (404, "AGENT_NOT_FOUND")
    queued = await client.post("/api/v1/campaigns/nope/call", json={"to": NUMBERS[0]}, headers=OVER)
    assert (queued.status_code, queued.json()["code"]) == (404, "CAMPAIGN_NOT_FOUND")


async def test_talkturo_not_found_shapes(client: httpx.AsyncClient) -> None:
    """Team, company and campaign 404s are {"success": false, "error": "<What> not found"}."""
    team = await client.get("/api/crm/companies", params={"teamId": "team_nope"}, headers=TURO)
    assert (team.status_code, team.json()) == (404, {"success": False, "error": "Team not found"})
    company = await client.get("/api/crm/companies/comp_nope", headers=TURO)
    assert (company.status_code, company.json()) == (
        404,
        {"success": False, "error": "Company not found"},
    )
    body = {"teamId": TALKTURO_TEAM_ID, "companyId": "comp_nope", "firstName": "A", "lastName": "B"}
    contact = await client.post("/api/crm/contacts", json=body, headers=TURO)
    assert (contact.status_code, contact.json()["error"]) == (404, "Company not found")
    campaign = await client.get("/api/crm/campaigns/camp_nope", headers=TURO)
    assert (campaign.status_code, campaign.json()["error"]) == (404, "Campaign not found")
    created = await client.post(
        "/api/crm/companies", json={"teamId": TALKTURO_TEAM_ID, "name": "Acme"}, headers=TURO
    )
    company_id = created.json()["company"]["id"]
    found = await client.get(f"/api/crm/companies/{company_id}", headers=TURO)
    assert found.json() == created.json()
