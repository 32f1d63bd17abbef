"""client.campaigns: list (paginated), create, get, update, delete, start/stop, contacts."""

from __future__ import annotations

import httpx
import pytest
import respx

from talkkit import ConflictError, InvalidRequestError, NotFoundError, OutcomeUnknownError
from talkkit.emulator import TALKTURO_TEAM_ID, Emulator, FaultRule
from talkkit.talkturo import AsyncTalkturo, Campaign, CampaignStatus, Contact

from .conftest import BASE_URL, Recorder

pytestmark = pytest.mark.anyio


async def _contacts(talkturo: AsyncTalkturo, count: int) -> list[Contact]:
    company = await talkturo.companies.create("Acme")
    return [
        await talkturo.contacts.create("Ada", f"No{i}", company_id=company.id) for i in range(count)
    ]


async def test_create_sends_camel_case(talkturo: AsyncTalkturo, recorder: Recorder) -> None:
    """create sends the settings in camelCase and returns a draft campaign."""
    assistant = await talkturo.assistants.create("Sam", template="outbound-setter")
    campaign = await talkturo.campaigns.create(
        "Renewals Q3",
        assistant_id=assistant.id,
        description="Call expiring plans",
        from_number="+14155550123",
        call_window_start="10:00",
        call_window_end="18:30",
        call_window_timezone="Europe/Berlin",
        max_concurrent_calls=3,
    )
    assert (recorder.last.method, recorder.last.path) == ("POST", "/api/crm/campaigns")
    assert recorder.last.json == {
        "teamId": TALKTURO_TEAM_ID,
        "name": "Renewals Q3",
        "description": "Call expiring plans",
        "assistantId": assistant.id,
        "fromNumber": "+14155550123",
        "callWindowStart": "10:00",
        "callWindowEnd": "18:30",
        "callWindowTimezone": "Europe/Berlin",
        "maxConcurrentCalls": 3,
    }
    assert campaign.status is CampaignStatus.DRAFT
    assert (campaign.call_window_start, campaign.call_window_end) == ("10:00", "18:30")
    assert campaign.from_number == "+14155550123"
    assert campaign.team_id == TALKTURO_TEAM_ID


async def test_create_sends_only_given_settings(
    talkturo: AsyncTalkturo, recorder: Recorder
) -> None:
    """Unset settings are left out, so the server's defaults apply."""
    campaign = await talkturo.campaigns.create("Minimal")
    assert recorder.last.json == {"teamId": TALKTURO_TEAM_ID, "name": "Minimal"}
    assert campaign.call_window_timezone == "America/New_York"


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"call_window_start": "9:00"}, "call_window_start"),
        ({"call_window_end": "24:00"}, "call_window_end"),
        ({"call_window_timezone": "Mars/Olympus"}, "call_window_timezone"),
        ({"from_number": "4155550123"}, "from_number"),
        ({"from_number": "+1415"}, "from_number"),
        ({"max_concurrent_calls": 0}, "max_concurrent_calls"),
        ({"assistant_id": "a/b"}, "assistant_id"),
        ({"name": " "}, "name"),
    ],
)
async def test_create_validates(
    talkturo: AsyncTalkturo, emu: Emulator, settings: dict[str, object], field: str
) -> None:
    """Bad windows, zones, numbers and counts raise InvalidRequestError naming the field."""
    settings = {"name": "Q3", **settings}
    with pytest.raises(InvalidRequestError) as info:
        await talkturo.campaigns.create(**settings)  # type: ignore[arg-type]
    assert info.value.field == field
    assert emu.request_log == []


async def test_list_paginates_in_order(talkturo: AsyncTalkturo, recorder: Recorder) -> None:
    """Listing 120 campaigns walks three pages and yields all of them in order."""
    created = [(await talkturo.campaigns.create(f"c{i:03d}")).id for i in range(120)]
    recorder.sent.clear()
    listed = [c.id async for c in talkturo.campaigns.list()]
    assert listed == created
    assert [s.params["offset"] for s in recorder.sent] == ["0", "50", "100"]
    assert all(s.params["limit"] == "50" for s in recorder.sent)


