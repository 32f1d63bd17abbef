"""The Talkover API as users write it: type-checked by mypy --strict, never executed."""

from __future__ import annotations

from datetime import date, datetime

import talkkit
from talkkit import AsyncPaginator, AsyncTalkover, Page
from talkkit.talkover import (
    ActionInput,
    Agent,
    AgentStatus,
    AgentWebhookList,
    Call,
    CallStatus,
    CallTimeRange,
    Campaign,
    CampaignCallResult,
    CampaignStatus,
    CampaignWebhook,
    Did,
    Health,
    PhoneNumber,
    PlacedCall,
    SipTrunk,
    SipTrunkHealth,
    SipTrunkVerification,
    Training,
    VoiceTemplateGroup,
    WebhookTestResult,
)


async def agents(talkover: AsyncTalkover) -> None:
    health: Health = await talkover.health.check()
    agent: Agent = await talkover.agents.create(name="SupportBot", language="en-US")
    pages: AsyncPaginator[Agent] = talkover.agents.list(status=AgentStatus.PUBLISHED)
    first: Page[Agent] = await pages.first_page()
    async for listed in talkover.agents.list(search="Support", per_page=100):
        name: str | None = listed.name
    groups: list[VoiceTemplateGroup] = await talkover.voice_templates.list()
    mp3: str = await talkover.voice_templates.demo_url(groups[0].voices[0].id)
    await talkover.agents.update_voice(
        agent.id, voice_id=groups[0].voices[0].id, conversation_speed=1.5, who_speaks_first="agent"
    )
    await talkover.agents.update_knowledge(
        agent.id,
        description="Handles refunds",
        interrupt_sensitivity="low",
        ask_if_human_present_on_idle=True,
        llm_temperature=0.5,
        initial_message_delay=1,
    )
    numbers: list[PhoneNumber] = await talkover.phone_numbers.list(type="voice")
    await talkover.agents.update_calling(
        agent.id, direction="outbound", phone_number_ids=[n.id for n in numbers]
    )
    published: Agent = await talkover.agents.publish(agent.id)
    training: Training = await talkover.trainings.create_or_update(
        agent.id, subject="Refunds", instructions="30 days"
    )
    await talkover.actions.create_or_update(
        agent.id, name="lookup", type="webhook", inputs=[ActionInput(name="order_id")]
    )
    hooks: AgentWebhookList = await talkover.agent_webhooks.list(agent.id)
    events: dict[str, str] = hooks.available_events
    result: WebhookTestResult = await talkover.agent_webhooks.test(agent.id, hooks.webhooks[0].id)
    await talkover.agents.unpublish(agent.id)
    await talkover.agents.delete(agent.id)
    del health, first, name, mp3, published, training, events, result


async def dialing(talkover: AsyncTalkover, agent_id: str) -> None:
    try:
        placed: PlacedCall = await talkover.agents.call(
            agent_id, phone_number="+14155550123", context={"crm_id": 42}
        )
        del placed
    except talkkit.OutcomeUnknownError as exc:
        request_id: str | None = exc.request_id
        async for call in talkover.calls.list(agent_id=agent_id, phone_number="+14155550123"):
            status: CallStatus | str | None = call.status
            caller: str | None = call.from_
            started: datetime | None = call.created_at
            del status, caller, started
        del request_id
    history: list[Call] = await talkover.agents.calls(
        agent_id, date_from=date(2025, 1, 1), status="no-answer"
    ).to_list()
    del history


async def campaigns(talkover: AsyncTalkover, agent_id: str) -> None:
    campaign: Campaign = await talkover.campaigns.create(
        name="Q3",
        agent_id=agent_id,
        start_date=date(2030, 1, 1),
        days_of_week=[1, 2, 3, 4, 5],
        call_time_ranges=[("09:00", "12:00"), CallTimeRange("14:00", "17:00")],
        timezone="America/New_York",
    )
    await talkover.campaigns.update(campaign.id, max_retries=5)
    active: Campaign = await talkover.campaigns.set_status(campaign.id, CampaignStatus.ACTIVE)
    queued: CampaignCallResult = await talkover.campaigns.call(
        campaign.id, phone_number="+14155550123"
    )
    scheduled: datetime | None = queued.campaign_call.scheduled_at
    hook: CampaignWebhook = await talkover.campaigns.webhooks.create(
        campaign.id, name="Ops", webhook_url="https://x.example/h", events=["campaign.started"]
    )
    await talkover.campaign_webhooks.update(campaign.id, hook.id, enabled=False)
    async for listed in talkover.campaigns.list(status="active"):
        del listed
    del active, scheduled


async def sip(talkover: AsyncTalkover) -> None:
    trunk: SipTrunk = await talkover.sip_trunks.create(
        name="Carrier", domain="sip.example.com", username="acme", password="secret"
    )
    verification: SipTrunkVerification = await talkover.sip_trunks.verify(trunk.id)
    health: SipTrunkHealth = await talkover.sip_trunks.health(trunk.id)
    did: Did = await talkover.sip_trunks.add_did(trunk.id, number="+14155550777")
    dids: list[Did] = await talkover.sip_trunks.list_dids(trunk.id)
    await talkover.sip_trunks.remove_did(trunk.id, did.id)
    await talkover.sip_trunks.delete(trunk.id)
    del verification, health, dids
