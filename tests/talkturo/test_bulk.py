"""Contact and company imports: each row is checked by the fields of the single create."""

from __future__ import annotations

from pathlib import Path

import pytest

from talkkit import InvalidRequestError
from talkkit.bulk import Outcome, read_csv
from talkkit.emulator import Emulator
from talkkit.talkturo import AsyncTalkturo, Company

from .conftest import Recorder

pytestmark = pytest.mark.anyio


@pytest.fixture
async def company(talkturo: AsyncTalkturo) -> Company:
    """A company to import contacts into."""
    return await talkturo.companies.create("Acme")


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rows.csv"
    path.write_text(text, encoding="utf-8")
    return path


async def test_a_bad_time_zone_fails_its_row_naming_timezone(
    talkturo: AsyncTalkturo, emu: Emulator, company: Company, tmp_path: Path
) -> None:
    """A CSV row with timezone=Mars/Olympus fails naming `timezone`; the other rows go on."""
    source = read_csv(
        _csv(
            tmp_path,
            "first_name,last_name,email,timezone\n"
            "Ada,Lovelace,ada@example.com,Europe/London\n"
            "Marvin,Martian,marvin@example.com,Mars/Olympus\n"
            "Grace,Hopper,grace@example.com,\n",
        )
    )
    async with talkturo.contacts.import_many(source, company_id=company.id).stream() as outcomes:
        results = sorted([o async for o in outcomes], key=lambda o: o.index)
    assert [o.outcome for o in results] == [Outcome.DONE, Outcome.FAILED, Outcome.DONE]
    bad = results[1]
    assert (bad.code, bad.field, bad.attempts) == ("invalid_input", "timezone", 0)
    assert (bad.message or "").startswith("timezone: is not a known IANA time zone")
    stored = {c["email"]: c.get("timezone") for c in emu.talkturo.contacts.values()}
    assert stored == {"ada@example.com": "Europe/London", "grace@example.com": None}


async def test_a_row_is_refused_with_the_single_creates_words(
    talkturo: AsyncTalkturo, company: Company
) -> None:
    """The same bad value fails a row and a single create with the same message."""
    with pytest.raises(InvalidRequestError) as single:
        await talkturo.contacts.create(
            "Marvin", "Martian", company_id=company.id, timezone="Mars/Olympus"
        )
    row = {"first_name": "Marvin", "last_name": "Martian", "timezone": "Mars/Olympus"}
    summary = await talkturo.contacts.import_many([row], company_id=company.id)
    [failure] = summary.failures
    assert (failure.field, failure.message) == ("timezone", str(single.value))


async def test_a_row_sends_what_the_single_create_sends(
    talkturo: AsyncTalkturo, recorder: Recorder, company: Company
) -> None:
    """CSV text (a yes/no flag, tags split on ;, custom.<name>) becomes the create's body."""
    await talkturo.contacts.create(
        "Ada",
        "Lovelace",
        company_id=company.id,
        phone="+12025550143",
        do_not_call=True,
        tags=["vip", "founder"],
        custom_fields={"plan": "pro"},
    )
    single = recorder.last.json
    row = {
        "first_name": " Ada ",
        "last_name": "Lovelace",
        "phone": "+1 202 555 0143",
        "do_not_call": "yes",
        "tags": "vip; founder;",
        "custom.plan": "pro",
        "team_id": "ignored: the job's team is used",
        "nickname": "ignored: not a field",
    }
    summary = await talkturo.contacts.import_many([row], company_id=company.id)
    assert summary.skipped == 1  # the API answered 409: the same contact
    assert recorder.last.json == single


async def test_a_bad_flag_and_a_missing_company_name_their_field(
    talkturo: AsyncTalkturo, company: Company
) -> None:
    """`do_not_call` must read as true or false; without a company the row names company_id."""
    rows = [
        {"first_name": "A", "last_name": "B", "do_not_call": "maybe"},
        {"first_name": "C", "last_name": "D", "company_id": "no/slash"},
    ]
    summary = await talkturo.contacts.import_many(rows, company_id=company.id)
    assert [(f.row, f.field) for f in summary.failures] == [
        (1, "do_not_call"),
        (2, "company_id"),
    ]
    orphan = await talkturo.contacts.import_many([{"first_name": "E", "last_name": "F"}])
    [failure] = orphan.failures
    assert failure.message == "company_id: is required (a column, or --company-id for every row)"


async def test_a_company_row_is_checked_by_the_company_create(
    talkturo: AsyncTalkturo, emu: Emulator
) -> None:
    """A company row with a bad phone fails naming `phone`; custom.<name> becomes custom_fields."""
    rows = [
        {"name": "Acme", "phone": "555-0100"},
        {"name": "Globex", "city": "Springfield", "custom.tier": "gold"},
    ]
    summary = await talkturo.companies.import_many(rows)
    assert (summary.done, [(f.row, f.field) for f in summary.failures]) == (1, [(1, "phone")])
    [globex] = emu.talkturo.companies.values()
    assert (globex["city"], globex["custom_fields"]) == ("Springfield", {"tier": "gold"})
