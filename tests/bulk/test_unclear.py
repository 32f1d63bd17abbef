"""Unclear answers: re-sent until known, repeats skipped, looked up at the end, reconciled on demand."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from talkkit import AsyncTalkover, AsyncTalkturo, ConfigurationError
from talkkit.bulk import BulkJob, Journal, Outcome, Prepared
from talkkit.emulator import Emulator, FaultRule
from talkkit.errors import (
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    ServerError,
)

from .helpers import START, VirtualClock, by_index, collect, fast, operation, unclear

pytestmark = pytest.mark.anyio

CHAOS = {"error_rate": 0.10, "drop_rate": 0.02, "commit_drop_rate": 0.01}


async def journal_states(path: Path) -> dict[str, str]:
    async with Journal(path, kind="test.items") as journal:
        return {
            key: entry.state
            for state in ("pending", "done", "skipped", "failed", "unknown", "not_placed")
            for key, entry in await journal.entries(state)
        }


# -- re-sent until known -----------------------------------------------------------------------


async def test_an_unclear_item_the_api_dedupes_is_resent_after_a_short_backoff() -> None:
    """Two lost answers, then created: done on the third send, after waits of 0.05 s and 0.1 s."""
    answers: dict[str, list[BaseException | str]] = {
        "created": [unclear(), unclear(), "id:created"],
        "stored": [unclear(), ConflictError("exists", status=409, code="conflict")],
    }

    async def send(payload: str) -> str:
        answer = answers[payload].pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    clock = VirtualClock()
    async with fast(
        BulkJob(["created", "stored"], operation(send), concurrency=1), clock
    ).stream() as out:
        results = {r.key: r for r in await collect(out)}
    created, stored = results["item:created"], results["item:stored"]
    assert (created.outcome, created.resource_id, created.attempts) == (
        Outcome.DONE,
        "id:created",
        3,
    )
    assert (stored.outcome, stored.code, stored.attempts) == (Outcome.DONE, None, 2)
    assert clock.slept == [0.05, 0.1, 0.05]


async def test_the_backoff_between_resends_doubles_up_to_a_second() -> None:
    """Unclear every time: ten re-sends, waiting 0.05 s doubling to at most 1 s."""

    async def send(payload: str) -> str:
        raise unclear()

    clock = VirtualClock()
    summary = await fast(BulkJob(["x"], operation(send)), clock)
    assert (summary.unknown, summary.sent) == (1, 11)
    assert clock.slept == [0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0, 1.0, 1.0]


async def test_a_contact_import_under_faults_ends_with_nothing_unknown(
    turo: AsyncTalkturo, emu: Emulator, company_id: str
) -> None:
    """10 % 5xx, 2 % drops, 1 % commit-then-drop: every row known, the store equals the valid distinct rows."""
    emu.faults.add(FaultRule(route="POST /api/crm/contacts", **CHAOS))
    rows = [
        {"first_name": f"F{i}", "last_name": "L", "email": f"user{i % 400}@example.com"}
        for i in range(420)  # rows 400-419 repeat rows 0-19
    ]
    rows += [{"first_name": "Bad", "last_name": "Mail", "email": "not-an-email"}] * 3
    summary = await turo.contacts.import_many(rows, company_id=company_id, concurrency=16)
    assert (summary.done, summary.skipped, summary.failed, summary.unknown) == (400, 20, 3, 0)
    assert emu.contact_keys() == Counter({f"email:user{i}@example.com": 1 for i in range(400)})
    assert summary.sent > 400, "the faults must have forced re-sends"


# -- repeats in the input ------------------------------------------------------------------------


async def test_a_repeated_key_is_skipped_before_sending_naming_the_earlier_row() -> None:
    """Any item (resendable or not) repeating an earlier key is not sent; the message names the row."""
    sent: Counter[str] = Counter()

    async def send(payload: str) -> str:
        sent[payload] += 1
        if sent[payload] == 1:
            raise unclear()  # the first row's answer is lost: its re-send's 409 is its own
        raise ConflictError("exists", status=409, code="conflict")

    rows = ["a", "b", "a", "c", "a"]
    for resendable in (True, False):
        sent.clear()
        job = fast(BulkJob(rows, operation(send, resendable=resendable), concurrency=1))
        async with job.stream() as out:
            results = by_index(await collect(out))
        repeats = [results[2], results[4]]
        assert [(r.outcome, r.code, r.message) for r in repeats] == [
            (Outcome.SKIPPED, "duplicate_in_input", "repeats row 1: not sent twice")
        ] * 2
        assert sent["a"] == (2 if resendable else 1)
        if resendable:
            assert (results[0].outcome, results[0].attempts) == (Outcome.DONE, 2)


async def test_repeats_are_found_across_chunks_and_as_the_table_grows() -> None:
    """3,000 rows of 1,000 keys: every repeat (past chunks and table growth) names its first row."""

    async def send(payload: str) -> str:
        return f"id:{payload}"

    rows = [str(i % 1000) for i in range(3000)]
    async with BulkJob(rows, operation(send), concurrency=8).stream() as out:
        results = by_index(await collect(out))
    assert [results[i].outcome for i in range(1000)] == [Outcome.DONE] * 1000
    assert all(
        results[i].message == f"repeats row {i % 1000 + 1}: not sent twice"
        for i in range(1000, 3000)
    )


async def test_a_resumed_run_still_skips_repeats(tmp_path: Path) -> None:
    """The journal's done row comes from it; its repeat is skipped again, naming it."""

    async def send(payload: str) -> str:
        return f"id:{payload}"

    journal = tmp_path / "job.db"
    await BulkJob(["a", "a"], operation(send), journal=journal)
    async with BulkJob(["a", "a"], operation(send), journal=journal).stream() as out:
        first, repeat = sorted(await collect(out), key=lambda r: r.index)
    assert (first.outcome, first.from_journal) == (Outcome.DONE, True)
    assert (repeat.outcome, repeat.message) == (Outcome.SKIPPED, "repeats row 1: not sent twice")


