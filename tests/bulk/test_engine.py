"""The bulk engine through real clients against the emulator: one outcome per item, never twice."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import attrs
import httpx
import pytest

from talkkit import AsyncTalkover, AsyncTalkturo, RetryPolicy
from talkkit.bulk import (
    BulkJob,
    BulkOperation,
    BulkSummary,
    CsvSource,
    ItemOutcome,
    Outcome,
    Prepared,
    read_csv,
)
from talkkit.bulk._dedupe import FirstRows
from talkkit.emulator import Emulator, FaultRule
from talkkit.errors import (
    APIConnectionError,
    InvalidRequestError,
    OutcomeUnknownError,
    RateLimitError,
    ServiceUnavailableError,
    TalkkitError,
)
from talkkit.testing import talkturo_client
from talkkit.typing import Handler

from .helpers import fast

pytestmark = pytest.mark.anyio

CHAOS = {
    "error_rate": 0.10,
    "throttle_rate": 0.05,
    "retry_after": 0.02,
    "drop_rate": 0.02,
    "commit_drop_rate": 0.01,
}


def contacts(n: int, start: int = 0) -> list[dict[str, str]]:
    return [
        {"first_name": f"First{i}", "last_name": "Last", "email": f"user{i}@example.com"}
        for i in range(start, start + n)
    ]


def numbers(n: int) -> list[str]:
    return [f"+1202555{i:04d}" for i in range(n)]


def wrong_token_client(emulator: Emulator) -> AsyncTalkturo:
    """A Talkturo client of ``emulator`` whose token the API refuses (401)."""
    return AsyncTalkturo(
        "wrong-token",
        base_url="http://localhost/api",
        team_id="team_01emulator",
        transport=emulator.transport(),
    )


async def collect(job_stream: AsyncIterator[ItemOutcome]) -> list[ItemOutcome]:
    return [outcome async for outcome in job_stream]


def sends(emu: Emulator) -> int:
    """Requests that create or call (a job's preflight only reads)."""
    return sum(1 for r in emu.request_log if r.method == "POST")


def stored_emails(emu: Emulator) -> Counter[str]:
    return Counter(c["email"] for c in emu.talkturo.contacts.values())


async def test_import_under_chaos_matches_the_emulators_truth(
    turo: AsyncTalkturo, emu: Emulator, company_id: str
) -> None:
    """5xx, 429s, drops and commit-then-drops: one outcome per row, no contact stored twice."""
    emu.faults.add(FaultRule(route="POST /api/crm/contacts", **CHAOS))
    rows = contacts(600)
    async with turo.contacts.import_many(
        rows, company_id=company_id, concurrency=24
    ).stream() as outcomes:
        results = await collect(outcomes)
    assert sorted(r.index for r in results) == list(range(600))
    stored = stored_emails(emu)
    assert max(stored.values()) == 1, "a contact was stored twice"
    done = {r.key.removeprefix("email:") for r in results if r.outcome is Outcome.DONE}
    failed = {r.key.removeprefix("email:") for r in results if r.outcome is Outcome.FAILED}
    assert done <= set(stored)
    assert not failed & set(stored), "a row reported failed was stored"
    unknown = [r for r in results if r.outcome is Outcome.UNKNOWN]
    assert len(done) + len(unknown) >= len(stored)
    assert len(done) >= 590  # with three re-sends almost everything gets through
    assert any(r.attempts > 1 for r in results), "the chaos must have forced re-sends"


async def test_summary_counts_add_up(turo: AsyncTalkturo, company_id: str) -> None:
    """The summary counts every row once; bad rows name the row and field, good rows go on."""
    rows: list[dict[str, str]] = [
        *contacts(20),
        {"first_name": "No", "last_name": "Phone", "email": "np@example.com", "phone": "12345"},
        {"first_name": "", "last_name": "Blank", "email": "blank@example.com"},
        {"first_name": "Bad", "last_name": "Mail", "email": "not-an-email"},
    ]
    progress: list[int] = []
    summary = await turo.contacts.import_many(
        rows, company_id=company_id, on_progress=lambda s: progress.append(s.total)
    )
    assert (summary.total, summary.done, summary.failed) == (23, 20, 3)
    assert summary.done + summary.skipped + summary.failed + summary.unknown == summary.total
    assert progress == list(range(1, 24))
    fields = {f.row: f.message for f in summary.failures}
    assert "phone" in (fields[21] or "")
    assert "first_name" in (fields[22] or "")
    assert "email" in (fields[23] or "")
    assert summary.to_dict()["failures"][0]["row"] == 21


async def test_existing_contact_is_skipped_not_resent(
    turo: AsyncTalkturo, emu: Emulator, company_id: str
) -> None:
    """A 409 on the first attempt means it already existed: skipped, sent once."""
    await turo.contacts.create("Ada", "Lovelace", company_id=company_id, email="user3@example.com")
    before = sends(emu)
    summary = await turo.contacts.import_many(contacts(5), company_id=company_id)
    assert (summary.done, summary.skipped) == (4, 1)
    assert sends(emu) - before == 5


async def test_commit_then_drop_resend_counts_done(
    turo: AsyncTalkturo, emu: Emulator, company_id: str
) -> None:
    """Stored but unanswered: the re-send gets 409 for our own contact, so it is done."""
    emu.faults.add(FaultRule(route="POST /api/crm/contacts", commit_drop_rate=1.0, times=1))
    summary = await turo.contacts.import_many(contacts(1), company_id=company_id)
    assert (summary.done, summary.skipped, summary.sent) == (1, 0, 2)
    assert len(emu.talkturo.contacts) == 1


async def test_contact_without_natural_key_is_never_resent(
    turo: AsyncTalkturo, emu: Emulator, company_id: str
) -> None:
    """No email and no phone: the API cannot dedupe it, so an unclear create stays unknown."""
    emu.faults.add(FaultRule(route="POST /api/crm/contacts", commit_drop_rate=1.0, times=1))
    rows = [
        {"first_name": "Anon", "last_name": "Ymous"},
        {"first_name": "Anon", "last_name": "Ymous"},
    ]
    summary = await turo.contacts.import_many(rows, company_id=company_id)
    assert (summary.unknown, summary.skipped, summary.sent) == (1, 1, 1)
    assert len(emu.talkturo.contacts) == 1


async def test_dialing_under_chaos_never_calls_twice(
    over: AsyncTalkover, emu: Emulator, agent_id: str
) -> None:
    """Faults on the call endpoint: every number called at most once, unclear ones reconciled."""
    emu.faults.add(FaultRule(route="POST /api/v1/agents/*/call", **CHAOS))
    targets = numbers(300)
    summary = await over.calls.dial_many(
        targets, agent_id=agent_id, concurrency=16, reconcile_grace=0.05
    )
    called = Counter(call.to for call in emu.placed_calls)
    assert max(called.values()) == 1, "a number was called twice"
    assert summary.total == 300
    assert summary.done == len(called)  # every placed call is known: reconciled ones included
    assert summary.reconciled >= 1
    assert summary.done + summary.failed + summary.unknown + summary.not_placed == 300


async def test_duplicate_numbers_are_called_once(
    over: AsyncTalkover, emu: Emulator, agent_id: str
) -> None:
    """The same number twice in the input is dialled once; the repeat is skipped."""
    summary = await over.calls.dial_many(
        ["+12025550100", "+12025550100", {"phone": "+12025550101"}], agent_id=agent_id
    )
    assert (summary.done, summary.skipped) == (2, 1)
    assert len(emu.placed_calls) == 2


async def test_invalid_numbers_fail_before_sending(
    over: AsyncTalkover, emu: Emulator, agent_id: str
) -> None:
    """Numbers that are not E.164 fail with the field named; nothing is sent for them."""
    summary = await over.calls.dial_many(
        ["12025550100", "+1202", "+12025550102"], agent_id=agent_id
    )
    assert (summary.done, summary.failed) == (1, 2)
    assert all(f.code == "invalid_input" and "phone" in (f.message or "") for f in summary.failures)
    assert len(emu.placed_calls) == 1


async def test_long_retry_after_reschedules_instead_of_blocking(
    emu: Emulator, company_id: str
) -> None:
    """A 429 longer than the inline cap frees the worker; the row is sent again later."""
    async with talkturo_client(
        emu, retry=RetryPolicy(retry_after_cap=0.05, backoff_base=0), rate_limit=None
    ) as turo:
        emu.faults.add(
            FaultRule(route="POST /api/crm/contacts", throttle_rate=1.0, retry_after=0.3, times=1)
        )
        async with turo.contacts.import_many(
            contacts(6), company_id=company_id, concurrency=1
        ).stream() as outcomes:
            results = await collect(outcomes)
    assert [r.outcome for r in results] == [Outcome.DONE] * 6
    assert results[-1].index == 0  # the throttled row finished last: the worker went on meanwhile


async def test_broken_token_aborts_the_job(emu: Emulator) -> None:
    """A 401 mid-job stops it: nothing more is sent, every row is still accounted for, not sent."""
    client = wrong_token_client(emu)
    async with client:
        summary = await client.contacts.import_many(
            contacts(200), company_id="comp_x", concurrency=4, preflight=False
        )
    assert summary.total == 200
    assert (summary.not_sent, summary.failed) == (200, 0)
    assert summary.aborted is not None
    assert "401" in summary.aborted
    assert sends(emu) <= 4


async def test_journal_resume_sends_nothing_twice(
    turo: AsyncTalkturo, emu: Emulator, company_id: str, tmp_path: Path
) -> None:
    """A second run with the same journal reports everything from it and sends nothing."""
    journal = tmp_path / "import.db"
    first = await turo.contacts.import_many(contacts(50), company_id=company_id, journal=journal)
    assert first.done == 50
    sent = sends(emu)
    second = await turo.contacts.import_many(contacts(50), company_id=company_id, journal=journal)
    assert (second.done, second.from_journal) == (50, 50)
    assert sends(emu) == sent


async def test_journal_pending_contact_is_resent_and_counted_done(
    turo: AsyncTalkturo, emu: Emulator, company_id: str, tmp_path: Path
) -> None:
    """A row a killed run left pending is sent again; the 409 shows it was ours: done."""
    from talkkit.bulk import Journal

    journal = tmp_path / "import.db"
    rows = contacts(3)
    await turo.contacts.create("First0", "Last", company_id=company_id, email="user0@example.com")
    async with Journal(
        journal,
        kind="talkturo.contacts.import",
        scope={"base_url": turo.base_url, "team_id": "team_01emulator"},
    ) as j:
        await j.mark_pending("email:user0@example.com")
    summary = await turo.contacts.import_many(rows, company_id=company_id, journal=journal)
    assert (summary.done, summary.skipped) == (3, 0)
    assert max(stored_emails(emu).values()) == 1


async def test_journal_pending_call_is_reconciled_not_redialled(
    over: AsyncTalkover, emu: Emulator, agent_id: str, tmp_path: Path
) -> None:
    """A call a killed run may have placed is looked up in the history, never placed again."""
    from talkkit.bulk import Journal

    journal = tmp_path / "dial.db"
    await over.agents.call(agent_id, phone_number="+12025550100")  # the killed run's call
    async with Journal(
        journal, kind="talkover.calls.dial", scope={"base_url": over.base_url, "agent_id": agent_id}
    ) as j:
        await j.mark_pending("phone:+12025550100")
        await j.mark_pending("phone:+12025550101")  # killed before this one went out
    summary = await over.calls.dial_many(
        ["+12025550100", "+12025550101", "+12025550102"],
        agent_id=agent_id,
        journal=journal,
        reconcile_grace=0.05,
    )
    called = Counter(call.to for call in emu.placed_calls)
    assert called == {"+12025550100": 1, "+12025550102": 1}
    assert (summary.done, summary.not_placed, summary.reconciled) == (2, 1, 1)
    [missing] = [f for f in summary.failures if f.outcome is Outcome.NOT_PLACED]
    assert missing.key == "phone:+12025550101"


async def test_journal_of_another_job_is_refused(
    turo: AsyncTalkturo, company_id: str, tmp_path: Path
) -> None:
    """A journal made for another team cannot be reused by mistake."""
    from talkkit import ConfigurationError

    journal = tmp_path / "import.db"
    await turo.contacts.import_many(contacts(1), company_id=company_id, journal=journal)
    with pytest.raises(ConfigurationError, match="another job"):
        await turo.contacts.import_many(
            contacts(1), team_id="team_02", company_id=company_id, journal=journal, preflight=False
        )


async def test_cancelled_job_resumes_to_exactly_once(
    turo: AsyncTalkturo, emu: Emulator, company_id: str, tmp_path: Path
) -> None:
    """Cancelling mid-run leaves a consistent journal; the re-run makes every row done, stored once."""
    emu.faults.add(FaultRule(route="POST /api/crm/contacts", latency=0.005))
    journal = tmp_path / "import.db"
    rows = contacts(300)
    seen = 0
    with anyio.move_on_after(5):
        async with turo.contacts.import_many(
            rows, company_id=company_id, journal=journal, concurrency=8
        ).stream() as outcomes:
            async for _ in outcomes:
                seen += 1
                if seen == 60:
                    break  # the consumer walks away: the job is cancelled cleanly
    assert 60 <= len(emu.talkturo.contacts) < 300
    with sqlite3.connect(journal) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    summary = await turo.contacts.import_many(
        rows, company_id=company_id, journal=journal, concurrency=8
    )
    assert (summary.total, summary.done, summary.skipped) == (300, 300, 0)
    assert 60 <= summary.from_journal < 300
    assert stored_emails(emu) == Counter(f"user{i}@example.com" for i in range(300))
    with sqlite3.connect(journal) as db:
        assert db.execute("SELECT state, COUNT(*) FROM items GROUP BY state").fetchall() == [
            ("done", 300)
        ]


async def test_async_iterable_input(turo: AsyncTalkturo, emu: Emulator, company_id: str) -> None:
    """Rows may come from an async iterator (a streaming reader)."""

    async def rows() -> AsyncIterator[dict[str, str]]:
        for row in contacts(30):
            await anyio.lowlevel.checkpoint()
            yield row

    summary: BulkSummary = await turo.contacts.import_many(rows(), company_id=company_id)
    assert summary.done == 30
    assert len(emu.talkturo.contacts) == 30


async def test_concurrency_bounds_requests_in_flight(emu: Emulator, company_id: str) -> None:
    """No more than `concurrency` requests are ever in flight."""
    in_flight = 0
    peak = 0

    async def count(request: httpx.Request, call_next: Handler) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            return await call_next(request)
        finally:
            in_flight -= 1

    emu.faults.add(FaultRule(route="POST /api/crm/contacts", latency=0.01))
    async with talkturo_client(emu, middleware=[count]) as turo:
        summary = await turo.contacts.import_many(
            contacts(60), company_id=company_id, concurrency=5
        )
    assert summary.done == 60
    assert peak == 5


async def test_concurrency_must_be_positive(turo: AsyncTalkturo) -> None:
    """A nonsensical concurrency is refused with the field named."""
    from talkkit import InvalidRequestError

    with pytest.raises(InvalidRequestError, match="concurrency"):
        turo.contacts.import_many([], company_id="c", concurrency=0)


async def test_rerun_after_fixing_the_token_sends_everything(
    turo: AsyncTalkturo, emu: Emulator, company_id: str, tmp_path: Path
) -> None:
    """Rows a 401 stopped are not journaled as failed: the re-run sends them all."""
    journal = tmp_path / "import.db"
    wrong = wrong_token_client(emu)
    async with wrong:
        first = await wrong.contacts.import_many(
            contacts(20), company_id=company_id, journal=journal, concurrency=2, preflight=False
        )
    assert first.aborted is not None
    second = await turo.contacts.import_many(contacts(20), company_id=company_id, journal=journal)
    assert (second.done, second.from_journal, second.failed) == (20, 0, 0)


def _rows_for(company: str, n: int = 4) -> list[dict[str, str]]:
    return [{**row, "company_id": company} for row in contacts(n)]


async def test_failed_rows_are_resent_only_with_retry_failed(
    turo: AsyncTalkturo, emu: Emulator, company_id: str, tmp_path: Path
) -> None:
    """A row that failed stays failed on a resumed run; with retry_failed it is sent again, once."""
    journal = tmp_path / "import.db"
    rows = _rows_for(company_id)
    rows[1]["company_id"] = rows[3]["company_id"] = "comp_gone"  # the API answers 404
    first = await turo.contacts.import_many(rows, company_id=None, journal=journal)
    assert (first.done, first.failed) == (2, 2)
    assert {f.key for f in first.failures} == {"email:user1@example.com", "email:user3@example.com"}
    fixed = _rows_for(company_id)  # the user corrects the file
    sent = sends(emu)
    again = await turo.contacts.import_many(fixed, company_id=None, journal=journal)
    assert (again.done, again.failed, again.from_journal, again.sent) == (2, 2, 4, 0)
    assert sends(emu) == sent
    retried = await turo.contacts.import_many(
        fixed, company_id=None, journal=journal, retry_failed=True
    )
    assert (retried.done, retried.failed, retried.from_journal, retried.sent) == (4, 0, 2, 2)
    assert stored_emails(emu) == Counter(f"user{i}@example.com" for i in range(4))
    final = await turo.contacts.import_many(
        fixed, company_id=None, journal=journal, retry_failed=True
    )
    assert (final.done, final.from_journal, final.sent) == (4, 4, 0)


async def test_retry_failed_never_resends_unknown_calls(
    over: AsyncTalkover, emu: Emulator, agent_id: str, tmp_path: Path
) -> None:
    """retry_failed re-sends definite failures only: an unknown call is still reconciled, not redialled."""
    journal = tmp_path / "dial.db"
    emu.faults.add(FaultRule(route="POST /api/v1/agents/*/call", commit_drop_rate=1.0, times=1))
    emu.faults.add(FaultRule(route="GET /api/v1/calls", error_rate=1.0))  # lookups fail too
    first = await over.calls.dial_many(
        ["+12025550100"], agent_id=agent_id, journal=journal, reconcile_grace=0.05
    )
    assert (first.unknown, first.sent) == (1, 1)
    emu.faults.clear()
    again = await over.calls.dial_many(
        ["+12025550100"], agent_id=agent_id, journal=journal, retry_failed=True
    )
    assert (again.done, again.reconciled, again.sent) == (1, 1, 0)
    assert [call.to for call in emu.placed_calls] == ["+12025550100"]


async def test_invalid_and_repeated_items_have_their_own_outcomes(
    over: AsyncTalkover, emu: Emulator, agent_id: str
) -> None:
    """A bad row names its row and field; a repeat names the item and why it was not sent."""
    numbers = ["+12025550100", "+1202", "+12025550100"]
    async with over.calls.dial_many(numbers, agent_id=agent_id).stream() as outcomes:
        results = sorted(await collect(outcomes), key=lambda r: r.index)
    placed, bad, repeat = results
    assert (placed.outcome, placed.key, placed.resource_id) == (
        Outcome.DONE,
        "phone:+12025550100",
        emu.placed_calls[0].call_id,
    )
    assert (bad.outcome, bad.key, bad.code, bad.field) == (
        Outcome.FAILED,
        "row:2",
        "invalid_input",
        "phone",
    )
    assert (repeat.index, repeat.outcome, repeat.key, repeat.code) == (
        2,
        Outcome.SKIPPED,
        "phone:+12025550100",
        "duplicate_in_input",
    )
    assert repeat.message == "repeats row 1: not sent twice"


async def test_a_resumed_run_reports_each_item_as_the_journal_has_it(
    turo: AsyncTalkturo, emu: Emulator, company_id: str, tmp_path: Path
) -> None:
    """Done and skipped items come back from the journal with their key and id; nothing is sent."""
    await turo.contacts.create("Ada", "Lovelace", company_id=company_id, email="user1@example.com")
    journal = tmp_path / "import.db"
    rows = contacts(3)
    async with turo.contacts.import_many(
        rows, company_id=company_id, journal=journal
    ).stream() as outcomes:
        first = {r.index: r for r in await collect(outcomes)}
    assert [first[i].outcome for i in range(3)] == [Outcome.DONE, Outcome.SKIPPED, Outcome.DONE]
    sent = sends(emu)
    async with turo.contacts.import_many(
        rows, company_id=company_id, journal=journal
    ).stream() as outcomes:
        again = {r.index: r for r in await collect(outcomes)}
    assert sends(emu) == sent
    for i in range(3):
        assert (again[i].outcome, again[i].key, again[i].resource_id, again[i].from_journal) == (
            first[i].outcome,
            f"email:user{i}@example.com",
            first[i].resource_id,
            True,
        )
    assert again[0].resource_id is not None


async def test_a_reconciled_call_carries_the_call_found(
    over: AsyncTalkover, emu: Emulator, agent_id: str
) -> None:
    """A call whose answer was lost and that the history shows is done with that call's id."""
    emu.faults.add(FaultRule(route="POST /api/v1/agents/*/call", commit_drop_rate=1.0, times=1))
    numbers = ["+12025550100", "+12025550101"]
    async with over.calls.dial_many(numbers, agent_id=agent_id, concurrency=1).stream() as out:
        results = sorted(await collect(out), key=lambda r: r.index)
    found = {call.to: call.call_id for call in emu.placed_calls}
    reconciled = results[0]
    assert (reconciled.index, reconciled.key, reconciled.outcome) == (
        0,
        "phone:+12025550100",
        Outcome.DONE,
    )
    assert (reconciled.resource_id, reconciled.code, reconciled.attempts) == (
        found["+12025550100"],
        "reconciled",
        1,
    )
    assert reconciled.message == "confirmed in the platform's history after an unclear answer"
    assert results[1].resource_id == found["+12025550101"]


async def test_a_lost_call_not_in_the_history_is_not_placed_with_a_reason(
    over: AsyncTalkover, emu: Emulator, agent_id: str
) -> None:
    """Dropped after sending and still not in the history after the grace: not placed, saying so."""
    emu.faults.add(FaultRule(route="POST /api/v1/agents/*/call", drop_rate=1.0, times=1))
    async with over.calls.dial_many(
        ["+12025550100"], agent_id=agent_id, reconcile_grace=0.05
    ).stream() as out:
        [result] = await collect(out)
    assert (result.outcome, result.key, result.code, result.attempts) == (
        Outcome.NOT_PLACED,
        "phone:+12025550100",
        "not_in_history",
        1,
    )
    assert (result.message or "").startswith("not in the platform's history 0.05 s after")
    assert emu.placed_calls == []


async def test_a_pending_call_whose_lookup_fails_reports_the_lookup_error(
    over: AsyncTalkover, emu: Emulator, agent_id: str, tmp_path: Path
) -> None:
    """A call left pending by a killed run, when the history cannot be read, is unknown naming why."""
    from talkkit.bulk import Journal

    journal = tmp_path / "dial.db"
    scope = {"base_url": over.base_url, "agent_id": agent_id}
    async with Journal(journal, kind="talkover.calls.dial", scope=scope) as j:
        await j.mark_pending("phone:+12025550100")
    emu.faults.add(FaultRule(route="GET /api/v1/calls", error_rate=1.0))
    async with over.calls.dial_many(
        ["+12025550100"], agent_id=agent_id, journal=journal, reconcile_grace=0.05
    ).stream() as out:
        [result] = await collect(out)
    assert (result.outcome, result.code, result.attempts) == (Outcome.UNKNOWN, "SERVER_ERROR", 0)
    assert emu.placed_calls == []


async def test_rows_after_an_abort_are_each_reported_not_sent(emu: Emulator) -> None:
    """A 401 early in a long input: every row, in every chunk, is not sent (the first on its 401)."""
    client = wrong_token_client(emu)
    async with (
        client,
        client.contacts.import_many(
            contacts(600), company_id="comp_x", concurrency=1, preflight=False
        ).stream() as outcomes,
    ):
        results = {r.index: r for r in await collect(outcomes)}
    assert sorted(results) == list(range(600))
    assert all(r.outcome is Outcome.NOT_SENT for r in results.values())
    aborted = [r for r in results.values() if r.code == "aborted"]
    assert len(aborted) >= 590
    assert all((r.message or "").startswith("not sent: the job stopped") for r in aborted)
    # Rows the job never reached are still named by their key (their email), not their number.
    assert {r.key for r in aborted if r.index >= 512} == {
        f"email:user{i}@example.com" for i in range(512, 600)
    }
    assert sends(emu) == 1


async def test_a_failed_row_resumed_or_retried_keeps_its_code_message_and_row(
    turo: AsyncTalkturo, company_id: str, tmp_path: Path
) -> None:
    """A failed row comes back from the journal with its code and message; re-sent, it keeps its row."""
    journal = tmp_path / "import.db"
    rows = _rows_for(company_id, 3)
    rows[1]["company_id"] = "comp_gone"  # the API answers 404
    async with turo.contacts.import_many(rows, company_id=None, journal=journal).stream() as out:
        first = {r.index: r for r in await collect(out)}
    failed = first[1]
    assert (failed.outcome, failed.code, failed.attempts) == (Outcome.FAILED, "not_found", 1)
    assert failed.message
    assert not failed.message.startswith("404")  # the API's message, not the error's summary
    async with turo.contacts.import_many(rows, company_id=None, journal=journal).stream() as out:
        again = {r.index: r for r in await collect(out)}
    assert (again[1].outcome, again[1].code, again[1].message, again[1].from_journal) == (
        Outcome.FAILED,
        failed.code,
        failed.message,
        True,
    )
    fixed = _rows_for(company_id, 3)
    async with turo.contacts.import_many(
        fixed, company_id=None, journal=journal, retry_failed=True
    ).stream() as out:
        retried = {r.index: r for r in await collect(out)}
    assert sorted(retried) == [0, 1, 2]
    assert (retried[1].outcome, retried[1].key, retried[1].from_journal) == (
        Outcome.DONE,
        "email:user1@example.com",
        False,
    )


async def test_a_pending_contact_resent_keeps_its_row(
    turo: AsyncTalkturo, company_id: str, tmp_path: Path
) -> None:
    """A row a killed run left pending is re-sent under its own row number."""
    from talkkit.bulk import Journal

    journal = tmp_path / "import.db"
    async with Journal(
        journal,
        kind="talkturo.contacts.import",
        scope={"base_url": turo.base_url, "team_id": "team_01emulator"},
    ) as j:
        await j.mark_pending("email:user1@example.com")
    async with turo.contacts.import_many(
        contacts(3), company_id=company_id, journal=journal
    ).stream() as out:
        results = {r.index: r for r in await collect(out)}
    assert sorted(results) == [0, 1, 2]
    assert (results[1].outcome, results[1].key, results[1].attempts) == (
        Outcome.DONE,
        "email:user1@example.com",
        1,
    )


async def test_an_unclear_row_without_natural_key_stays_unknown_when_resumed(
    turo: AsyncTalkturo, emu: Emulator, company_id: str, tmp_path: Path
) -> None:
    """A row the API cannot dedupe, left unknown or pending, is reported unknown with its reason, not sent."""
    from talkkit.bulk import Journal

    emu.faults.add(FaultRule(route="POST /api/crm/contacts", commit_drop_rate=1.0, times=1))
    journal = tmp_path / "import.db"
    rows = [{"first_name": "Anon", "last_name": "Ymous"}]
    async with turo.contacts.import_many(
        rows, company_id=company_id, journal=journal
    ).stream() as out:
        [lost] = await collect(out)
    assert (lost.outcome, lost.code, lost.attempts) == (Outcome.UNKNOWN, "outcome_unknown", 1)
    assert (lost.message or "").startswith("outcome unknown: POST")
    sent = sends(emu)
    async with turo.contacts.import_many(
        rows, company_id=company_id, journal=journal
    ).stream() as out:
        [resumed] = await collect(out)
    assert (resumed.outcome, resumed.key, resumed.code, resumed.message) == (
        Outcome.UNKNOWN,
        lost.key,
        "outcome_unknown",
        lost.message,
    )
    assert (resumed.from_journal, resumed.attempts) == (True, 0)
    killed = tmp_path / "killed.db"  # a run killed after sending: pending, no code or message
    async with Journal(
        killed,
        kind="talkturo.contacts.import",
        scope={"base_url": turo.base_url, "team_id": "team_01emulator"},
    ) as j:
        await j.mark_pending(lost.key)
    async with turo.contacts.import_many(
        rows, company_id=company_id, journal=killed
    ).stream() as out:
        [pending] = await collect(out)
    assert (pending.outcome, pending.key, pending.code, pending.message) == (
        Outcome.UNKNOWN,
        lost.key,
        "outcome_unknown",
        "may have been sent by an earlier run: check before retrying",
    )
    assert sends(emu) == sent


def _operation(
    send: Callable[[str], Awaitable[str | None]],
    *,
    by_key: bool = True,
    resendable: bool = True,
    reconcile: Callable[[Prepared[str], float], Awaitable[str | None]] | None = None,
) -> BulkOperation[str]:
    return BulkOperation(
        name="test.items",
        prepare=lambda raw: Prepared(f"item:{raw}", raw, resendable=resendable),
        send=send,
        idempotent_by_key=by_key,
        reconcile=reconcile,
    )


def _unclear() -> OutcomeUnknownError:
    cause = APIConnectionError("dropped", request_sent=True)
    return OutcomeUnknownError(cause=cause, request_id="req_1", idempotency_key=None)


async def test_a_server_that_keeps_deferring_an_item_fails_it_after_twenty_reschedules() -> None:
    """A Retry-After every time: the item comes back 20 times, then fails with the server's reason."""
    sent: Counter[str] = Counter()

    async def send(payload: str) -> str | None:
        sent[payload] += 1
        if payload == "deferred":
            raise RateLimitError("slow down", status=429, code="rate_limited", retry_after=0.0)
        raise ServiceUnavailableError("down for now", status=503)  # no Retry-After: no reschedule

    async with BulkJob(["deferred", "down"], _operation(send)).stream() as out:
        results = {r.key: r for r in await collect(out)}
    assert sent == {"deferred": 21, "down": 1}
    deferred, down = results["item:deferred"], results["item:down"]
    assert (deferred.outcome, deferred.code, deferred.message, deferred.attempts) == (
        Outcome.FAILED,
        "rate_limited",
        "slow down",
        1,
    )
    assert (down.index, down.outcome, down.code, down.message) == (
        1,
        Outcome.FAILED,
        "http_503",
        "down for now",
    )


async def test_an_unclear_item_is_resent_ten_times_only_when_the_api_dedupes_it() -> None:
    """Unclear every time: an item the API dedupes is sent 11 times in all, others once; then unknown."""
    sent: Counter[str] = Counter()

    async def send(payload: str) -> str | None:
        sent[payload] += 1
        raise _unclear()

    async def run(operation: BulkOperation[str], item: str) -> ItemOutcome:
        async with fast(BulkJob([item], operation)).stream() as out:
            [result] = await collect(out)
        return result

    deduped = await run(_operation(send), "deduped")
    no_key = await run(_operation(send, resendable=False), "no_key")
    not_deduped = await run(_operation(send, by_key=False), "not_deduped")
    assert sent == {"deduped": 11, "no_key": 1, "not_deduped": 1}
    assert [(r.outcome, r.code, r.attempts) for r in (deduped, no_key, not_deduped)] == [
        (Outcome.UNKNOWN, "outcome_unknown", 11),
        (Outcome.UNKNOWN, "outcome_unknown", 1),
        (Outcome.UNKNOWN, "outcome_unknown", 1),
    ]
    assert all((r.message or "").startswith("outcome unknown:") for r in (deduped, not_deduped))


async def test_an_unclear_item_is_looked_up_from_when_it_was_sent() -> None:
    """The lookup after an unclear answer gets the item and the Unix time taken before sending."""
    looked_up: list[tuple[str, float]] = []

    async def send(payload: str) -> str | None:
        raise _unclear()

    async def reconcile(item: Prepared[str], since: float) -> str | None:
        looked_up.append((item.key, since))
        return "res_1" if item.payload == "found" else None

    before = time.time()
    operation = _operation(send, by_key=False, reconcile=reconcile)
    async with BulkJob(["found", "lost"], operation, reconcile_grace=0).stream() as out:
        results = {r.key: r for r in await collect(out)}
    assert sorted(key for key, _ in looked_up) == ["item:found", "item:lost"]
    assert all(isinstance(since, float) and since >= before for _, since in looked_up)
    found, lost = results["item:found"], results["item:lost"]
    assert (found.outcome, found.resource_id, found.code, found.attempts) == (
        Outcome.DONE,
        "res_1",
        "reconciled",
        1,
    )
    assert (lost.outcome, lost.code, lost.attempts) == (Outcome.NOT_PLACED, "not_in_history", 1)


async def test_an_error_without_a_code_is_named_by_its_type() -> None:
    """A failure that carries no error code is coded by its type, with its own message."""

    async def send(payload: str) -> str | None:
        if payload == "refused":
            raise APIConnectionError(
                "connection refused", request_sent=False, method="POST", url="http://x/items"
            )
        raise TalkkitError("broken")

    async with BulkJob(["refused", "broken"], _operation(send)).stream() as out:
        results = {r.key: r for r in await collect(out)}
    refused, broken = results["item:refused"], results["item:broken"]
    assert (refused.outcome, refused.code, refused.message, refused.attempts) == (
        Outcome.FAILED,
        "APIConnectionError",
        "connection refused",  # its message, not str() with the method and URL
        1,
    )
    assert (broken.outcome, broken.code, broken.message) == (
        Outcome.FAILED,
        "TalkkitError",
        "broken",
    )


async def _sent(payload: str) -> str | None:
    await anyio.lowlevel.checkpoint()  # a request awaits: a cancelled job stops here
    return f"id:{payload}"


async def test_a_job_has_sixteen_workers_no_journal_and_no_retry_failed_by_default() -> None:
    """A job's defaults: 16 requests in flight, no journal, no progress hook, failed items not re-sent."""
    job = BulkJob(["a"], _operation(_sent))
    assert (job.concurrency, job.journal_path, job.retry_failed, job.on_progress) == (
        16,
        None,
        False,
        None,
    )


@pytest.mark.parametrize("concurrency", [0, -1, 2.5, "4", True])
async def test_concurrency_must_be_a_whole_number_of_at_least_one(concurrency: object) -> None:
    """A concurrency that is not a whole number of at least 1 is refused, naming the field and value."""
    with pytest.raises(InvalidRequestError) as refused:
        BulkJob([], _operation(_sent), concurrency=concurrency)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.reason, refused.value.value) == (
        "concurrency",
        "must be a whole number of at least 1",
        concurrency,
    )


