"""Contact and company imports: each row is checked by the fields of the single create."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from talkkit import (
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PreflightError,
    _fields,
)
from talkkit.bulk import Outcome, read_csv
from talkkit.emulator import TALKTURO_TEAM_ID, Emulator, FaultRule
from talkkit.emulator._constants import OTHER_TEAM_ID
from talkkit.talkturo import AsyncTalkturo, Company
from talkkit.talkturo._bulk import companies_operation, contacts_operation

from .conftest import BASE_URL, Recorder

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


async def test_a_row_is_checked_once_and_its_outcome_holds_the_new_id(
    talkturo: AsyncTalkturo, emu: Emulator, company: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The row's checks run when it is read, not again when it is sent; the id is the answer's."""
    checked: list[object] = []
    run = _fields._run

    def counting(plan: Any, values: Any) -> dict[str, Any]:
        if any(step[2] is not None for step in plan):  # a pass that checks, not one that names
            checked.append(values.get("email"))
        return run(plan, values)

    monkeypatch.setattr(_fields, "_run", counting)
    row = {"first_name": "Ada", "last_name": "Once", "email": "ada.once@example.com"}
    job = talkturo.contacts.import_many([row], company_id=company.id, preflight=False)
    async with job.stream() as outcomes:
        [ended] = [outcome async for outcome in outcomes]
    assert checked == ["ada.once@example.com"]
    assert ended.outcome is Outcome.DONE
    assert ended.resource_id is not None
    assert emu.talkturo.contacts[ended.resource_id]["email"] == "ada.once@example.com"


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


# -- preflight and job-level errors (the operations, without the engine) ---------------------


def _requests(recorder: Recorder) -> list[tuple[str, str, dict[str, str]]]:
    return [(s.method, s.path, s.params) for s in recorder.sent]


async def test_contacts_preflight_checks_team_and_company_in_one_request(
    talkturo: AsyncTalkturo, recorder: Recorder, company: Company
) -> None:
    """Listing the team's companies proves the token, the team and the job's company."""
    operation = contacts_operation(talkturo, team_id=None, company_id=company.id)
    assert operation.preflight is not None
    recorder.sent.clear()
    await operation.preflight()
    assert _requests(recorder) == [
        (
            "GET",
            "/api/crm/companies",
            {"teamId": TALKTURO_TEAM_ID, "limit": "100", "offset": "0"},
        )
    ]


async def test_contacts_preflight_reads_on_until_it_finds_the_company(
    talkturo: AsyncTalkturo, recorder: Recorder
) -> None:
    """A company beyond the first page of the list costs one more request, no more."""
    for n in range(100):
        await talkturo.companies.create(f"Filler {n}")
    late = await talkturo.companies.create("Late")
    operation = contacts_operation(talkturo, team_id=None, company_id=f"  {late.id} ")
    assert operation.preflight is not None
    recorder.sent.clear()
    await operation.preflight()
    assert [s.params["offset"] for s in recorder.sent] == ["0", "100"]


async def test_contacts_preflight_names_a_missing_company_or_team(
    talkturo: AsyncTalkturo, emu: Emulator, recorder: Recorder, company: Company
) -> None:
    """A company the team does not have, or a team that does not exist: named, nothing sent."""
    operation = contacts_operation(talkturo, team_id=None, company_id="comp_nope")
    assert operation.preflight is not None
    with pytest.raises(PreflightError) as caught:
        await operation.preflight()
    assert (caught.value.field, caught.value.value) == ("company_id", "comp_nope")
    assert caught.value.reason == f"not found in team {TALKTURO_TEAM_ID}"

    for team, reason in (("team_nope", "not found"), (OTHER_TEAM_ID, "not accessible")):
        operation = contacts_operation(talkturo, team_id=team, company_id=company.id)
        assert operation.preflight is not None
        with pytest.raises(PreflightError) as caught:
            await operation.preflight()
        assert (caught.value.field, caught.value.value) == ("team_id", team)
        assert caught.value.reason.startswith(reason)
    assert not [s for s in recorder.sent if s.method == "POST" and "contacts" in s.path]
    assert emu.talkturo.contacts == {}


