"""Campaigns: CRUD, the status lifecycle and queued campaign calls, through the emulator."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from talkkit import (
    BadRequestError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
)
from talkkit.emulator import Emulator, FaultRule
from talkkit.talkover import (
    AsyncTalkover,
    CallTimeRange,
    Campaign,
    CampaignStatus,
    CampaignType,
)

from .conftest import RecordingTransport, published_agent

pytestmark = pytest.mark.anyio

NUMBER = "+14155550123"


async def new_campaign(client: AsyncTalkover, agent_id: str, name: str = "Q3 renewals") -> Campaign:
    """A draft campaign on weekdays, 09:00–12:00."""
    return await client.campaigns.create(
        name=name,
        agent_id=agent_id,
        start_date=date(2030, 1, 1),
        days_of_week=[1, 2, 3, 4, 5],
        call_time_ranges=[("09:00", "12:00")],
        timezone="America/New_York",
    )


async def test_create_sends_the_documented_body(
    client: AsyncTalkover, wire: RecordingTransport
) -> None:
    """Dates as YYYY-MM-DD, ranges as {start, end}, every field snake_case."""
    agent = await published_agent(client)
    campaign = await client.campaigns.create(
        name="Q3",
        description="Renewals",
        campaign_type=CampaignType.FOLLOW_UP,
        agent_id=agent.id,
        start_date=date(2030, 1, 1),
        end_date="2030-02-01",
        days_of_week=[1, 3],
        call_time_ranges=[("09:00", "12:00"), CallTimeRange("14:00", "17:30")],
        timezone="Europe/Lisbon",
        initial_call_delay=60,
        max_retries=2,
        retry_cooldown_hours=12,
        enable_post_completion_cooldown=True,
        post_completion_cooldown_hours=48,
        success_cooldown_hours=100,
        voicemail_cooldown_hours=2,
        no_answer_cooldown_hours=3,
        busy_cooldown_hours=1,
        failed_cooldown_hours=24,
        do_not_call_enabled=True,
        do_not_call_list_source="environment",
        auto_add_to_dnc_enabled=True,
        auto_dnc_trigger_statuses=["completed", "voicemail"],
        auto_dnc_trigger_errors=["invalid_number"],
    )
    assert (wire.last.method, wire.last.path) == ("POST", "/campaigns")
    assert wire.last.body == {
        "name": "Q3",
        "description": "Renewals",
        "campaign_type": "follow_up",
        "agent_id": agent.id,
        "start_date": "2030-01-01",
        "end_date": "2030-02-01",
        "days_of_week": [1, 3],
        "call_time_ranges": [
            {"start": "09:00", "end": "12:00"},
            {"start": "14:00", "end": "17:30"},
        ],
        "timezone": "Europe/Lisbon",
        "initial_call_delay": 60,
        "max_retries": 2,
        "retry_cooldown_hours": 12,
        "enable_post_completion_cooldown": True,
        "post_completion_cooldown_hours": 48,
        "success_cooldown_hours": 100,
        "voicemail_cooldown_hours": 2,
        "no_answer_cooldown_hours": 3,
        "busy_cooldown_hours": 1,
        "failed_cooldown_hours": 24,
        "do_not_call_enabled": True,
        "do_not_call_list_source": "environment",
        "auto_add_to_dnc_enabled": True,
        "auto_dnc_trigger_statuses": ["completed", "voicemail"],
        "auto_dnc_trigger_errors": ["invalid_number"],
    }
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.campaign_type == CampaignType.FOLLOW_UP
    assert campaign.start_date == date(2030, 1, 1)
    assert campaign.earliest_call_time == "09:00:00"
    assert campaign.latest_call_time == "17:30:00"
    assert campaign.agent is not None
    assert campaign.agent.id == agent.id
    assert campaign.stats is not None
    assert campaign.stats.total_calls == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("campaign_type", "cold"),
        ("days_of_week", []),
        ("days_of_week", [0]),
        ("days_of_week", [8]),
        ("call_time_ranges", [("12:00", "09:00")]),
        ("call_time_ranges", [("9:00", "12:00")]),
        ("call_time_ranges", []),
        ("timezone", "Mars/Olympus"),
        ("max_retries", 11),
        ("retry_cooldown_hours", 0),
        ("post_completion_cooldown_hours", 169),
        ("start_date", "tomorrow"),
        ("end_date", date(2029, 12, 31)),
    ],
)
async def test_create_validates_before_sending(
    client: AsyncTalkover, emu: Emulator, field: str, value: object
) -> None:
    """Each documented rule fails client-side, naming the field; nothing is sent."""
    args: dict[str, Any] = {"name": "Q3", "start_date": "2030-01-01", field: value}
    with pytest.raises(InvalidRequestError) as info:
        await client.campaigns.create(**args)
    assert info.value.field == field
    assert emu.request_log == []


async def test_get_has_calls_and_files(client: AsyncTalkover) -> None:
    """get() adds the queued calls and files."""
    agent = await published_agent(client)
    campaign = await new_campaign(client, agent.id)
    queued = await client.campaigns.call(campaign.id, phone_number=NUMBER)
    fetched = await client.campaigns.get(campaign.id)
    assert [c.id for c in fetched.calls] == [queued.campaign_call.id]
    assert fetched.calls[0].retries == 0
    assert fetched.files == []


async def test_update_sends_only_the_fields_given(
    client: AsyncTalkover, wire: RecordingTransport
) -> None:
    """A partial PUT carries only what was passed; the rest is unchanged."""
    agent = await published_agent(client)
    campaign = await new_campaign(client, agent.id)
    updated = await client.campaigns.update(campaign.id, max_retries=5, description="New")
    assert (wire.last.method, wire.last.path) == ("PUT", f"/campaigns/{campaign.id}")
    assert wire.last.body == {"max_retries": 5, "description": "New"}
    assert updated.max_retries == 5
    assert updated.name == campaign.name
    assert updated.timezone == "America/New_York"


async def test_list_filters_and_pages(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """Filters are sent; 45 campaigns come back in order over 3 pages."""
    agent = await published_agent(client)
    names = [f"c{i:02d}" for i in range(45)]
    for name in names:
        await new_campaign(client, agent.id, name)
    wire.sent.clear()
    found = await client.campaigns.list(
        status="draft", campaign_type="custom", agent_id=agent.id, date_from="2020-01-01"
    ).to_list()
    assert [c.name for c in found] == names
    assert [s.params["page"] for s in wire.sent] == ["1", "2", "3"]
    assert wire.sent[0].params == {
        "status": "draft",
        "campaign_type": "custom",
        "agent_id": agent.id,
        "date_from": "2020-01-01",
        "page": "1",
        "per_page": "20",
    }


async def test_lifecycle_and_delete_rules(client: AsyncTalkover, wire: RecordingTransport) -> None:
    """draft → active → paused; an active campaign cannot be deleted; a paused one can."""
    agent = await published_agent(client)
    campaign = await new_campaign(client, agent.id)
    active = await client.campaigns.set_status(campaign.id, CampaignStatus.ACTIVE)
    assert (wire.last.method, wire.last.body) == ("PATCH", {"status": "active"})
    assert active.status == CampaignStatus.ACTIVE
    assert active.updated_at is not None
    with pytest.raises(PermissionDeniedError) as info:
        await client.campaigns.delete(campaign.id)
    assert info.value.message == "Cannot delete active campaign"
    await client.campaigns.set_status(campaign.id, "paused")
    await client.campaigns.delete(campaign.id)
    assert wire.last.method == "DELETE"
    with pytest.raises(NotFoundError) as missing:
        await client.campaigns.get(campaign.id)
    assert missing.value.code == "CAMPAIGN_NOT_FOUND"


async def test_invalid_transition_is_a_bad_request(client: AsyncTalkover) -> None:
    """A transition the lifecycle forbids is INVALID_TRANSITION."""
    agent = await published_agent(client)
    campaign = await new_campaign(client, agent.id)
    with pytest.raises(BadRequestError) as info:
        await client.campaigns.set_status(campaign.id, "paused")
    assert info.value.code == "INVALID_TRANSITION"


async def test_set_status_already_there_returns_the_campaign(
    client: AsyncTalkover, wire: RecordingTransport
) -> None:
    """Asking for the status the campaign already has (a retry that went through) succeeds."""
    agent = await published_agent(client)
    campaign = await new_campaign(client, agent.id)
    await client.campaigns.set_status(campaign.id, "active")
    again = await client.campaigns.set_status(campaign.id, "active")
    assert again.status == CampaignStatus.ACTIVE
    assert [(s.method, s.path) for s in wire.sent[-2:]] == [
        ("PATCH", f"/campaigns/{campaign.id}/status"),
        ("GET", f"/campaigns/{campaign.id}"),
    ]


async def test_set_status_is_retried_after_a_lost_answer(
    client: AsyncTalkover, emu: Emulator
) -> None:
    """The status change is idempotent: a lost answer is retried and the outcome holds."""
    agent = await published_agent(client)
    campaign = await new_campaign(client, agent.id)
    emu.faults.add(
        FaultRule(route="PATCH /api/v1/campaigns/*/status", commit_drop_rate=1.0, times=1)
    )
    result = await client.campaigns.set_status(campaign.id, "active")
    assert result.status == CampaignStatus.ACTIVE


async def test_set_status_validates(client: AsyncTalkover, emu: Emulator) -> None:
    """An unknown status is refused before sending."""
    with pytest.raises(InvalidRequestError, match="status"):
        await client.campaigns.set_status("c1", "running")
    assert emu.request_log == []


async def test_campaign_call_is_queued_once_without_envelope(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """201 `{campaign_call, campaign}` becomes a CampaignCallResult; one call is placed."""
    agent = await published_agent(client)
    campaign = await new_campaign(client, agent.id)
    result = await client.campaigns.call(
        campaign.id,
        phone_number=NUMBER,
        payload={"plan": "gold"},
        context={"row": 7},
        is_testing=True,
        allow_duplicates=False,
    )
    assert wire.last.body == {
        "to": NUMBER,
        "payload": {"plan": "gold"},
        "context": {"row": 7},
        "is_testing": True,
        "allow_duplicates": False,
    }
    assert result.campaign_call.status == "queued"
    assert result.campaign_call.campaign_id == campaign.id
    assert result.campaign_call.scheduled_at is not None
    assert result.campaign.id == campaign.id
    assert result.campaign.status == CampaignStatus.DRAFT
    assert [(c.kind, c.campaign_id, c.to) for c in emu.placed_calls] == [
        ("campaign", campaign.id, NUMBER)
    ]


async def test_campaign_call_duplicate_is_a_conflict(client: AsyncTalkover, emu: Emulator) -> None:
    """A number already queued is a 409 unless allow_duplicates."""
    agent = await published_agent(client)
    campaign = await new_campaign(client, agent.id)
    await client.campaigns.call(campaign.id, phone_number=NUMBER)
    with pytest.raises(ConflictError):
        await client.campaigns.call(campaign.id, phone_number=NUMBER)
    await client.campaigns.call(campaign.id, phone_number=NUMBER, allow_duplicates=True)
    assert len(emu.placed_calls) == 2


async def test_campaign_call_lost_answer_is_outcome_unknown(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """Commit-then-drop on a campaign call: OutcomeUnknownError and exactly one queued call."""
    agent = await published_agent(client)
    campaign = await new_campaign(client, agent.id)
    emu.faults.add(FaultRule(route="POST /api/v1/campaigns/*/call", commit_drop_rate=1.0, times=1))
    with pytest.raises(OutcomeUnknownError):
        await client.campaigns.call(campaign.id, phone_number=NUMBER)
    assert len(emu.placed_calls) == 1
    assert sum(s.path.endswith("/call") for s in wire.sent) == 1
    # The documented recovery: re-send without allow_duplicates; 409 means it was queued.
    with pytest.raises(ConflictError):
        await client.campaigns.call(campaign.id, phone_number=NUMBER)
    assert len(emu.placed_calls) == 1


async def test_campaign_call_validates_the_number(client: AsyncTalkover, emu: Emulator) -> None:
    """A bad number is refused before sending."""
    with pytest.raises(InvalidRequestError) as info:
        await client.campaigns.call("c1", phone_number="0800 123")
    assert info.value.field == "phone_number"
    assert emu.request_log == []
