"""Trainings: list, create-or-update, delete."""

from __future__ import annotations

import pytest

from talkkit import InvalidRequestError, NotFoundError, OutcomeUnknownError
from talkkit.emulator import Emulator, FaultRule
from talkkit.talkover import ActiveStatus, AgentStatus, AsyncTalkover

from .conftest import RecordingTransport, new_agent, published_agent

pytestmark = pytest.mark.anyio


async def test_create_or_update_then_list(client: AsyncTalkover, wire: RecordingTransport) -> None:
    """The body is sent as given; the training is listed; the same node updates it."""
    agent = await new_agent(client)
    training = await client.trainings.create_or_update(
        agent.id, subject="Refunds", instructions="Refund within 30 days", node_id="n1"
    )
    assert (wire.last.method, wire.last.path) == ("POST", f"/agents/{agent.id}/trainings")
    assert wire.last.body == {
        "subject": "Refunds",
        "instructions": "Refund within 30 days",
        "node_id": "n1",
    }
    assert training.current_status == ActiveStatus.ACTIVE
    again = await client.trainings.create_or_update(
        agent.id,
        subject="Refunds v2",
        instructions="60 days",
        node_id="n1",
        current_status="inactive",
    )
    assert again.id == training.id
    listed = await client.trainings.list(agent.id)
    assert [(t.id, t.subject, t.current_status) for t in listed] == [
        (training.id, "Refunds v2", ActiveStatus.INACTIVE)
    ]


async def test_delete_reverts_the_agent_to_draft(client: AsyncTalkover) -> None:
    """Deleting a training puts a published agent back to draft."""
    agent = await published_agent(client)
    training = await client.trainings.create_or_update(agent.id, subject="A", instructions="B")
    await client.agents.publish(agent.id)
    await client.trainings.delete(agent.id, training.id)
    assert await client.trainings.list(agent.id) == []
    assert (await client.agents.get(agent.id)).current_status == AgentStatus.DRAFT
    with pytest.raises(NotFoundError) as info:
        await client.trainings.delete(agent.id, training.id)
    assert info.value.code == "TRAINING_NOT_FOUND"


async def test_validation(client: AsyncTalkover, emu: Emulator) -> None:
    """Subject ≤255 and a known status are checked before sending."""
    with pytest.raises(InvalidRequestError, match="subject"):
        await client.trainings.create_or_update("a1", subject="x" * 256, instructions="i")
    with pytest.raises(InvalidRequestError, match="current_status"):
        await client.trainings.create_or_update(
            "a1", subject="s", instructions="i", current_status="paused"
        )
    assert emu.request_log == []


async def test_create_is_not_resent(client: AsyncTalkover, emu: Emulator) -> None:
    """A lost answer to create-or-update is OutcomeUnknownError, not a second training."""
    agent = await new_agent(client)
    emu.faults.add(
        FaultRule(route="POST /api/v1/agents/*/trainings", commit_drop_rate=1.0, times=1)
    )
    with pytest.raises(OutcomeUnknownError):
        await client.trainings.create_or_update(agent.id, subject="A", instructions="B")
    assert len(await client.trainings.list(agent.id)) == 1