async def test_an_async_source_is_numbered_and_closed_when_the_consumer_leaves() -> None:
    """Items from an async iterator keep their positions; leaving early closes it, its cleanup included."""
    closed: list[str] = []

    async def source(n: int) -> AsyncIterator[str]:
        try:
            for i in range(n):
                yield f"r{i}"
        finally:
            await anyio.lowlevel.checkpoint()  # a cleanup that awaits, like a file reader's
            closed.append(f"{n} closed")

    async with BulkJob(source(30), _operation(_sent), concurrency=2).stream() as out:
        results = await collect(out)
    assert sorted(r.index for r in results) == list(range(30))
    assert all(r.key == f"item:r{r.index}" for r in results)
    async with BulkJob(source(1000), _operation(_sent), concurrency=2).stream() as out:
        async for _ in out:
            break  # the consumer walks away: the job is cancelled
    assert closed == ["30 closed", "1000 closed"]


async def test_an_item_deferred_after_earlier_items_finished_still_comes_back() -> None:
    """An item the server defers once, read after every item before it is done, is sent again and done."""
    sent: Counter[str] = Counter()
    first_chunk_done = anyio.Event()

    async def source() -> AsyncIterator[str]:
        for i in range(256):  # one chunk: dispatched before the next item is read
            yield f"r{i}"
        await first_chunk_done.wait()  # nothing is outstanding when the next item is read
        yield "later"

    async def send(payload: str) -> str | None:
        sent[payload] += 1
        if payload == "later" and sent[payload] == 1:
            raise RateLimitError("slow down", status=429, retry_after=0.0)
        return f"id:{payload}"

    results: dict[str, ItemOutcome] = {}
    async with BulkJob(source(), _operation(send), concurrency=4).stream() as out:
        async for result in out:
            results[result.key] = result
            if len(results) == 256:
                first_chunk_done.set()
    assert (len(results), sent["later"], sum(sent.values())) == (257, 2, 258)
    later = results["item:later"]
    assert (later.index, later.outcome, later.resource_id, later.code) == (
        256,
        Outcome.DONE,
        "id:later",
        None,
    )