async def test_companies_preflight_is_one_request_and_blames_a_refused_token(
    make_client: Callable[..., AsyncTalkturo], recorder: Recorder
) -> None:
    """The company import checks the token and the team with one request of one company."""
    good = make_client(team_id=TALKTURO_TEAM_ID)
    operation = companies_operation(good, team_id=None)
    assert operation.preflight is not None
    recorder.sent.clear()
    await operation.preflight()
    assert _requests(recorder) == [
        ("GET", "/api/crm/companies", {"teamId": TALKTURO_TEAM_ID, "limit": "1", "offset": "0"})
    ]

    token = "tk_live_not-the-right-one"
    async with AsyncTalkturo(
        token, base_url=BASE_URL, transport=Emulator().transport(), team_id=TALKTURO_TEAM_ID
    ) as stranger:
        refused = companies_operation(stranger, team_id=None)
        assert refused.preflight is not None
        with pytest.raises(PreflightError) as caught:
            await refused.preflight()
    assert (caught.value.field, caught.value.value) == ("token", None)
    assert isinstance(caught.value.cause, AuthenticationError)
    assert token not in str(caught.value)


async def test_a_404_stops_a_contact_import_only_when_it_is_about_the_job(
    talkturo: AsyncTalkturo, company: Company
) -> None:
    """The job's company or team missing stops the job; a row's own missing company does not."""
    with pytest.raises(NotFoundError) as row_company:
        await talkturo.contacts.create("A", "B", company_id="comp_gone")
    with pytest.raises(NotFoundError) as team:
        await talkturo.contacts.create("A", "B", company_id=company.id, team_id="team_gone")
    operation = contacts_operation(talkturo, team_id=None, company_id=company.id)
    assert operation.stops_job is not None
    own = operation.prepare({"first_name": "A", "last_name": "B", "company_id": "comp_gone"})
    jobs = operation.prepare({"first_name": "A", "last_name": "B"})
    assert operation.stops_job(own, row_company.value) is False
    assert operation.stops_job(own, team.value) is True
    assert operation.stops_job(jobs, row_company.value) is True
    assert operation.stops_job(jobs, ConflictError("exists", status=409)) is False
    companies = companies_operation(talkturo, team_id=None)
    assert companies.stops_job is None  # the engine's default: any 404 is the team's


# -- the public imports and the campaign dial: preflight on by default -----------------------


def _posts(recorder: Recorder) -> list[str]:
    return [s.path for s in recorder.sent if s.method == "POST"]


def _people(n: int) -> list[dict[str, str]]:
    return [
        {"first_name": f"F{i}", "last_name": "L", "email": f"p{i}@example.com"} for i in range(n)
    ]


async def test_an_import_into_a_missing_company_sends_nothing(
    talkturo: AsyncTalkturo, emu: Emulator, recorder: Recorder
) -> None:
    """The preflight names the company; without it the job stops on the first 404."""
    with pytest.raises(PreflightError) as caught:
        await talkturo.contacts.import_many(_people(30), company_id="comp_missing")
    assert (caught.value.field, caught.value.value) == ("company_id", "comp_missing")
    assert _posts(recorder) == []

    job = talkturo.contacts.import_many(
        _people(30), company_id="comp_missing", concurrency=1, preflight=False
    )
    summary = await job
    assert (summary.total, summary.not_sent, summary.done, summary.failed) == (30, 30, 0, 0)
    assert summary.aborted is not None
    assert len(_posts(recorder)) == 1
    assert emu.talkturo.contacts == {}


async def test_a_rows_own_missing_company_fails_only_that_row(
    talkturo: AsyncTalkturo, emu: Emulator, company: Company
) -> None:
    """A company_id column naming a missing company fails its row; the job goes on."""
    rows = _people(5)
    rows[2] = {**rows[2], "company_id": "comp_missing"}
    summary = await talkturo.contacts.import_many(rows, company_id=company.id, concurrency=1)
    assert (summary.done, summary.failed, summary.not_sent, summary.aborted) == (4, 1, 0, None)
    [failure] = summary.failures
    assert (failure.row, failure.outcome) == (3, Outcome.FAILED)
    assert "Company not found" in (failure.message or "")
    assert len(emu.talkturo.contacts) == 4