# -- the last lookup, after the grace period -----------------------------------------------------


async def test_unclear_calls_are_looked_up_again_once_the_grace_has_passed(tmp_path: Path) -> None:
    """Late in the history: done. Never there: not placed. History unreadable: unknown. Journaled so."""
    clock = VirtualClock()
    lookups: list[tuple[str, float]] = []

    async def send(payload: str) -> str:
        clock.now += 2.0  # the attempt takes two seconds
        raise unclear()

    async def reconcile(item: Prepared[str], since: float) -> str | None:
        lookups.append((item.payload, clock.now))
        if item.payload == "blind":
            raise ServerError("history down", status=500, code="SERVER_ERROR")
        if item.payload == "late" and len([p for p, _ in lookups if p == "late"]) == 2:
            return "call:late"
        return None

    journal = tmp_path / "job.db"
    calls = operation(send, by_key=False, resendable=False, reconcile=reconcile)
    job = fast(
        BulkJob(
            ["late", "gone", "blind"], calls, journal=journal, reconcile_grace=30.0, concurrency=1
        ),
        clock,
    )
    async with job.stream() as out:
        results = {r.key: r for r in await collect(out)}
    late, gone, blind = results["item:late"], results["item:gone"], results["item:blind"]
    assert (late.outcome, late.resource_id, late.code, late.attempts) == (
        Outcome.DONE,
        "call:late",
        "reconciled",
        1,
    )
    assert (gone.outcome, gone.code, gone.attempts) == (Outcome.NOT_PLACED, "not_in_history", 1)
    assert (gone.message or "").startswith("not in the platform's history 30 s after")
    assert (blind.outcome, blind.code) == (Outcome.UNKNOWN, "outcome_unknown")
    assert "history could not be read (history down)" in (blind.message or "")
    assert Counter(p for p, _ in lookups) == {"late": 2, "gone": 2, "blind": 2}
    # each one's last lookup came 30 s or more after its attempt ended (at 2, 4 and 6 s)
    last = {payload: at - START for payload, at in lookups}
    assert (last["late"] >= 32.0, last["gone"] >= 34.0, last["blind"] >= 36.0) == (True,) * 3
    first = {payload: at - START for payload, at in reversed(lookups)}
    assert first == {"late": 2.0, "gone": 4.0, "blind": 6.0}  # and once right after it
    assert (job.summary.not_placed, job.summary.reconciled) == (1, 1)
    assert sorted(f.key for f in job.summary.failures) == ["item:blind", "item:gone"]
    assert await journal_states(journal) == {
        "item:late": "done",
        "item:gone": "not_placed",
        "item:blind": "unknown",
    }