class _Numbers:
    """An async iterator with no ``aclose`` (not a generator)."""

    def __init__(self, n: int) -> None:
        self.left = n

    def __aiter__(self) -> _Numbers:
        return self

    async def __anext__(self) -> str:
        if not self.left:
            raise StopAsyncIteration
        self.left -= 1
        return str(self.left)


async def test_an_async_iterator_without_aclose_is_read_to_the_end() -> None:
    """Any async iterable will do, not only an async generator that can be closed."""
    async with BulkJob(_Numbers(5), _operation(_sent)).stream() as out:
        results = await collect(out)
    assert sorted(r.index for r in results) == list(range(5))
    assert all((r.outcome, r.code, r.message) == (Outcome.DONE, None, None) for r in results)


async def test_a_created_contact_has_no_code_an_existing_one_names_the_409(
    turo: AsyncTalkturo, emu: Emulator, company_id: str
) -> None:
    """A 409 on the first send is skipped with the API's reason; on our own re-send it is done, no reason."""
    await turo.contacts.create("Ada", "Lovelace", company_id=company_id, email="user2@example.com")
    emu.faults.add(FaultRule(route="POST /api/crm/contacts", commit_drop_rate=1.0, times=1))
    async with turo.contacts.import_many(
        contacts(3), company_id=company_id, concurrency=1
    ).stream() as out:  # one at a time: the first row's answer is the one lost
        results = {r.index: r for r in await collect(out)}
    resent, created, existing = results[0], results[1], results[2]
    assert (existing.outcome, existing.attempts) == (Outcome.SKIPPED, 1)
    assert existing.code is not None
    assert existing.message
    assert (resent.outcome, resent.attempts, resent.code, resent.message) == (
        Outcome.DONE,
        2,
        None,
        None,
    )
    assert (created.outcome, created.attempts, created.code, created.message) == (
        Outcome.DONE,
        1,
        None,
        None,
    )


