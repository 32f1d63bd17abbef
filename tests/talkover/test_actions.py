"""Actions: list, create-or-update, delete."""

from __future__ import annotations

import pytest

from talkkit import InvalidRequestError, NotFoundError
from talkkit.emulator import Emulator
from talkkit.talkover import ActionInput, ActionTrigger, AsyncTalkover, CustomHeader

from .conftest import RecordingTransport, new_agent

pytestmark = pytest.mark.anyio


async def test_create_or_update_sends_inputs_headers_and_integration(
    client: AsyncTalkover, wire: RecordingTransport
) -> None:
    """inputs, custom_headers and integration_id take their wire shapes; inputs come back."""
    agent = await new_agent(client)
    action = await client.actions.create_or_update(
        agent.id,
        name="lookup_order",
        type="webhook",
        description="Find an order",
        inputs=[
            ActionInput(name="order_id", type="string", required=True, description="The id"),
            {"name": "email", "type": "string"},
        ],
        integration_id="int-1",
        url="https://hooks.example.com/order",
        authorization_scheme="bearer",
        custom_headers={"X-Shop": "acme"},
        action_trigger=ActionTrigger.POST_CALL,
        current_status="active",
    )
    assert wire.last.body == {
        "name": "lookup_order",
        "type": "webhook",
        "description": "Find an order",
        "url": "https://hooks.example.com/order",
        "authorization_scheme": "bearer",
        "custom_headers": [{"key": "X-Shop", "value": "acme"}],
        "action_trigger": "post_call",
        "current_status": "active",
        "inputs": [
            {"name": "order_id", "type": "string", "required": True, "description": "The id"},
            {"name": "email", "type": "string"},
        ],
        "integration": {"id": "int-1"},
    }
    assert [i.name for i in action.input_schema] == ["order_id", "email"]
    assert action.input_schema[0].required is True
    assert action.custom_headers == [CustomHeader("X-Shop", "acme")]
    assert action.action_trigger == ActionTrigger.POST_CALL
    assert action.integration == {"id": "int-1"}


async def test_transfer_action_and_delete(client: AsyncTalkover) -> None:
    """A transfer number is normalised; delete removes the action."""
    agent = await new_agent(client)
    action = await client.actions.create_or_update(
        agent.id, name="to_human", type="transfer", transfer_number="+1 415 555 0100"
    )
    assert action.transfer_number == "+14155550100"
    assert [a.id for a in await client.actions.list(agent.id)] == [action.id]
    await client.actions.delete(agent.id, action.id)
    assert await client.actions.list(agent.id) == []
    with pytest.raises(NotFoundError) as info:
        await client.actions.delete(agent.id, action.id)
    assert info.value.code == "ACTION_NOT_FOUND"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"transfer_number": "555-0100"}, "transfer_number"),
        ({"url": "ftp://example.com"}, "url"),
        ({"authorization_scheme": "oauth"}, "authorization_scheme"),
        ({"inputs": [{"type": "string"}]}, "inputs"),
        ({"custom_headers": {"X": 1}}, "custom_headers"),
        ({"hold_duration_seconds": 0}, "hold_duration_seconds"),
        ({"action_trigger": "before_call"}, "action_trigger"),
    ],
)
async def test_validation(
    client: AsyncTalkover, emu: Emulator, kwargs: dict[str, object], field: str
) -> None:
    """Each rule fails before sending, naming the field."""
    with pytest.raises(InvalidRequestError) as info:
        await client.actions.create_or_update("a1", name="n", type="webhook", **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field
    assert emu.request_log == []