async def test_a_journal_entry_older_than_the_grace_is_decided_by_one_lookup(
    tmp_path: Path,
) -> None:
    """A call a killed run left pending an hour ago: one lookup, no wait; not there, not placed."""
    journal = tmp_path / "job.db"
    async with Journal(journal, kind="test.items") as j:
        await j.mark_pending("item:old")
    looked_up: list[str] = []

    async def send(payload: str) -> str:
        raise AssertionError("a call that may have been placed is never placed again")

    async def reconcile(item: Prepared[str], since: float) -> str | None:
        looked_up.append(item.key)
        return None

    clock = VirtualClock(start=time.time() + 3600)
    calls = operation(send, by_key=False, resendable=False, reconcile=reconcile)
    summary = await fast(BulkJob(["old"], calls, journal=journal), clock)
    assert (summary.not_placed, looked_up, clock.slept) == (1, ["item:old"], [])


async def test_not_placed_calls_are_left_alone_unless_redial_is_asked(tmp_path: Path) -> None:
    """A resumed run reports not_placed from the journal; with redial_not_placed it dials them, once."""
    journal = tmp_path / "job.db"
    sent: Counter[str] = Counter()

    async def send(payload: str) -> str:
        sent[payload] += 1
        if sent[payload] == 1:
            raise unclear()
        return f"call:{payload}"

    async def reconcile(item: Prepared[str], since: float) -> str | None:
        return None

    calls = operation(send, by_key=False, resendable=False, reconcile=reconcile)
    first = await fast(BulkJob(["a", "b"], calls, journal=journal, reconcile_grace=1.0))
    assert (first.not_placed, first.sent) == (2, 2)
    async with BulkJob(["a", "b"], calls, journal=journal).stream() as out:
        kept = await collect(out)
    assert {(r.outcome, r.from_journal, r.code) for r in kept} == {
        (Outcome.NOT_PLACED, True, "not_in_history")
    }
    assert sum(sent.values()) == 2
    redial = await BulkJob(["a", "b"], calls, journal=journal, redial_not_placed=True)
    assert (redial.done, redial.sent, sent) == (2, 2, {"a": 2, "b": 2})
    final = await BulkJob(["a", "b"], calls, journal=journal, redial_not_placed=True)
    assert (final.done, final.from_journal, final.sent) == (2, 2, 0)


async def test_refused_credentials_during_a_lookup_stop_the_job_and_leave_it_unknown() -> None:
    """A 401 from the history: the call stays unknown (it may exist), the rest are not sent."""

    async def send(payload: str) -> str:
        raise unclear()

    async def reconcile(item: Prepared[str], since: float) -> str | None:
        raise AuthenticationError("token revoked", status=401, code="UNAUTHORIZED")

    calls = operation(send, by_key=False, resendable=False, reconcile=reconcile)
    summary = await fast(BulkJob(["a", "b", "c"], calls, concurrency=1))
    assert (summary.unknown, summary.not_sent, summary.not_placed) == (1, 2, 0)
    assert "token revoked" in (summary.aborted or "")


# -- reconciling a journal on demand -----------------------------------------------------------


async def test_reconciling_looks_up_only_the_journals_unclear_calls(tmp_path: Path) -> None:
    """Pending and unknown entries are looked up, never sent: found done, missing not placed."""
    journal = tmp_path / "dial.db"
    async with Journal(journal, kind="test.items") as j:
        await j.mark_pending("item:p1")
        await j.mark_pending("item:u1")
        await j.record("item:u1", Outcome.UNKNOWN, code="outcome_unknown")
        await j.record("item:d1", Outcome.DONE, resource_id="call:d1")
        await j.record("item:n1", Outcome.NOT_PLACED)
        await j.mark_pending("item:bad")

    async def send(payload: str) -> str:
        raise AssertionError("reconciling never sends")

    async def reconcile(item: Prepared[str], since: float) -> str | None:
        return "call:p1" if item.payload == "p1" else None

    def from_key(key: str) -> str:
        if key == "item:bad":
            raise InvalidRequestError("key", "is not a dial job's key", value=key)
        return key.removeprefix("item:")

    calls = operation(send, by_key=False, resendable=False, reconcile=reconcile, from_key=from_key)
    progress: list[int] = []
    job = fast(
        BulkJob.reconciling(
            calls, journal, reconcile_grace=10.0, on_progress=lambda s: progress.append(s.total)
        ),
        VirtualClock(start=time.time()),
    )
    async with job.stream() as out:
        results = {r.key: r for r in await collect(out)}
    assert set(results) == {"item:p1", "item:u1", "item:bad"}
    assert (results["item:p1"].outcome, results["item:p1"].resource_id) == (
        Outcome.DONE,
        "call:p1",
    )
    assert results["item:u1"].outcome is Outcome.NOT_PLACED
    assert (results["item:bad"].outcome, results["item:bad"].field) == (Outcome.UNKNOWN, "key")
    summary = job.summary
    assert (summary.total, summary.done, summary.reconciled, summary.sent) == (3, 1, 1, 0)
    assert progress == [1, 2, 3]
    assert await journal_states(journal) == {
        "item:p1": "done",
        "item:u1": "not_placed",
        "item:n1": "not_placed",
        "item:d1": "done",
        "item:bad": "pending",
    }


