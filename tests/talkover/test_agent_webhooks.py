"""Agent webhooks: list (with available events), create, get, update, delete, toggle, test."""

from __future__ import annotations

import pytest

from talkkit import BadRequestError, InvalidRequestError, NotFoundError, OutcomeUnknownError
from talkkit.emulator import Emulator, FaultRule
from talkkit.talkover import AsyncTalkover, CustomHeader, WebhookStatus

from .conftest import RecordingTransport, new_agent

pytestmark = pytest.mark.anyio

URL = "https://hooks.example.com/talkover"
ENDED = "event_phone_call_ended"


async def test_create_sends_every_field(client: AsyncTalkover, wire: RecordingTransport) -> None:
    """The body carries the documented keys; headers become [{key, value}]."""
    agent = await new_agent(client)
    hook = await client.agent_webhooks.create(
        agent.id,
        name="CRM",
        webhook_url=URL,
        events=[ENDED, "event_phone_call_started"],
        webhook_secret="s3cret",
        timeout=10,
        max_retries=0,
        enabled=True,
        http_method="PUT",
        authorization_scheme="custom",
        custom_headers={"X-Env": "prod"},
    )
    assert (wire.last.method, wire.last.path) == ("POST", f"/agents/{agent.id}/webhooks")
    assert wire.last.body == {
        "name": "CRM",
        "webhook_url": URL,
        "webhook_secret": "s3cret",
        "events": [ENDED, "event_phone_call_started"],
        "timeout": 10,
        "max_retries": 0,
        "enabled": True,
        "http_method": "PUT",
        "authorization_scheme": "custom",
        "custom_headers": [{"key": "X-Env", "value": "prod"}],
    }
    assert hook.agent_id == agent.id
    assert hook.status == WebhookStatus.ACTIVE
    assert hook.custom_headers == [CustomHeader("X-Env", "prod")]
    assert hook.created_at is not None
    assert hook.created_at.microsecond > 0 or hook.created_at.tzinfo is not None


async def test_list_includes_available_events(client: AsyncTalkover) -> None:
    """The list is an object: webhooks plus the event catalogue."""
    agent = await new_agent(client)
    hook = await client.agent_webhooks.create(agent.id, name="A", webhook_url=URL, events=[ENDED])
    listing = await client.agent_webhooks.list(agent.id)
    assert [w.id for w in listing.webhooks] == [hook.id]
    assert ENDED in listing.available_events
    assert isinstance(listing.available_events[ENDED], str)


async def test_get_update_delete(client: AsyncTalkover, wire: RecordingTransport) -> None:
    """update sends only the fields given; delete (inferred path) removes the webhook."""
    agent = await new_agent(client)
    hook = await client.agent_webhooks.create(agent.id, name="A", webhook_url=URL, events=[ENDED])
    assert await client.agent_webhooks.get(agent.id, hook.id) == hook
    updated = await client.agent_webhooks.update(agent.id, hook.id, enabled=False, timeout=60)
    assert (wire.last.method, wire.last.body) == ("PUT", {"enabled": False, "timeout": 60})
    assert updated.enabled is False
    assert updated.status == WebhookStatus.DISABLED
    assert updated.name == "A"
    await client.agent_webhooks.delete(agent.id, hook.id)
    assert (wire.last.method, wire.last.path) == (
        "DELETE",
        f"/agents/{agent.id}/webhooks/{hook.id}",
    )
    with pytest.raises(NotFoundError):
        await client.agent_webhooks.get(agent.id, hook.id)


async def test_toggle_flips_and_test_reports(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """toggle flips `enabled`; test returns your endpoint's status and latency."""
    agent = await new_agent(client)
    hook = await client.agent_webhooks.create(agent.id, name="A", webhook_url=URL, events=[ENDED])
    off = await client.agent_webhooks.toggle(agent.id, hook.id)
    assert (wire.last.method, wire.last.path) == (
        "PATCH",
        f"/agents/{agent.id}/webhooks/{hook.id}/toggle",
    )
    assert off.enabled is False
    on = await client.agent_webhooks.toggle(agent.id, hook.id)
    assert on.enabled is True
    result = await client.agent_webhooks.test(agent.id, hook.id)
    assert (result.status_code, result.response_time) == (200, 42)
    assert emu.talkover.webhook_tests[-1]["url"] == URL


async def test_toggle_is_never_resent(client: AsyncTalkover, emu: Emulator) -> None:
    """A flip whose answer is lost is OutcomeUnknownError: re-sending would undo it."""
    agent = await new_agent(client)
    hook = await client.agent_webhooks.create(agent.id, name="A", webhook_url=URL, events=[ENDED])
    emu.faults.add(FaultRule(route="PATCH /api/v1/agents/*/toggle", commit_drop_rate=1.0, times=1))
    with pytest.raises(OutcomeUnknownError):
        await client.agent_webhooks.toggle(agent.id, hook.id)
    assert (await client.agent_webhooks.get(agent.id, hook.id)).enabled is False


async def test_server_side_validation_keeps_field_errors(client: AsyncTalkover) -> None:
    """An event the server does not know comes back as 422 with the per-field errors."""
    agent = await new_agent(client)
    with pytest.raises(BadRequestError) as info:
        await client.agent_webhooks.create(agent.id, name="A", webhook_url=URL, events=["nope"])
    assert info.value.status == 422
    assert info.value.code == "VALIDATION_ERROR"  # shape D carries none: the documented 422 code
    assert info.value.message == "The given data was invalid."
    assert info.value.errors == {"events.0": ["The selected events.0 is invalid."]}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"events": []}, "events"),
        ({"events": "event_a"}, "events"),
        ({"webhook_url": "hooks.example.com"}, "webhook_url"),
        ({"webhook_url": "https://x.example/" + "a" * 500}, "webhook_url"),
        ({"timeout": 4}, "timeout"),
        ({"max_retries": 11}, "max_retries"),
        ({"http_method": "GET"}, "http_method"),
        ({"authorization_scheme": "oauth2"}, "authorization_scheme"),
        ({"name": "n" * 256}, "name"),
    ],
)
async def test_create_validates(
    client: AsyncTalkover, emu: Emulator, kwargs: dict[str, object], field: str
) -> None:
    """Documented limits are checked before sending."""
    args: dict[str, object] = {"name": "A", "webhook_url": URL, "events": [ENDED], **kwargs}
    with pytest.raises(InvalidRequestError) as info:
        await client.agent_webhooks.create("a1", **args)  # type: ignore[arg-type]
    assert info.value.field == field
    assert emu.request_log == []