async def test_first_page_and_max_items(talkturo: AsyncTalkturo, recorder: Recorder) -> None:
    """first_page makes one request with the total; max_items stops early."""
    for i in range(7):
        await talkturo.campaigns.create(f"c{i}")
    recorder.sent.clear()
    page = await talkturo.campaigns.list(limit=5).first_page()
    assert (len(page.items), page.total, page.has_next) == (5, 7, True)
    assert len(recorder.sent) == 1
    names = [c.name async for c in talkturo.campaigns.list(limit=2, max_items=3)]
    assert names == ["c0", "c1", "c2"]


async def test_list_filters(talkturo: AsyncTalkturo, recorder: Recorder) -> None:
    """status, assistantId and deleted are sent as query parameters and filter the list."""
    assistant = await talkturo.assistants.create("Sam")
    running = await talkturo.campaigns.create("run", assistant_id=assistant.id)
    await talkturo.campaigns.create("idle")
    await talkturo.campaigns.start(running.id)
    found = await talkturo.campaigns.list(
        status=CampaignStatus.RUNNING, assistant_id=assistant.id, deleted="exclude"
    ).to_list()
    assert [c.id for c in found] == [running.id]
    assert recorder.last.params == {
        "teamId": TALKTURO_TEAM_ID,
        "status": "running",
        "assistantId": assistant.id,
        "deleted": "exclude",
        "limit": "50",
        "offset": "0",
    }


async def test_list_validates(talkturo: AsyncTalkturo, emu: Emulator) -> None:
    """Unknown status/deleted values and a zero limit fail before sending."""
    fields = []
    for kwargs in ({"status": "live"}, {"deleted": "all"}, {"limit": 0}, {"max_items": -1}):
        with pytest.raises(InvalidRequestError) as info:
            talkturo.campaigns.list(**kwargs)  # type: ignore[arg-type]
        fields.append(info.value.field)
    assert fields == ["status", "deleted", "limit", "max_items"]
    assert emu.request_log == []


async def test_get_and_update(talkturo: AsyncTalkturo, recorder: Recorder) -> None:
    """get returns the campaign; update sends only the changed fields."""
    campaign = await talkturo.campaigns.create("Q3")
    assert await talkturo.campaigns.get(campaign.id) == campaign
    updated = await talkturo.campaigns.update(
        campaign.id, call_window_end="19:00", max_concurrent_calls=2
    )
    assert (recorder.last.method, recorder.last.path) == (
        "PATCH",
        f"/api/crm/campaigns/{campaign.id}",
    )
    assert recorder.last.json == {"callWindowEnd": "19:00", "maxConcurrentCalls": 2}
    assert (updated.call_window_end, updated.max_concurrent_calls) == ("19:00", 2)
    assert updated.name == "Q3"


async def test_update_validates(talkturo: AsyncTalkturo, emu: Emulator) -> None:
    """A bad window time in an update fails before sending."""
    with pytest.raises(InvalidRequestError, match="call_window_start"):
        await talkturo.campaigns.update("camp_1", call_window_start="noon")
    assert emu.request_log == []


async def test_get_unknown_is_not_found(talkturo: AsyncTalkturo) -> None:
    """An unknown campaign raises NotFoundError."""
    with pytest.raises(NotFoundError):
        await talkturo.campaigns.get("camp_missing")


async def test_start_and_stop(talkturo: AsyncTalkturo, recorder: Recorder, emu: Emulator) -> None:
    """start/stop post the run action and return the new status."""
    campaign = await talkturo.campaigns.create("Q3")
    started = await talkturo.campaigns.start(campaign.id)
    assert (recorder.last.path, recorder.last.json) == (
        f"/api/crm/campaigns/{campaign.id}/run",
        {"action": "start"},
    )
    assert started.status is CampaignStatus.RUNNING
    assert isinstance(started.campaign, Campaign)
    stopped = await talkturo.campaigns.stop(campaign.id)
    assert recorder.last.json == {"action": "stop"}
    assert stopped.status is CampaignStatus.PAUSED
    assert [r["action"] for r in emu.talkturo.campaign_runs] == ["start", "stop"]


