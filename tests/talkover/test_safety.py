"""Every write names its safety: calls, creates, flips and tests unsafe; set-to-state idempotent."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from talkkit import AsyncTalkover, Safety
from talkkit._request import context_of
from talkkit.emulator import TALKOVER_TOKEN, Emulator
from talkkit.typing import Handler

from .conftest import BASE_URL, FAST_RETRY, RecordingTransport

pytestmark = pytest.mark.anyio

_ID = re.compile(r"/[0-9a-f]{8}-[0-9a-f-]{27}")

EXPECTED = {
    "GET /health": Safety.SAFE,
    "POST /agents": Safety.UNSAFE,
    "GET /agents": Safety.SAFE,
    "GET /agents/{id}": Safety.SAFE,
    "GET /voice-templates": Safety.SAFE,
    "GET /voice-templates/{id}/demo": Safety.SAFE,
    "PUT /agents/{id}/voice": Safety.IDEMPOTENT,
    "PUT /agents/{id}/knowledge": Safety.IDEMPOTENT,
    "GET /phone-numbers": Safety.SAFE,
    "PUT /agents/{id}/calling": Safety.IDEMPOTENT,
    "POST /agents/{id}/publish": Safety.IDEMPOTENT,
    "POST /agents/{id}/call": Safety.UNSAFE,
    "GET /agents/{id}/calls": Safety.SAFE,
    "GET /calls": Safety.SAFE,
    "POST /agents/{id}/trainings": Safety.UNSAFE,
    "GET /agents/{id}/trainings": Safety.SAFE,
    "DELETE /agents/{id}/trainings/{id}": Safety.IDEMPOTENT,
    "POST /agents/{id}/actions": Safety.UNSAFE,
    "GET /agents/{id}/actions": Safety.SAFE,
    "DELETE /agents/{id}/actions/{id}": Safety.IDEMPOTENT,
    "POST /agents/{id}/webhooks": Safety.UNSAFE,
    "GET /agents/{id}/webhooks": Safety.SAFE,
    "GET /agents/{id}/webhooks/{id}": Safety.SAFE,
    "PUT /agents/{id}/webhooks/{id}": Safety.IDEMPOTENT,
    "PATCH /agents/{id}/webhooks/{id}/toggle": Safety.UNSAFE,
    "POST /agents/{id}/webhooks/{id}/test": Safety.UNSAFE,
    "DELETE /agents/{id}/webhooks/{id}": Safety.IDEMPOTENT,
    "POST /campaigns": Safety.UNSAFE,
    "GET /campaigns": Safety.SAFE,
    "GET /campaigns/{id}": Safety.SAFE,
    "PUT /campaigns/{id}": Safety.IDEMPOTENT,
    "PATCH /campaigns/{id}/status": Safety.IDEMPOTENT,
    "POST /campaigns/{id}/call": Safety.UNSAFE,
    "POST /campaigns/{id}/webhooks": Safety.UNSAFE,
    "GET /campaigns/{id}/webhooks": Safety.SAFE,
    "GET /campaigns/{id}/webhooks/{id}": Safety.SAFE,
    "PUT /campaigns/{id}/webhooks/{id}": Safety.IDEMPOTENT,
    "PATCH /campaigns/{id}/webhooks/{id}/toggle": Safety.UNSAFE,
    "POST /campaigns/{id}/webhooks/{id}/test": Safety.UNSAFE,
    "DELETE /campaigns/{id}/webhooks/{id}": Safety.IDEMPOTENT,
    "DELETE /campaigns/{id}": Safety.IDEMPOTENT,
    "POST /sip-trunks": Safety.UNSAFE,
    "GET /sip-trunks": Safety.SAFE,
    "GET /sip-trunks/{id}": Safety.SAFE,
    "PUT /sip-trunks/{id}": Safety.IDEMPOTENT,
    "POST /sip-trunks/{id}/verify": Safety.UNSAFE,
    "GET /sip-trunks/{id}/health": Safety.SAFE,
    "POST /sip-trunks/{id}/dids": Safety.UNSAFE,
    "GET /sip-trunks/{id}/dids": Safety.SAFE,
    "DELETE /sip-trunks/{id}/dids/{id}": Safety.IDEMPOTENT,
    "DELETE /sip-trunks/{id}": Safety.IDEMPOTENT,
    "POST /agents/{id}/unpublish": Safety.IDEMPOTENT,
    "DELETE /agents/{id}": Safety.IDEMPOTENT,
}


@pytest.fixture
async def marked(
    wire: RecordingTransport,
) -> AsyncIterator[tuple[AsyncTalkover, dict[str, Safety]]]:
    """A client whose middleware records the safety of every route it sends."""
    seen: dict[str, Safety] = {}

    async def record(request: httpx.Request, call_next: Handler) -> httpx.Response:
        path = _ID.sub("/{id}", request.url.path.removeprefix("/api/v1"))
        seen[f"{request.method} {path}"] = context_of(request).safety
        return await call_next(request)

    async with AsyncTalkover(
        TALKOVER_TOKEN,
        base_url=BASE_URL,
        transport=wire,
        rate_limit=None,
        retry=FAST_RETRY,
        middleware=[record],
    ) as client:
        yield client, seen


async def test_every_endpoint_has_its_safety_mark(
    marked: tuple[AsyncTalkover, dict[str, Safety]], emu: Emulator
) -> None:
    """Run every method once; each route carries the documented safety."""
    c, seen = marked
    await c.health.check()
    agent = await c.agents.create(name="Bot")
    await c.agents.list().to_list()
    await c.agents.get(agent.id)
    voice = (await c.voice_templates.list())[0].voices[0]
    await c.voice_templates.demo_url(voice.id)
    await c.agents.update_voice(
        agent.id, voice_id=voice.id, conversation_speed=1.5, who_speaks_first="agent"
    )
    await c.agents.update_knowledge(
        agent.id,
        description="Long enough",
        interrupt_sensitivity="low",
        ask_if_human_present_on_idle=True,
        llm_temperature=1,
        initial_message_delay=0,
    )
    numbers = await c.phone_numbers.list()
    await c.agents.update_calling(agent.id, direction="outbound", phone_number_ids=[numbers[0].id])
    await c.agents.publish(agent.id)
    await c.agents.call(agent.id, phone_number="+14155550123")
    await c.agents.calls(agent.id).to_list()
    await c.calls.list().to_list()
    training = await c.trainings.create_or_update(agent.id, subject="s", instructions="i")
    await c.trainings.list(agent.id)
    await c.trainings.delete(agent.id, training.id)
    action = await c.actions.create_or_update(agent.id, name="n", type="hold")
    await c.actions.list(agent.id)
    await c.actions.delete(agent.id, action.id)
    url, events = "https://hooks.example.com/x", ["event_phone_call_ended"]
    hook = await c.agent_webhooks.create(agent.id, name="w", webhook_url=url, events=events)
    await c.agent_webhooks.list(agent.id)
    await c.agent_webhooks.get(agent.id, hook.id)
    await c.agent_webhooks.update(agent.id, hook.id, timeout=10)
    await c.agent_webhooks.toggle(agent.id, hook.id)
    await c.agent_webhooks.test(agent.id, hook.id)
    await c.agent_webhooks.delete(agent.id, hook.id)
    campaign = await c.campaigns.create(name="C", agent_id=agent.id, start_date="2030-01-01")
    await c.campaigns.list().to_list()
    await c.campaigns.get(campaign.id)
    await c.campaigns.update(campaign.id, max_retries=1)
    await c.campaigns.set_status(campaign.id, "active")
    await c.campaigns.call(campaign.id, phone_number="+14155550124")
    chook = await c.campaign_webhooks.create(
        campaign.id, name="w", webhook_url=url, events=["campaign.started"]
    )
    await c.campaign_webhooks.list(campaign.id)
    await c.campaign_webhooks.get(campaign.id, chook.id)
    await c.campaign_webhooks.update(campaign.id, chook.id, timeout=10)
    await c.campaign_webhooks.toggle(campaign.id, chook.id)
    await c.campaign_webhooks.test(campaign.id, chook.id)
    await c.campaign_webhooks.delete(campaign.id, chook.id)
    await c.campaigns.set_status(campaign.id, "cancelled")
    await c.campaigns.delete(campaign.id)
    trunk = await c.sip_trunks.create(
        name="t", domain="sip.example.com", username="u", password="p"
    )
    await c.sip_trunks.list()
    await c.sip_trunks.get(trunk.id)
    await c.sip_trunks.update(trunk.id, name="t2")
    await c.sip_trunks.verify(trunk.id)
    await c.sip_trunks.health(trunk.id)
    did = await c.sip_trunks.add_did(trunk.id, number="+14155550777")
    await c.sip_trunks.list_dids(trunk.id)
    await c.sip_trunks.remove_did(trunk.id, did.id)
    await c.sip_trunks.delete(trunk.id)
    await c.agents.unpublish(agent.id)
    emu.talkover.complete_calls()
    await c.agents.delete(agent.id)
    assert seen == EXPECTED
