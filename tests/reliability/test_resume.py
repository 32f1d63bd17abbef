"""What a resumed run does with the items an earlier run could not settle."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from talkkit import AsyncTalkover, AsyncTalkturo, RetryPolicy
from talkkit.bulk import Journal, Outcome
from talkkit.emulator import TALKTURO_TEAM_ID, Emulator, FaultRule
from talkkit.testing import ready_agent, talkover_client, talkturo_client

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(backoff_base=0.0, backoff_max=0.0)
GRACE = (
    0.05  # seconds before the last lookup of an unclear item (the default 60 s is for real APIs)
)
ROWS = [{"first_name": f"F{i}", "last_name": "L", "email": f"r{i}@x.com"} for i in range(3)]


@pytest.fixture
def emu() -> Emulator:
    """A fresh emulator."""
    return Emulator(rate_limits={"talkturo": None})


@pytest.fixture
async def turo(emu: Emulator) -> AsyncIterator[AsyncTalkturo]:
    """A Talkturo client on the emulator, in-process."""
    async with talkturo_client(emu, retry=FAST) as client:
        yield client


@pytest.fixture
async def over(emu: Emulator) -> AsyncIterator[AsyncTalkover]:
    """A Talkover client on the emulator, in-process, not paced."""
    async with talkover_client(emu, retry=FAST, rate_limit="100/s") as client:
        yield client


async def _journal_with_unknown(
    path: Path, turo: AsyncTalkturo, *keys: str, kind: str = "talkturo.contacts.import"
) -> None:
    scope = {"base_url": turo.base_url, "team_id": TALKTURO_TEAM_ID}
    async with Journal(path, kind=kind, scope=scope) as journal:
        for key in keys:
            await journal.record(
                key, Outcome.UNKNOWN, code="outcome_unknown", message="answer lost"
            )


async def _journal_states(path: Path, kind: str, scope: dict[str, str]) -> dict[str, int]:
    async with Journal(path, kind=kind, scope=scope) as journal:
        return await journal.counts()


async def test_unknown_contact_is_settled_by_a_resumed_run(
    turo: AsyncTalkturo, emu: Emulator, tmp_path: Path
) -> None:
    """Regression: a contact left unknown (but stored) is re-sent on resume; the 409 makes it done."""
    company = (await turo.companies.create("Resume Ltd")).id
    await turo.contacts.create("F0", "L", company_id=company, email="r0@x.com")  # it did get in
    journal = tmp_path / "j.db"
    await _journal_with_unknown(journal, turo, "email:r0@x.com")
    summary = await turo.contacts.import_many(ROWS, company_id=company, journal=journal)
    assert (summary.done, summary.unknown) == (3, 0)
    assert sorted(c["email"] for c in emu.talkturo.contacts.values()) == [
        "r0@x.com",
        "r1@x.com",
        "r2@x.com",
    ]


async def test_unknown_contact_that_never_arrived_is_created_on_resume(
    turo: AsyncTalkturo, emu: Emulator, tmp_path: Path
) -> None:
    """Regression: a contact left unknown that was not stored is created by the resumed run, once."""
    company = (await turo.companies.create("Resume Ltd")).id
    journal = tmp_path / "j.db"
    await _journal_with_unknown(journal, turo, "email:r1@x.com")
    summary = await turo.contacts.import_many(ROWS, company_id=company, journal=journal)
    assert (summary.done, summary.unknown) == (3, 0)
    emails = [c["email"] for c in emu.talkturo.contacts.values()]
    assert sorted(emails) == ["r0@x.com", "r1@x.com", "r2@x.com"]


@pytest.mark.parametrize("stored", [False, True], ids=["dropped-unstored", "stored-then-dropped"])
async def test_a_run_that_ends_unknown_is_settled_by_the_next_run(
    turo: AsyncTalkturo, emu: Emulator, tmp_path: Path, stored: bool
) -> None:
    """Every answer lost (stored or not): unknown now; the resumed run makes it done, stored once."""
    company = (await turo.companies.create("Resume Ltd")).id
    journal = tmp_path / "j.db"
    route = "POST /api/crm/contacts"
    emu.faults.add(
        FaultRule(route, commit_drop_rate=1.0) if stored else FaultRule(route, drop_rate=1.0)
    )
    first = await turo.contacts.import_many(ROWS[:1], company_id=company, journal=journal)
    assert (first.total, first.unknown) == (1, 1)
    emu.faults.clear()
    second = await turo.contacts.import_many(ROWS, company_id=company, journal=journal)
    assert (second.total, second.done, second.unknown, second.from_journal) == (3, 3, 0, 0)
    assert sorted(c["email"] for c in emu.talkturo.contacts.values()) == [
        "r0@x.com",
        "r1@x.com",
        "r2@x.com",
    ]
    scope = {"base_url": turo.base_url, "team_id": TALKTURO_TEAM_ID}
    assert await _journal_states(journal, "talkturo.contacts.import", scope) == {"done": 3}


async def test_unknown_contact_without_a_natural_key_stays_unknown(
    turo: AsyncTalkturo, emu: Emulator, tmp_path: Path
) -> None:
    """No email, no phone: the API cannot dedupe it, so a resumed run reports it and sends nothing."""
    company = (await turo.companies.create("Resume Ltd")).id
    journal = tmp_path / "j.db"
    rows = [{"first_name": "Anon", "last_name": "Ymous"}]
    emu.faults.add(FaultRule(route="POST /api/crm/contacts", commit_drop_rate=1.0, times=1))
    first = await turo.contacts.import_many(rows, company_id=company, journal=journal)
    assert (first.unknown, first.sent) == (1, 1)
    before = len(emu.request_log)
    second = await turo.contacts.import_many(rows, company_id=company, journal=journal)
    assert (second.total, second.unknown, second.from_journal, second.sent) == (1, 1, 1, 0)
    writes = [f"{r.method} {r.path}" for r in emu.request_log[before:] if r.method != "GET"]
    assert writes == []  # only the preflight's reads of the team and company
    assert len(emu.talkturo.contacts) == 1


async def test_unknown_companies_are_looked_up_not_resent(
    turo: AsyncTalkturo, emu: Emulator, tmp_path: Path
) -> None:
    """An unknown company found by name is done; one not found is not placed, created only by retry_failed."""
    await turo.companies.create("Stored Ltd")  # the earlier run's create did get in
    journal = tmp_path / "j.db"
    await _journal_with_unknown(
        journal, turo, "name:stored ltd", "name:lost ltd", kind="talkturo.companies.import"
    )
    rows = [{"name": "Stored Ltd"}, {"name": "Lost Ltd"}, {"name": "New Ltd"}]
    summary = await turo.companies.import_many(rows, journal=journal, reconcile_grace=GRACE)
    assert (summary.total, summary.done, summary.reconciled) == (3, 2, 1)
    assert (summary.unknown, summary.not_placed) == (0, 1)
    [lost] = summary.failures
    assert (lost.key, lost.outcome) == ("name:lost ltd", Outcome.NOT_PLACED)
    assert sorted(c["name"] for c in emu.talkturo.companies.values()) == ["New Ltd", "Stored Ltd"]
    again = await turo.companies.import_many(rows, journal=journal, reconcile_grace=GRACE)
    assert (again.done, again.not_placed, again.from_journal, again.sent) == (2, 1, 3, 0)
    retried = await turo.companies.import_many(rows, journal=journal, retry_failed=True)
    assert (retried.done, retried.not_placed, retried.sent) == (3, 0, 1)
    assert emu.company_keys() == Counter(
        {"name:lost ltd": 1, "name:new ltd": 1, "name:stored ltd": 1}
    )


async def test_unknown_calls_are_reconciled_never_redialled(
    over: AsyncTalkover, emu: Emulator, tmp_path: Path
) -> None:
    """An unknown call found in the history is done; one not found is not placed, dialled only on request."""
    agent = (await ready_agent(over)).id
    placed = await over.agents.call(agent, phone_number="+12025550100")  # the earlier run's call
    journal = tmp_path / "dial.db"
    scope = {"base_url": over.base_url, "agent_id": agent}
    async with Journal(journal, kind="talkover.calls.dial", scope=scope) as j:
        for number in ("+12025550100", "+12025550101"):
            await j.record(f"phone:{number}", Outcome.UNKNOWN, code="outcome_unknown")
    numbers = ["+12025550100", "+12025550101", "+12025550102"]
    job = over.calls.dial_many(numbers, agent_id=agent, journal=journal, reconcile_grace=GRACE)
    async with job.stream() as stream:
        outcomes = {o.key: o async for o in stream}
    summary = job.summary
    assert (summary.total, summary.done, summary.reconciled) == (3, 2, 1)
    assert (summary.unknown, summary.not_placed) == (0, 1)
    found = outcomes["phone:+12025550100"]
    assert (found.outcome, found.resource_id, found.code) == (Outcome.DONE, placed.id, "reconciled")
    assert outcomes["phone:+12025550101"].outcome is Outcome.NOT_PLACED
    assert emu.calls_per_number() == Counter({"+12025550100": 1, "+12025550102": 1})
    again = await over.calls.dial_many(
        numbers, agent_id=agent, journal=journal, reconcile_grace=GRACE
    )
    assert (again.total, again.done, again.not_placed, again.sent) == (3, 2, 1, 0)
    assert len(emu.placed_calls) == 2
    redial = await over.calls.dial_many(
        numbers, agent_id=agent, journal=journal, redial_not_placed=True
    )
    assert (redial.done, redial.not_placed, redial.sent) == (3, 0, 1)
    assert emu.calls_per_number() == Counter(dict.fromkeys(numbers, 1))