async def test_window_change_while_running_conflicts(talkturo: AsyncTalkturo) -> None:
    """Changing the call window of a running campaign is refused by the server (409)."""
    campaign = await talkturo.campaigns.create("Q3")
    await talkturo.campaigns.start(campaign.id)
    with pytest.raises(ConflictError):
        await talkturo.campaigns.update(campaign.id, call_window_start="08:00")


async def test_start_is_never_sent_twice(talkturo: AsyncTalkturo, emu: Emulator) -> None:
    """A start whose answer is lost raises OutcomeUnknownError and is not re-sent."""
    campaign = await talkturo.campaigns.create("Q3")
    emu.faults.add(FaultRule("POST /api/crm/campaigns/*/run", commit_drop_rate=1.0))
    with pytest.raises(OutcomeUnknownError):
        await talkturo.campaigns.start(campaign.id)
    assert len(emu.talkturo.campaign_runs) == 1
    assert (await talkturo.campaigns.get(campaign.id)).status is CampaignStatus.RUNNING


async def test_add_and_list_contacts(talkturo: AsyncTalkturo, recorder: Recorder) -> None:
    """add_contacts posts the ids; list_contacts pages through all 120 members in order."""
    contacts = await _contacts(talkturo, 120)
    campaign = await talkturo.campaigns.create("Q3")
    added = await talkturo.campaigns.add_contacts(campaign.id, [c.id for c in contacts])
    assert recorder.last.path == f"/api/crm/campaigns/{campaign.id}/contacts"
    assert recorder.last.json == {"contacts": [c.id for c in contacts]}
    assert (added.added, added.skipped) == (120, 0)
    assert added.campaign is not None
    assert added.campaign.total_contacts == 120
    members = [c.id async for c in talkturo.campaigns.list_contacts(campaign.id)]
    assert members == [c.id for c in contacts]


async def test_add_contacts_validates(talkturo: AsyncTalkturo, emu: Emulator) -> None:
    """An empty list or a bare string of contact ids is refused before sending."""
    for ids in ([], "cont_1", ["cont_1", ""]):
        with pytest.raises(InvalidRequestError, match="contact_ids"):
            await talkturo.campaigns.add_contacts("camp_1", ids)  # type: ignore[arg-type]
    assert emu.request_log == []


async def test_run_tolerates_docs_repo_answer() -> None:
    """The docs repo's bare ``{"success": true, "status": "running"}`` parses (respx)."""
    router = respx.MockRouter(base_url=BASE_URL)
    router.post("/crm/campaigns/camp_1/run").respond(json={"success": True, "status": "running"})
    async with AsyncTalkturo(
        "tok", base_url=BASE_URL, transport=httpx.MockTransport(router.async_handler)
    ) as client:
        run = await client.campaigns.start("camp_1")
    assert (run.status, run.campaign) == (CampaignStatus.RUNNING, None)


async def test_delete_is_soft_and_retried(
    talkturo: AsyncTalkturo, recorder: Recorder, emu: Emulator
) -> None:
    """delete sends DELETE, is retried after a 503 (idempotent), and hides the campaign."""
    campaign = await talkturo.campaigns.create("Q3")
    emu.faults.add(
        FaultRule("DELETE /api/crm/campaigns/*", error_rate=1.0, error_status=503, times=1)
    )
    assert await talkturo.campaigns.delete(campaign.id) is None
    assert (recorder.last.method, recorder.last.path) == (
        "DELETE",
        f"/api/crm/campaigns/{campaign.id}",
    )
    assert [r.status for r in emu.request_log if r.method == "DELETE"] == [503, 200]
    with pytest.raises(NotFoundError):
        await talkturo.campaigns.get(campaign.id)
    assert [c.id async for c in talkturo.campaigns.list()] == []
    assert [c.id async for c in talkturo.campaigns.list(deleted="only")] == [campaign.id]
    with pytest.raises(InvalidRequestError, match="campaign_id"):
        await talkturo.campaigns.delete("a/b")