async def test_reconciling_needs_a_journal_and_an_operation_that_can_look_up(
    tmp_path: Path,
) -> None:
    """A missing journal file, or an operation without reconcile or from_key, is refused by name."""

    async def send(payload: str) -> str:
        return payload

    async def reconcile(item: Prepared[str], since: float) -> str | None:
        return None

    with pytest.raises(InvalidRequestError) as refused:
        BulkJob.reconciling(operation(send, reconcile=reconcile), tmp_path / "j.db")
    assert (refused.value.field, refused.value.value) == ("operation", "test.items")
    missing = tmp_path / "missing.db"
    job = BulkJob.reconciling(
        operation(send, reconcile=reconcile, from_key=lambda key: key), missing
    )
    with pytest.raises(ConfigurationError) as absent:
        await job.run()
    assert (absent.value.field, absent.value.value) == ("journal", str(missing))
    assert not missing.exists()


# -- dialing against the emulator ----------------------------------------------------------------


async def test_dialing_under_faults_leaves_nothing_unknown_and_redial_places_every_number_once(
    over: AsyncTalkover, emu: Emulator, agent_id: str, tmp_path: Path
) -> None:
    """Unclear calls end done (found) or not placed; a redial run places every number exactly once."""
    emu.faults.add(FaultRule(route="POST /api/v1/agents/*/call", **CHAOS))
    journal = tmp_path / "dial.db"
    numbers = [f"+1202555{i:04d}" for i in range(100)]
    first = await over.calls.dial_many(
        numbers, agent_id=agent_id, journal=journal, reconcile_grace=0.05, concurrency=16
    )
    placed = emu.calls_per_number()
    assert max(placed.values()) == 1
    assert (first.unknown, first.done, first.done + first.not_placed) == (0, len(placed), 100)
    assert first.not_placed > 0, "the faults must have lost some calls"
    emu.faults.clear()
    again = await over.calls.dial_many(
        numbers, agent_id=agent_id, journal=journal, redial_not_placed=True
    )
    assert (again.done, again.from_journal, again.sent) == (100, len(placed), first.not_placed)
    assert emu.calls_per_number() == Counter(dict.fromkeys(numbers, 1))


async def test_an_unknown_call_keeps_when_it_was_attempted_for_later_lookups(
    tmp_path: Path,
) -> None:
    """Left unknown after the grace, its journal entry holds the attempt's time, not the record's."""
    journal = tmp_path / "dial.db"
    clock = VirtualClock()
    since_seen: list[float] = []
    history_down = True

    async def send(payload: str) -> str:
        clock.now += 2.0
        raise unclear()

    async def reconcile(item: Prepared[str], since: float) -> str | None:
        since_seen.append(since)
        if history_down:
            raise ServerError("history down", status=500, code="SERVER_ERROR")
        return "call:a"

    calls = operation(send, by_key=False, resendable=False, reconcile=reconcile)
    first = await fast(BulkJob(["a"], calls, journal=journal, reconcile_grace=300.0), clock)
    assert (first.unknown, clock.now - START >= 302.0) == (1, True)
    async with Journal(journal, kind="test.items") as j:
        entry = (await j.lookup(["item:a"]))["item:a"]
    assert (entry.state, entry.updated) == ("unknown", START)
    history_down = False
    again = await fast(BulkJob(["a"], calls, journal=journal), clock)
    assert (again.done, again.reconciled, again.sent) == (1, 1, 0)
    assert since_seen == [START, START, START]
