"""Dialing in bulk: each row is checked by the fields of `Agents.call`, naming its column."""

from __future__ import annotations

import math
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from talkkit import AuthenticationError, InvalidRequestError, NotFoundError, PreflightError
from talkkit.bulk import CallEnd, Outcome
from talkkit.emulator import Emulator, FaultRule
from talkkit.talkover import AsyncTalkover
from talkkit.talkover._bulk import FINAL_STATUSES, calls_operation

from .conftest import BASE_URL, FAST_RETRY, RecordingTransport, new_agent, published_agent

pytestmark = pytest.mark.anyio


async def test_call_rows_take_the_calls_fields_and_name_the_bad_one(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """delay_seconds and is_testing columns are sent as for one call; bad ones fail their row."""
    agent = await published_agent(client)
    rows = [
        {"phone": "+14155550100", "delay_seconds": "30", "is_testing": "yes", "custom.name": "Ana"},
        {"phone": "+14155550101", "delay_seconds": "9999"},
        {"phone_number": "555-0102"},
        {"phone": "+14155550103", "is_testing": "perhaps"},
    ]
    summary = await client.calls.dial_many(rows, agent_id=agent.id)
    assert summary.done == 1
    assert [(f.row, f.field) for f in summary.failures] == [
        (2, "delay_seconds"),
        (3, "phone_number"),
        (4, "is_testing"),
    ]
    [sent] = [s.body for s in wire.sent if s.path.endswith("/call")]
    assert sent == {
        "to": "+14155550100",
        "delay_seconds": 30,
        "is_testing": True,
        "payload": {"name": "Ana"},
    }
    assert len(emu.placed_calls) == 1


# -- the dial job's preflight, follow and journal keys (the operation, without the engine) --


def _gets(wire: RecordingTransport) -> list[tuple[str, str, dict[str, str]]]:
    return [(s.method, s.path, s.params) for s in wire.sent]


async def test_preflight_reads_the_agent_once_and_passes_when_published(
    client: AsyncTalkover, wire: RecordingTransport
) -> None:
    """One GET of the agent checks the token, that it exists and that it is published."""
    agent = await published_agent(client)
    operation = calls_operation(client, agent_id=agent.id)
    assert operation.preflight is not None
    wire.sent.clear()
    await operation.preflight()
    assert _gets(wire) == [("GET", f"/agents/{agent.id}", {})]


async def test_preflight_names_a_missing_or_draft_agent(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """A missing agent and a draft agent fail as agent_id with the value; nothing is placed."""
    missing = calls_operation(client, agent_id="agent_nope")
    assert missing.preflight is not None
    with pytest.raises(PreflightError) as caught:
        await missing.preflight()
    assert (caught.value.field, caught.value.value) == ("agent_id", "agent_nope")
    assert "not found" in caught.value.reason
    assert isinstance(caught.value.cause, NotFoundError)

    draft = await new_agent(client)
    unpublished = calls_operation(client, agent_id=draft.id)
    assert unpublished.preflight is not None
    with pytest.raises(PreflightError) as caught:
        await unpublished.preflight()
    assert (caught.value.field, caught.value.value) == ("agent_id", draft.id)
    assert "not published (it is draft)" in caught.value.reason
    assert emu.placed_calls == []
    assert not [s for s in wire.sent if s.path.endswith("/call")]


async def test_preflight_blames_the_token_without_showing_it(emu: Emulator) -> None:
    """A refused token fails as ``token``: its value appears nowhere in the error."""
    token = "talq_not-the-right-one"
    async with AsyncTalkover(
        token, base_url=BASE_URL, transport=emu.transport(), rate_limit=None, retry=FAST_RETRY
    ) as stranger:
        operation = calls_operation(stranger, agent_id="agent_1")
        assert operation.preflight is not None
        with pytest.raises(PreflightError) as caught:
            await operation.preflight()
    error = caught.value
    assert (error.field, error.value) == ("token", None)
    assert isinstance(error.cause, AuthenticationError)
    assert token not in str(error)
    assert token not in repr(error.args)


async def test_follow_reports_the_true_end_of_every_call_in_one_request(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """Ended calls come back with the history's final status and duration, matching the truth."""
    emu.call_time_scale = 0  # every call is over at once
    agent = await published_agent(client)
    operation = calls_operation(client, agent_id=agent.id)
    assert operation.follow is not None
    numbers = [f"+1415555{n:04d}" for n in range(12)]
    ids = [await operation.send({"phone_number": n}) for n in numbers]
    wire.sent.clear()
    ended = await operation.follow([i for i in ids if i is not None])
    truth = emu.call_fates()
    assert ended == {
        call_id: CallEnd(status=fate.status, duration=float(fate.duration))
        for call_id, fate in truth.items()
    }
    assert {end.status for end in ended.values()} <= set(FINAL_STATUSES)
    [(method, path, params)] = _gets(wire)
    assert (method, path, params["agent_id"], params["per_page"]) == (
        "GET",
        "/calls",
        agent.id,
        "100",
    )
    assert "date_from" in params


async def test_follow_leaves_live_calls_out(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """Calls that have not ended (and ids the history does not know) are not reported."""
    emu.call_time_scale = math.inf  # calls stay `initiated`
    agent = await published_agent(client)
    operation = calls_operation(client, agent_id=agent.id)
    assert operation.follow is not None
    placed = await operation.send({"phone_number": "+14155550100"})
    assert placed is not None
    assert await operation.follow([placed, "no-such-call"]) == {}
    assert await operation.follow([]) == {}


async def test_follow_walks_the_history_only_as_far_as_it_must(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """Newest first, 100 a page: the newest call takes one request, the oldest of 150 two."""
    emu.call_time_scale = 0
    agent = await published_agent(client)
    operation = calls_operation(client, agent_id=agent.id)
    assert operation.follow is not None
    ids = [await operation.send({"phone_number": f"+1415555{n:04d}"}) for n in range(150)]
    wire.sent.clear()
    assert list(await operation.follow([ids[-1] or ""])) == [ids[-1]]
    assert len(wire.sent) == 1
    wire.sent.clear()
    assert list(await operation.follow([ids[0] or ""])) == [ids[0]]
    assert [s.params["page"] for s in wire.sent] == ["1", "2"]


async def test_follow_maps_only_the_documented_final_statuses() -> None:
    """completed, busy, no-answer and failed end a call; any other status is still live."""
    statuses = ["initiated", "ringing", "answered", "completed", "no-answer", "busy", "failed"]
    calls = [
        {"id": f"c{n}", "to": "+14155550100", "status": status, "duration": n or None}
        for n, status in enumerate([*statuses, "voicemail"])
    ]
    page = {
        "success": True,
        "data": calls,
        "pagination": {"current_page": 1, "last_page": 1, "per_page": 100, "total": len(calls)},
    }
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=page))
    async with AsyncTalkover(
        "talq_t", base_url=BASE_URL, transport=transport, rate_limit=None
    ) as mocked:
        operation = calls_operation(mocked, agent_id="agent_1")
        assert operation.follow is not None
        ended = await operation.follow([c["id"] for c in calls])
    assert ended == {
        "c3": CallEnd(status="completed", duration=3.0),
        "c4": CallEnd(status="no-answer", duration=4.0),
        "c5": CallEnd(status="busy", duration=5.0),
        "c6": CallEnd(status="failed", duration=6.0),
    }


async def test_a_journal_key_gives_back_its_number(client: AsyncTalkover) -> None:
    """from_key turns ``phone:+1…`` back into a row that prepares to the same key."""
    operation = calls_operation(client, agent_id="agent_1")
    assert operation.from_key is not None
    prepared = operation.prepare({"phone": "+1 415 555 0100"})
    assert operation.from_key(prepared.key) == "+14155550100"
    assert operation.prepare(operation.from_key(prepared.key)).key == prepared.key
    with pytest.raises(InvalidRequestError) as caught:
        operation.from_key("email:a@example.com")
    assert caught.value.field == "key"


async def test_reconcile_looks_in_the_agents_history_of_those_days(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """An unclear call is looked up by number, agent and date: found → its id, else None."""
    agent = await published_agent(client)
    operation = calls_operation(client, agent_id=agent.id)
    assert operation.reconcile is not None
    placed = await operation.send({"phone_number": "+14155550100"})
    wire.sent.clear()
    since = time.time() - 5
    found = await operation.reconcile(operation.prepare("+14155550100"), since)
    assert found == placed
    [(_, path, params)] = _gets(wire)
    day = (datetime.fromtimestamp(since - 120, UTC) - timedelta(days=1)).date().isoformat()
    assert (path, params["agent_id"], params["search"], params["date_from"]) == (
        "/calls",
        agent.id,
        "+14155550100",
        day,
    )
    assert await operation.reconcile(operation.prepare("+14155550199"), since) is None


# -- the public dial job: its new settings, passed to the engine -----------------------------


async def test_dial_many_refuses_a_draft_agent_before_dialling(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """The preflight stops a job whose agent is a draft; preflight=False sends the rows."""
    draft = await new_agent(client)
    numbers = ["+14155550100", "+14155550101"]
    with pytest.raises(PreflightError) as caught:
        await client.calls.dial_many(numbers, agent_id=draft.id)
    assert caught.value.field == "agent_id"
    assert not [s for s in wire.sent if s.path.endswith("/call")]
    summary = await client.calls.dial_many(numbers, agent_id=draft.id, preflight=False)
    # The server refuses a call to a draft agent (409 AGENT_NOT_PUBLISHED): that is about the
    # job's agent, not "the call exists", so the job stops and no row counts as skipped.
    assert (summary.not_sent, summary.skipped, summary.done) == (2, 0, 0)
    assert summary.aborted is not None
    assert "AGENT_NOT_PUBLISHED" in summary.aborted
    assert 1 <= len([s for s in wire.sent if s.path.endswith("/call")]) <= 2
    assert emu.placed_calls == []


async def test_dial_many_waits_for_the_true_end_of_every_call(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """With wait, each outcome carries the call's final status and duration, as they ended."""
    emu.call_time_scale = 0.0005  # a four-minute call ends in an eighth of a second
    agent = await published_agent(client)
    numbers = [f"+1415555{n:04d}" for n in range(40)]
    job = client.calls.dial_many(numbers, agent_id=agent.id, wait=True, poll_interval=0.02)
    async with job.stream() as outcomes:
        results = [o async for o in outcomes]
    fates = emu.call_fates()
    assert len(fates) == len(numbers)
    assert {o.resource_id: (o.status, o.duration) for o in results} == {
        call_id: (fate.status, float(fate.duration)) for call_id, fate in fates.items()
    }
    assert job.summary.statuses == dict(Counter(fate.status for fate in fates.values()))
    assert job.summary.talk_time == sum(fate.duration for fate in fates.values())
    polls = [s for s in wire.sent if s.method == "GET" and s.path == "/calls"]
    assert polls
    assert {(s.params["agent_id"], s.params["per_page"]) for s in polls} == {(agent.id, "100")}


async def test_a_journals_unclear_calls_are_settled_without_dialling(
    client: AsyncTalkover, emu: Emulator, tmp_path: Path
) -> None:
    """
    A call placed while its answer and the history were lost stays unknown; reconcile_journal
    finds it later (done, its id) and dials nothing; a call that never happened is not_placed
    and only a redial_not_placed run dials it, once.
    """
    agent = await published_agent(client)
    journal = tmp_path / "dial.sqlite"
    placed, lost = "+14155550100", "+14155550101"
    history = FaultRule(route="GET /api/v1/calls", error_rate=1.0)
    emu.faults.add(history)
    emu.faults.add(FaultRule(route="POST /api/v1/agents/*/call", commit_drop_rate=1.0, times=1))
    first = await client.calls.dial_many(
        [placed], agent_id=agent.id, journal=journal, reconcile_grace=0
    )
    assert first.unknown == 1
    emu.faults.clear()
    emu.faults.add(FaultRule(route="POST /api/v1/agents/*/call", drop_rate=1.0, times=1))
    second = await client.calls.dial_many(
        [lost], agent_id=agent.id, journal=journal, reconcile_grace=0
    )
    assert second.not_placed == 1
    assert emu.calls_per_number() == Counter({placed: 1})

    settled = client.calls.reconcile_journal(journal, agent_id=agent.id, reconcile_grace=0)
    async with settled.stream() as outcomes:
        [found] = [o async for o in outcomes]
    assert (found.key, found.outcome, found.code) == (f"phone:{placed}", Outcome.DONE, "reconciled")
    assert found.resource_id == emu.placed_calls[0].call_id
    assert emu.calls_per_number() == Counter({placed: 1})

    left = await client.calls.dial_many([placed, lost], agent_id=agent.id, journal=journal)
    assert (left.done, left.not_placed, left.from_journal) == (1, 1, 2)
    redial = await client.calls.dial_many(
        [placed, lost], agent_id=agent.id, journal=journal, redial_not_placed=True
    )
    assert redial.done == 2
    assert emu.calls_per_number() == Counter({placed: 1, lost: 1})
