"""client.contacts: create (validated, 409 on duplicates) and paginated list."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from talkkit import ConflictError, InvalidRequestError
from talkkit.emulator import TALKTURO_ACCOUNT_SLUG, TALKTURO_TEAM_ID, Emulator
from talkkit.talkturo import AsyncTalkturo, Company, LeadStatus

from .conftest import Recorder

pytestmark = pytest.mark.anyio


@pytest.fixture
async def company(talkturo: AsyncTalkturo) -> Company:
    """A company to attach contacts to."""
    return await talkturo.companies.create("Acme")


async def test_create_sends_camel_case(
    talkturo: AsyncTalkturo, recorder: Recorder, company: Company
) -> None:
    """create sends every field in camelCase (custom field keys untouched) and parses snake_case."""
    contact = await talkturo.contacts.create(
        "Ada",
        "Lovelace",
        company_id=company.id,
        email="ada@example.com",
        phone="+12025550143",
        phone_secondary="+442079460958",
        job_title="CTO",
        lead_status=LeadStatus.QUALIFIED,
        source="trade-show",
        timezone="Europe/London",
        preferred_contact_method="phone",
        do_not_call=False,
        notes="Met at booth 4",
        custom_fields={"deal_size": 5000, "renewal_month": "May"},
        tags=["vip", "q3"],
    )
    assert (recorder.last.method, recorder.last.path) == ("POST", "/api/crm/contacts")
    assert recorder.last.json == {
        "teamId": TALKTURO_TEAM_ID,
        "companyId": company.id,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@example.com",
        "phone": "+12025550143",
        "phoneSecondary": "+442079460958",
        "jobTitle": "CTO",
        "leadStatus": "qualified",
        "source": "trade-show",
        "timezone": "Europe/London",
        "preferredContactMethod": "phone",
        "doNotCall": False,
        "notes": "Met at booth 4",
        "customFields": {"deal_size": 5000, "renewal_month": "May"},
        "tags": ["vip", "q3"],
    }
    assert (contact.first_name, contact.last_name) == ("Ada", "Lovelace")
    assert contact.lead_status is LeadStatus.QUALIFIED
    assert contact.phone_secondary == "+442079460958"
    assert contact.custom_fields == {"deal_size": 5000, "renewal_month": "May"}
    assert contact.tags == ["vip", "q3"]
    assert contact.do_not_call is False


async def test_duplicate_is_conflict(talkturo: AsyncTalkturo, company: Company) -> None:
    """A second contact with the same email raises ConflictError (409)."""
    await talkturo.contacts.create("Ada", "L", company_id=company.id, email="ada@example.com")
    with pytest.raises(ConflictError) as info:
        await talkturo.contacts.create("Ada", "L", company_id=company.id, email="ada@example.com")
    assert info.value.status == 409


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"phone": "202-555-0143"}, "phone"),
        ({"phone_secondary": "+1202"}, "phone_secondary"),
        ({"email": "not-an-email"}, "email"),
        ({"timezone": "EST5"}, "timezone"),
        ({"do_not_call": "no"}, "do_not_call"),
        ({"tags": "vip"}, "tags"),
        ({"custom_fields": ["a"]}, "custom_fields"),
        ({"first_name": ""}, "first_name"),
        ({"company_id": ""}, "company_id"),
        ({"lead_status": " "}, "lead_status"),
    ],
)
async def test_create_validates(
    talkturo: AsyncTalkturo, emu: Emulator, fields: dict[str, object], field: str
) -> None:
    """Bad phones, emails, zones, flags and lists raise InvalidRequestError naming the field."""
    kwargs: dict[str, object] = {"first_name": "Ada", "last_name": "L", "company_id": "comp_1"}
    kwargs.update(fields)
    with pytest.raises(InvalidRequestError) as info:
        await talkturo.contacts.create(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field
    assert emu.request_log == []


async def test_list_paginates_in_order(
    talkturo: AsyncTalkturo, recorder: Recorder, company: Company
) -> None:
    """Listing 120 contacts returns all of them, in creation order, over three pages."""
    created = [
        (await talkturo.contacts.create("Ada", f"N{i:03d}", company_id=company.id)).id
        for i in range(120)
    ]
    recorder.sent.clear()
    assert [c.id async for c in talkturo.contacts.list()] == created
    assert [s.params["offset"] for s in recorder.sent] == ["0", "50", "100"]


async def test_list_filters(talkturo: AsyncTalkturo, recorder: Recorder) -> None:
    """companyId and search are sent and narrow the list."""
    acme = await talkturo.companies.create("Acme")
    globex = await talkturo.companies.create("Globex")
    await talkturo.contacts.create("Ada", "Lovelace", company_id=acme.id)
    grace = await talkturo.contacts.create("Grace", "Hopper", company_id=globex.id)
    await talkturo.contacts.create("Alan", "Turing", company_id=globex.id)
    found = await talkturo.contacts.list(company_id=globex.id, search="hop").to_list()
    assert [c.id for c in found] == [grace.id]
    assert recorder.last.params == {
        "teamId": TALKTURO_TEAM_ID,
        "companyId": globex.id,
        "search": "hop",
        "limit": "50",
        "offset": "0",
    }


async def test_list_by_account_slug(
    talkturo: AsyncTalkturo,
    make_client: Callable[..., AsyncTalkturo],
    recorder: Recorder,
    company: Company,
) -> None:
    """list sends accountSlug instead of teamId: as an argument, or as the client's only default."""
    ada = (await talkturo.contacts.create("Ada", "Lovelace", company_id=company.id)).id
    by_account = make_client(account_slug=TALKTURO_ACCOUNT_SLUG)
    assert [c.id async for c in by_account.contacts.list()] == [ada]
    assert recorder.last.params["accountSlug"] == TALKTURO_ACCOUNT_SLUG
    assert "teamId" not in recorder.last.params
    both = make_client(account_slug="someone-else", team_id=TALKTURO_TEAM_ID)
    found = await both.contacts.list(account_slug=TALKTURO_ACCOUNT_SLUG).to_list()
    assert [c.id for c in found] == [ada]
    assert recorder.last.params["accountSlug"] == TALKTURO_ACCOUNT_SLUG
    assert "teamId" not in recorder.last.params
