"""client.phone_numbers: search (camelCase results), purchase (never twice), list."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from talkkit import ConflictError, InvalidRequestError, OutcomeUnknownError
from talkkit.emulator import TALKTURO_TEAM_ID, Emulator, FaultRule
from talkkit.talkturo import AsyncTalkturo, AvailableNumber, NumberType, PhoneNumber

from .conftest import Recorder

pytestmark = pytest.mark.anyio


async def test_search_maps_camel_case_results(talkturo: AsyncTalkturo, recorder: Recorder) -> None:
    """search posts nested camelCase filters; camelCase results become snake_case attributes."""
    numbers = await talkturo.phone_numbers.search("us", area_code="212", limit=3)
    assert (recorder.last.method, recorder.last.path) == ("POST", "/api/phone-numbers/search")
    assert recorder.last.json == {
        "filters": {"countryCode": "US", "areaCode": "212", "numberType": "local", "limit": 3}
    }
    assert len(numbers) == 3
    first = numbers[0]
    assert isinstance(first, AvailableNumber)
    assert first.phone_number.startswith("+1212")
    assert (first.monthly_price, first.setup_price) == ("1.00", "1.00")
    assert first.features == ["voice", "sms"]
    assert first.extra == {}


async def test_search_toll_free(talkturo: AsyncTalkturo, recorder: Recorder) -> None:
    """number_type toll-free is sent as such."""
    numbers = await talkturo.phone_numbers.search("US", number_type=NumberType.TOLL_FREE)
    assert recorder.last.json["filters"]["numberType"] == "toll-free"
    assert len(numbers) == 20


async def test_search_is_retried_as_safe(talkturo: AsyncTalkturo, emu: Emulator) -> None:
    """A search is safe: a 503 is retried and the call succeeds."""
    emu.faults.add(
        FaultRule("POST /api/phone-numbers/search", error_rate=1.0, error_status=503, times=1)
    )
    assert await talkturo.phone_numbers.search("US", limit=1)
    assert [r.status for r in emu.request_log] == [503, 200]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"country_code": "USA"}, "country_code"),
        ({"country_code": "US", "area_code": "41"}, "area_code"),
        ({"country_code": "GB", "area_code": "207"}, "area_code"),
        ({"country_code": "US", "number_type": "mobile"}, "number_type"),
        ({"country_code": "US", "limit": 0}, "limit"),
    ],
)
async def test_search_validates(
    talkturo: AsyncTalkturo, emu: Emulator, kwargs: dict[str, object], field: str
) -> None:
    """Bad filters raise InvalidRequestError naming the field, sending nothing."""
    with pytest.raises(InvalidRequestError) as info:
        await talkturo.phone_numbers.search(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field
    assert emu.request_log == []


async def test_purchase_and_list(talkturo: AsyncTalkturo, recorder: Recorder) -> None:
    """purchase posts phoneNumber/teamId and returns the record; list shows it."""
    found = await talkturo.phone_numbers.search("US", limit=1)
    bought = await talkturo.phone_numbers.purchase(found[0].phone_number, connection_id="fqdn_1")
    assert recorder.last.json == {
        "phoneNumber": found[0].phone_number,
        "teamId": TALKTURO_TEAM_ID,
        "connectionId": "fqdn_1",
    }
    assert (bought.phone_number, bought.team_id) == (found[0].phone_number, TALKTURO_TEAM_ID)
    owned = await talkturo.phone_numbers.list().to_list()
    assert [n.id for n in owned] == [bought.id]
    assert recorder.last.params == {"teamId": TALKTURO_TEAM_ID, "limit": "50", "offset": "0"}


async def test_purchase_twice_conflicts(talkturo: AsyncTalkturo) -> None:
    """Buying a number the account already owns raises ConflictError."""
    await talkturo.phone_numbers.purchase("+14155550100")
    with pytest.raises(ConflictError):
        await talkturo.phone_numbers.purchase("+14155550100")


async def test_purchase_is_never_sent_twice(talkturo: AsyncTalkturo, emu: Emulator) -> None:
    """A purchase whose answer is lost raises OutcomeUnknownError after exactly one request."""
    emu.faults.add(FaultRule("POST /api/phone-numbers/purchase", commit_drop_rate=1.0))
    with pytest.raises(OutcomeUnknownError):
        await talkturo.phone_numbers.purchase("+14155550100")
    assert [r.path for r in emu.request_log] == ["/api/phone-numbers/purchase"]
    assert len(emu.talkturo.phone_numbers) == 1


async def test_purchase_validates(talkturo: AsyncTalkturo, emu: Emulator) -> None:
    """A number not in E.164 fails before sending."""
    with pytest.raises(InvalidRequestError, match="phone_number"):
        await talkturo.phone_numbers.purchase("415-555-0100")
    assert emu.request_log == []


@pytest.mark.parametrize(
    "record",
    [
        {"id": "pn_1", "phoneNumber": "+14155550100", "status": "active", "accountSlug": "acme"},
        {"id": "pn_1", "phone_number": "+14155550100", "status": "active", "accountSlug": "acme"},
    ],
)
async def test_purchase_reads_either_casing(
    make_client: Callable[..., AsyncTalkturo], record: dict[str, str]
) -> None:
    """The purchased record is read in camelCase (the docs repo's answer) and in snake_case."""
    answer = {"success": True, "phoneNumber": record}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=answer))
    client = make_client(team_id=TALKTURO_TEAM_ID, transport=transport)
    bought = await client.phone_numbers.purchase("+14155550100")
    assert isinstance(bought, PhoneNumber)
    assert (bought.id, bought.phone_number, bought.status) == ("pn_1", "+14155550100", "active")
    assert bought.extra == {"accountSlug": "acme"}
