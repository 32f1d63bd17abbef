"""Campaign webhooks: create, get, update, toggle, test, and the inferred list and delete."""

from __future__ import annotations

import pytest

from talkkit import NotFoundError
from talkkit.emulator import Emulator
from talkkit.talkover import AsyncTalkover, Campaign

from .conftest import RecordingTransport, published_agent

pytestmark = pytest.mark.anyio

URL = "https://hooks.example.com/campaigns"


async def campaign(client: AsyncTalkover) -> Campaign:
    """A draft campaign."""
    agent = await published_agent(client)
    return await client.campaigns.create(name="Q3", agent_id=agent.id, start_date="2030-01-01")


async def test_create_with_campaign_fields(client: AsyncTalkover, wire: RecordingTransport) -> None:
    """include_call_events and event_templates are sent; dot-style events are accepted."""
    owner = await campaign(client)
    hook = await client.campaigns.webhooks.create(
        owner.id,
        name="Ops",
        webhook_url=URL,
        events=["campaign.started", "campaign_call.failed"],
        include_call_events=True,
        event_templates={"campaign.started": {"text": "{{name}} started"}},
    )
    assert (wire.last.method, wire.last.path) == ("POST", f"/campaigns/{owner.id}/webhooks")
    assert wire.last.body == {
        "name": "Ops",
        "webhook_url": URL,
        "events": ["campaign.started", "campaign_call.failed"],
        "include_call_events": True,
        "event_templates": {"campaign.started": {"text": "{{name}} started"}},
    }
    assert hook.campaign_id == owner.id
    assert hook.include_call_events is True
    assert client.campaign_webhooks is client.campaigns.webhooks


async def test_full_lifecycle(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """get, update, list, toggle (id + enabled only), test (ack only), delete."""
    owner = await campaign(client)
    hooks = client.campaign_webhooks
    hook = await hooks.create(owner.id, name="Ops", webhook_url=URL, events=["campaign.completed"])
    assert await hooks.get(owner.id, hook.id) == hook
    renamed = await hooks.update(owner.id, hook.id, name="Ops 2")
    assert wire.last.body == {"name": "Ops 2"}
    assert renamed.name == "Ops 2"
    assert [h.id for h in await hooks.list(owner.id)] == [hook.id]
    toggled = await hooks.toggle(owner.id, hook.id)
    assert (toggled.id, toggled.enabled, toggled.name) == (hook.id, False, None)
    assert await hooks.test(owner.id, hook.id) is None
    assert (wire.last.method, wire.last.path) == (
        "POST",
        f"/campaigns/{owner.id}/webhooks/{hook.id}/test",
    )
    assert emu.talkover.webhook_tests[-1]["payload"]["campaign_id"] == owner.id
    await hooks.delete(owner.id, hook.id)
    with pytest.raises(NotFoundError):
        await hooks.get(owner.id, hook.id)


async def test_unknown_campaign(client: AsyncTalkover) -> None:
    """Webhooks of a missing campaign are CAMPAIGN_NOT_FOUND."""
    with pytest.raises(NotFoundError) as info:
        await client.campaign_webhooks.list("missing")
    assert info.value.code == "CAMPAIGN_NOT_FOUND"
