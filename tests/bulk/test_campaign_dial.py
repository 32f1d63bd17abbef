"""The Talkturo campaign-dialing path: import, fill the call list, start — nobody twice."""

from __future__ import annotations

import pytest

from talkkit import AsyncTalkturo
from talkkit.emulator import Emulator, FaultRule
from talkkit.talkturo import CampaignStatus

pytestmark = pytest.mark.anyio


def rows(n: int) -> list[dict[str, str]]:
    return [
        {"first_name": f"F{i}", "last_name": "L", "email": f"c{i}@example.com"} for i in range(n)
    ]


async def new_campaign(turo: AsyncTalkturo) -> str:
    assistant = await turo.assistants.create("Dialer", template="outbound-setter")
    campaign = await turo.campaigns.create("Spring", assistant_id=assistant.id)
    return campaign.id


def adds(emu: Emulator, campaign_id: str) -> int:
    return sum(
        1
        for r in emu.request_log
        if r.method == "POST" and r.path.endswith(f"/{campaign_id}/contacts")
    )


async def test_dial_imports_fills_the_call_list_and_starts(
    turo: AsyncTalkturo, emu: Emulator, company_id: str
) -> None:
    """New and existing contacts all end up on the call list once; the campaign runs."""
    campaign_id = await new_campaign(turo)
    existing = [
        await turo.contacts.create(f"F{i}", "L", company_id=company_id, email=f"c{i}@example.com")
        for i in range(3)
    ]
    await turo.campaigns.add_contacts(campaign_id, [existing[0].id])  # one is on the list already
    result = await turo.campaigns.dial(campaign_id, rows(25), company_id=company_id)
    assert (result.imported.done, result.imported.skipped) == (22, 3)
    assert (result.on_call_list, result.added) == (25, 24)
    assert result.started is not None
    assert result.started.status == CampaignStatus.RUNNING
    members = emu.talkturo.campaign_contacts[campaign_id]
    assert len(members) == len(set(members)) == 25


async def test_lost_answers_are_checked_not_repeated(
    turo: AsyncTalkturo, emu: Emulator, company_id: str
) -> None:
    """An add and a start whose answers are lost are confirmed by reading, not sent again."""
    campaign_id = await new_campaign(turo)
    emu.faults.add(
        FaultRule(
            route=f"POST /api/crm/campaigns/{campaign_id}/contacts", commit_drop_rate=1.0, times=1
        )
    )
    emu.faults.add(
        FaultRule(route=f"POST /api/crm/campaigns/{campaign_id}/run", commit_drop_rate=1.0, times=1)
    )
    result = await turo.campaigns.dial(campaign_id, rows(10), company_id=company_id)
    assert result.started is not None
    assert result.started.status == CampaignStatus.RUNNING
    assert adds(emu, campaign_id) == 1  # the lost add had worked: nothing was added again
    runs = [r for r in emu.request_log if r.path.endswith(f"/{campaign_id}/run")]
    assert len(runs) == 1
    assert len(emu.talkturo.campaign_contacts[campaign_id]) == 10


async def test_dial_without_start(turo: AsyncTalkturo, emu: Emulator, company_id: str) -> None:
    """start=False fills the call list and leaves the campaign as it was."""
    campaign_id = await new_campaign(turo)
    result = await turo.campaigns.dial(campaign_id, rows(4), company_id=company_id, start=False)
    assert result.started is None
    assert emu.talkturo.campaigns[campaign_id]["status"] == "draft"
    assert len(emu.talkturo.campaign_contacts[campaign_id]) == 4