async def test_the_row_that_stopped_the_job_names_the_401_and_queued_rows_keep_their_keys(
    emu: Emulator,
) -> None:
    """The 401 row carries the API's code and message; rows already queued are reported by their key."""
    client = wrong_token_client(emu)
    async with (
        client,
        client.contacts.import_many(
            contacts(300), company_id="comp_x", concurrency=1, preflight=False
        ).stream() as outcomes,
    ):
        results = {r.index: r for r in await collect(outcomes)}
    [stopper] = [r for r in results.values() if r.code != "aborted"]
    assert (stopper.index, stopper.outcome, stopper.attempts) == (0, Outcome.NOT_SENT, 1)
    assert stopper.code is not None
    assert stopper.message
    queued = [r for r in results.values() if 0 < r.index < 256]  # the first chunk, prepared
    assert {r.key for r in queued} == {f"email:user{r.index}@example.com" for r in queued}


async def test_leaving_the_stream_after_an_abort_is_clean() -> None:
    """A consumer that leaves early after a 401 stopped the job gets no error from the workers."""
    for trial in range(5):
        async with wrong_token_client(Emulator(seed=trial)) as client:
            job = client.contacts.import_many(
                contacts(200), company_id="comp_x", concurrency=4, preflight=False
            )
            seen = 0
            async with job.stream() as outcomes:
                async for _ in outcomes:
                    seen += 1
                    if seen == 3 + trial:
                        break
            assert seen == 3 + trial