async def test_a_company_import_into_a_missing_team_sends_nothing(
    talkturo: AsyncTalkturo, recorder: Recorder
) -> None:
    """The company import's preflight names the team."""
    with pytest.raises(PreflightError) as caught:
        await talkturo.companies.import_many([{"name": "Acme"}], team_id="team_missing")
    assert (caught.value.field, caught.value.value) == ("team_id", "team_missing")
    assert _posts(recorder) == []


async def test_a_campaign_dial_checks_the_campaign_then_the_import(
    talkturo: AsyncTalkturo, emu: Emulator, recorder: Recorder, company: Company
) -> None:
    """A missing campaign, then a missing company, stop the dial before anything is sent."""
    with pytest.raises(PreflightError) as caught:
        await talkturo.campaigns.dial("camp_missing", _people(3), company_id=company.id)
    assert (caught.value.field, caught.value.value) == ("campaign_id", "camp_missing")
    campaign = await talkturo.campaigns.create("Spring")
    recorder.sent.clear()
    with pytest.raises(PreflightError) as caught:
        await talkturo.campaigns.dial(campaign.id, _people(3), company_id="comp_missing")
    assert (caught.value.field, caught.value.value) == ("company_id", "comp_missing")
    assert [s.path for s in recorder.sent] == [
        f"/api/crm/campaigns/{campaign.id}",
        "/api/crm/companies",
    ]
    assert emu.talkturo.contacts == {}
    assert emu.talkturo.campaigns[campaign.id]["status"] == "draft"
    await talkturo.campaigns.delete(campaign.id)
    with pytest.raises(PreflightError) as caught:
        await talkturo.campaigns.dial(campaign.id, _people(3), company_id=company.id)
    assert caught.value.field == "campaign_id"


async def test_a_campaign_is_not_started_when_its_import_stopped_early(
    talkturo: AsyncTalkturo, emu: Emulator, company: Company
) -> None:
    """Rows not sent (the job's company is gone) leave the campaign as it was, its list filled."""
    campaign = await talkturo.campaigns.create("Spring")
    rows = [{**row, "company_id": company.id} for row in _people(3)] + _people(5)[3:]
    result = await talkturo.campaigns.dial(
        campaign.id, rows, company_id="comp_missing", concurrency=1, preflight=False
    )
    assert (result.imported.done, result.imported.not_sent) == (3, 2)
    assert result.imported.aborted is not None
    assert (result.on_call_list, result.started) == (3, None)
    assert emu.talkturo.campaigns[campaign.id]["status"] == "draft"


async def test_a_lost_company_create_is_not_placed_and_retry_failed_creates_it(
    talkturo: AsyncTalkturo, emu: Emulator, tmp_path: Path
) -> None:
    """
    A create dropped before the server stored it is not found by name after the grace:
    ``not_placed``, journaled; a run with the same journal and ``retry_failed`` creates it
    once, and leaves the company that was created alone.
    """
    journal = tmp_path / "companies.db"
    rows = [{"name": "Acme"}, {"name": "Globex"}]
    emu.faults.add(FaultRule(route="POST /api/crm/companies", drop_rate=1.0, times=1))
    first = await talkturo.companies.import_many(
        rows, journal=journal, concurrency=1, reconcile_grace=0.05
    )
    assert (first.done, first.not_placed, first.unknown) == (1, 1, 0)
    assert sum(emu.company_keys().values()) == 1
    again = await talkturo.companies.import_many(rows, journal=journal, reconcile_grace=0.05)
    assert (again.done, again.not_placed, again.from_journal) == (1, 1, 2)  # reported, not sent
    last = await talkturo.companies.import_many(
        rows, journal=journal, retry_failed=True, reconcile_grace=0.05
    )
    assert (last.done, last.not_placed) == (2, 0)
    assert emu.company_keys() == {"name:acme": 1, "name:globex": 1}
