"""client.companies: create and list (team or account scope, search, industry)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from talkkit import ConflictError, InvalidRequestError
from talkkit.emulator import TALKTURO_ACCOUNT_SLUG, TALKTURO_TEAM_ID, Emulator
from talkkit.talkturo import AsyncTalkturo

from .conftest import Recorder

pytestmark = pytest.mark.anyio


async def test_create_sends_camel_case(talkturo: AsyncTalkturo, recorder: Recorder) -> None:
    """create sends camelCase fields and returns the snake_case company."""
    company = await talkturo.companies.create(
        "Acme",
        website="https://acme.example",
        industry="Software",
        company_size="51-200",
        address_line1="1 Main St",
        address_line2="Suite 2",
        city="Springfield",
        state="IL",
        postal_code="62701",
        country="US",
        phone="+12025551234",
        notes="Key account",
        custom_fields={"crm_ref": "A-1"},
    )
    assert (recorder.last.method, recorder.last.path) == ("POST", "/api/crm/companies")
    assert recorder.last.json == {
        "teamId": TALKTURO_TEAM_ID,
        "name": "Acme",
        "website": "https://acme.example",
        "industry": "Software",
        "companySize": "51-200",
        "addressLine1": "1 Main St",
        "addressLine2": "Suite 2",
        "city": "Springfield",
        "state": "IL",
        "postalCode": "62701",
        "country": "US",
        "phone": "+12025551234",
        "notes": "Key account",
        "customFields": {"crm_ref": "A-1"},
    }
    assert (company.address_line1, company.postal_code) == ("1 Main St", "62701")
    assert company.company_size == "51-200"
    assert company.contact_count == 0


async def test_create_validates(talkturo: AsyncTalkturo, emu: Emulator) -> None:
    """A blank name or a non-E.164 phone fails before sending."""
    with pytest.raises(InvalidRequestError) as name:
        await talkturo.companies.create("")
    with pytest.raises(InvalidRequestError) as phone:
        await talkturo.companies.create("Acme", phone="555-1234")
    assert (name.value.field, phone.value.field) == ("name", "phone")
    assert emu.request_log == []


async def test_duplicate_is_conflict(talkturo: AsyncTalkturo) -> None:
    """A second company with the same name in the team raises ConflictError."""
    await talkturo.companies.create("Acme")
    with pytest.raises(ConflictError):
        await talkturo.companies.create("Acme")


async def test_list_filters(talkturo: AsyncTalkturo, recorder: Recorder) -> None:
    """search and industry are sent and narrow the list."""
    await talkturo.companies.create("Acme Tools", industry="Hardware")
    soft = await talkturo.companies.create("Acme Cloud", industry="Software")
    await talkturo.companies.create("Globex", industry="Software")
    found = await talkturo.companies.list(search="acme", industry="Software").to_list()
    assert [c.id for c in found] == [soft.id]
    assert recorder.last.params == {
        "teamId": TALKTURO_TEAM_ID,
        "search": "acme",
        "industry": "Software",
        "limit": "50",
        "offset": "0",
    }


async def test_list_scopes(make_client: Callable[..., AsyncTalkturo], recorder: Recorder) -> None:
    """Lists send teamId or accountSlug: arguments first, then the client's defaults."""
    by_account = make_client(account_slug=TALKTURO_ACCOUNT_SLUG)
    await by_account.companies.create("Acme", team_id=TALKTURO_TEAM_ID)
    assert [c.name async for c in by_account.companies.list()] == ["Acme"]
    assert "accountSlug" in recorder.last.params
    assert "teamId" not in recorder.last.params
    await by_account.companies.list(team_id=TALKTURO_TEAM_ID).to_list()
    assert recorder.last.params["teamId"] == TALKTURO_TEAM_ID
    assert "accountSlug" not in recorder.last.params
    both = make_client(account_slug=TALKTURO_ACCOUNT_SLUG, team_id=TALKTURO_TEAM_ID)
    await both.companies.list(account_slug=TALKTURO_ACCOUNT_SLUG).to_list()
    assert recorder.last.params["accountSlug"] == TALKTURO_ACCOUNT_SLUG
    assert "teamId" not in recorder.last.params


async def test_list_paginates_in_order(talkturo: AsyncTalkturo) -> None:
    """Companies beyond one page come back complete and in order."""
    created = [(await talkturo.companies.create(f"Co {i:02d}")).id for i in range(12)]
    assert [c.id async for c in talkturo.companies.list(limit=5)] == created