@attrs.define
class _Turns:
    count: int = 0


@asynccontextmanager
async def _counting_turns() -> AsyncIterator[_Turns]:
    """For the block, a task that counts the turns of the event loop (``.count``)."""
    turns = _Turns()

    async def count() -> None:
        while True:
            turns.count += 1
            await anyio.lowlevel.checkpoint()

    async with anyio.create_task_group() as tg:
        tg.start_soon(count)
        yield turns
        tg.cancel_scope.cancel()


@pytest.mark.parametrize("together", [True, False])
async def test_workers_start_together_only_when_the_operation_says_so(together: bool) -> None:
    """
    ``starts_together``: the workers get their items in the same turn of the event loop
    (aiohttp takes a burst at full speed); otherwise one item per turn (httpx's pool).
    """
    started: list[int] = []
    all_started = anyio.Event()

    async def send(item: str) -> str:
        started.append(turns.count)
        if len(started) == 8:
            all_started.set()
        await all_started.wait()
        return item

    operation = attrs.evolve(_operation(send), starts_together=lambda: together)
    async with _counting_turns() as turns:
        summary = await BulkJob([str(i) for i in range(8)], operation, concurrency=8).run()
    assert summary.done == 8
    spread = max(started) - min(started)  # (trio runs a turn's tasks in random order)
    if together:
        assert spread <= 1, started  # one turn, or two when the counter ran amid the workers
    else:
        assert spread >= 5, started


