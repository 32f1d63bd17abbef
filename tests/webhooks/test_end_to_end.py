"""
End to end over real sockets: the served emulator places Talkover calls and Talkturo campaign
calls and delivers signed webhooks to `talkkit.webhooks.app` under uvicorn; each call's final
status is handled once, although the emulator redelivers (the first answer to some events is
lost or refused).
"""

from __future__ import annotations

import pytest

import talkkit.webhooks
from talkkit.emulator import TALKOVER_TOKEN, TALKTURO_TEAM_ID, TALKTURO_TOKEN, Emulator
from talkkit.talkover import AsyncTalkover
from talkkit.talkturo import AsyncTalkturo
from talkkit.testing import ready_agent
from talkkit.webhooks import Event, TalkoverEvent

from .conftest import (
    FlakyNetwork,
    check_talkturo_calls,
    serve,
    start_talkturo_campaign,
    talkturo_finals_arrived,
    wait_for,
)

pytestmark = pytest.mark.anyio

AGENT_SECRET = "whsec_agent_e2e"
CAMPAIGN_SECRET = "whsec_campaign_e2e"
AGENT_EVENTS = [
    "event_phone_call_started",
    "event_phone_call_connected",
    "event_phone_call_ended",
    "event_phone_call_did_not_connect",
    "event_phone_call_error",
]
CAMPAIGN_EVENTS = ["campaign_call.completed", "campaign_call.failed"]
AGENT_NUMBERS = [f"+1202555{n:04d}" for n in range(10, 16)]
CAMPAIGN_NUMBERS = [f"+1415555{n:04d}" for n in range(20, 26)]
TALKTURO_NUMBERS = [f"+1312555{n:04d}" for n in range(30, 36)]


@pytest.fixture
def anyio_backend() -> str:
    """The servers run asyncio in their own threads; the client side needs one loop only."""
    return "asyncio"


async def test_every_final_status_arrives_once_despite_redelivery() -> None:
    """
    Talkover agent and campaign calls and Talkturo campaign calls: one handled final event
    per call, matching the emulator.
    """
    handled: list[TalkoverEvent] = []
    talkturo: list[Event] = []

    async def on_event(event: Event) -> None:
        if isinstance(event, TalkoverEvent):
            handled.append(event)
        else:
            talkturo.append(event)

    emu = Emulator(seed=7, call_time_scale=0.002)  # a 4-minute call ends in half a second
    receiver = talkkit.webhooks.app(
        on_event,
        talkover_secret=[AGENT_SECRET, CAMPAIGN_SECRET],
        talkturo_public_key=emu.talkturo_webhook_public_key,
    )
    network = FlakyNetwork(receiver)
    with serve(network) as hook_url, serve(emu.app) as emu_url:
        emu.talkturo_call_webhook_url = hook_url + "/talkturo"  # the dashboard setting
        async with AsyncTalkover(TALKOVER_TOKEN, base_url=emu_url + "/api/v1") as client:
            agent = await ready_agent(client, "Dialer")
            await client.agent_webhooks.create(
                agent.id,
                name="outcomes",
                webhook_url=hook_url + "/agent",
                events=AGENT_EVENTS,
                webhook_secret=AGENT_SECRET,
                max_retries=5,
            )
            caller = await ready_agent(client, "Campaigner")
            campaign = await client.campaigns.create(
                name="Q3", agent_id=caller.id, start_date="2030-01-01"
            )
            await client.campaign_webhooks.create(
                campaign.id,
                name="outcomes",
                webhook_url=hook_url + "/campaign",
                events=CAMPAIGN_EVENTS,
                webhook_secret=CAMPAIGN_SECRET,
                max_retries=5,
            )
            for n, number in enumerate(AGENT_NUMBERS):
                await client.agents.call(agent.id, phone_number=number, context={"n": n})
            for n, number in enumerate(CAMPAIGN_NUMBERS):
                await client.campaigns.call(campaign.id, phone_number=number, context={"n": n})
        async with AsyncTalkturo(
            TALKTURO_TOKEN, base_url=emu_url + "/api", team_id=TALKTURO_TEAM_ID
        ) as talkturo_client:
            await start_talkturo_campaign(talkturo_client, TALKTURO_NUMBERS)

        calls = emu.talkover.calls
        # Both servers run in their own threads: poll their state until everything arrived.
        wait_for(
            lambda: (
                not emu.pending_webhooks
                and len(calls) == len(AGENT_NUMBERS) + len(CAMPAIGN_NUMBERS)
                and {e.call_id for e in handled if e.is_final} == set(calls)
                and talkturo_finals_arrived(emu, talkturo)
                and len(handled) + len(talkturo) == receiver.accepted
            )
        )

    contexts = {placed.call_id: placed.context for placed in emu.placed_calls}
    finals: dict[str, list[TalkoverEvent]] = {call_id: [] for call_id in calls}
    for event in handled:
        if event.is_final:
            finals[event.call_id or ""].append(event)
    for call_id, events in finals.items():
        assert len(events) == 1, (call_id, events)
        assert events[0].call_status == calls[call_id]["status"]
        assert events[0].context == contexts[call_id]  # the call's context, echoed
    campaign_finals = [e for e in handled if e.campaign_id == campaign.id]
    assert {e.type for e in campaign_finals} <= set(CAMPAIGN_EVENTS)
    assert len(campaign_finals) == len(CAMPAIGN_NUMBERS)
    assert all(e.agent_id == agent.id for e in handled if e.type.startswith("event_phone"))
    talkturo_finals = check_talkturo_calls(emu, talkturo)
    assert talkturo_finals.total() == len(TALKTURO_NUMBERS)
    # Every event handled once, although some were delivered twice and taken both times.
    ids = [e.id for e in handled]
    assert len(ids) == len(set(ids))
    assert network.lost > 0
    assert network.refused > 0
    assert receiver.duplicates == network.lost
    assert receiver.refused == 0
    retried = [d for d in emu.webhook_deliveries if d.attempt > 1]
    assert len(retried) == network.lost + network.refused
    assert all(d.ok for d in retried)
    assert {d.url for d in retried if d.event.startswith("call.")} == {hook_url + "/talkturo"}