@pytest.mark.parametrize("together", [True, False])
async def test_workers_take_queued_items_without_a_turn_each_when_starting_together(
    together: bool,
) -> None:
    """
    With ``starts_together`` a worker takes what is queued without a turn of the event loop
    per item: a turn per item freed each request's objects in one turn and allocated the next
    one's in the next, which set the garbage collector off every 13 rows.
    """
    sent: Counter[tuple[int, int]] = Counter()  # items sent per (turn, worker)

    async def send(item: str) -> str:  # answers at once: only the hand-off takes turns
        sent[turns.count, anyio.get_current_task().id] += 1
        return item

    operation = attrs.evolve(_operation(send), starts_together=lambda: together)
    async with _counting_turns() as turns:
        summary = await BulkJob([str(i) for i in range(400)], operation, concurrency=4).run()
    assert summary.done == 400
    most = max(sent.values())  # the most one worker sent in one turn
    if together:
        assert most >= 2, most
    else:
        assert most == 1, most


@pytest.mark.parametrize("source", ["list", "csv"])
async def test_the_repeat_check_is_sized_for_the_input_up_front(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """
    A list's length or a CSV's line count sizes the table of keys seen before the first row:
    growing it would hold two tables at once (the peak memory of a million-row import).
    """

    def grow(self: FirstRows) -> None:
        raise AssertionError(f"grown at {len(self)} keys")

    monkeypatch.setattr(FirstRows, "_grow", grow)
    emails = [f"user{i}@example.com" for i in range(3000)]
    rows: list[str] | CsvSource = emails
    if source == "csv":
        path = tmp_path / "rows.csv"
        path.write_text("email\n" + "\n".join(emails) + "\n")
        rows = read_csv(path)

    async def send(item: Any) -> str:
        return "id"

    operation = BulkOperation(
        name="test.items",
        prepare=lambda raw: Prepared(f"email:{raw if isinstance(raw, str) else raw['email']}", raw),
        send=send,
        idempotent_by_key=True,
    )
    summary = await BulkJob(rows, operation, concurrency=8).run()
    assert (summary.total, summary.done) == (3000, 3000)
