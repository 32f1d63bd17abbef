"""Placing agent calls (never twice) and the call history with its `pagination` wrapper."""

from __future__ import annotations

from datetime import date

import pytest

from talkkit import ConflictError, InvalidRequestError, OutcomeUnknownError, ServerError
from talkkit.emulator import Emulator, FaultRule
from talkkit.talkover import AgentSummary, AsyncTalkover, CallStatus, Direction

from .conftest import RecordingTransport, new_agent, published_agent

pytestmark = pytest.mark.anyio

NUMBER = "+14155550123"


async def test_call_is_placed_once_with_the_documented_body(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """The number goes out as `to`, with payload/context/delay/testing, and one call is placed."""
    agent = await published_agent(client)
    placed = await client.agents.call(
        agent.id,
        phone_number="+1 415 555 0123",
        payload={"first_name": "Ana"},
        context={"crm_id": 42},
        delay_seconds=0,
        is_testing=False,
    )
    assert (wire.last.method, wire.last.path) == ("POST", f"/agents/{agent.id}/call")
    assert wire.last.body == {
        "to": NUMBER,
        "payload": {"first_name": "Ana"},
        "context": {"crm_id": 42},
        "delay_seconds": 0,
        "is_testing": False,
    }
    assert placed.agent_id == agent.id
    assert placed.to == NUMBER
    assert placed.status == CallStatus.INITIATED
    assert len(emu.placed_calls) == 1
    recorded = emu.placed_calls[0]
    assert (recorded.call_id, recorded.to, recorded.context) == (placed.id, NUMBER, {"crm_id": 42})


async def test_commit_then_drop_raises_outcome_unknown_and_never_resends(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """The server places the call, the answer is lost: OutcomeUnknownError, one call placed."""
    agent = await published_agent(client)
    emu.faults.add(FaultRule(route="POST /api/v1/agents/*/call", commit_drop_rate=1.0, times=1))
    wire.sent.clear()
    with pytest.raises(OutcomeUnknownError) as info:
        await client.agents.call(agent.id, phone_number=NUMBER)
    assert len(emu.placed_calls) == 1
    assert len(wire.sent) == 1
    assert info.value.request_id == emu.placed_calls[0].request_id
    # Reconciling by number finds the call the lost answer would have described.
    found = await client.calls.list(agent_id=agent.id, phone_number=NUMBER).to_list()
    assert [c.id for c in found] == [emu.placed_calls[0].call_id]


async def test_server_error_after_sending_is_not_retried(
    client: AsyncTalkover, emu: Emulator
) -> None:
    """A 500 on an unsafe call may mean it was placed: OutcomeUnknownError, never re-sent."""
    agent = await published_agent(client)
    emu.faults.add(FaultRule(route="POST /api/v1/agents/*/call", error_rate=1.0, times=1))
    with pytest.raises(OutcomeUnknownError) as info:
        await client.agents.call(agent.id, phone_number=NUMBER)
    assert isinstance(info.value.cause, ServerError)
    assert info.value.status == 500
    calls = [r for r in emu.request_log if r.path.endswith("/call")]
    assert len(calls) == 1


@pytest.mark.parametrize("number", ["4155550123", "+1415", "+1 (415) 555-01234", 14155550123])
async def test_call_refuses_bad_numbers_before_sending(
    client: AsyncTalkover, emu: Emulator, number: object
) -> None:
    """A number that is not valid E.164 raises InvalidRequestError naming phone_number."""
    with pytest.raises(InvalidRequestError) as info:
        await client.agents.call("agent-1", phone_number=number)  # type: ignore[arg-type]
    assert info.value.field == "phone_number"
    assert emu.request_log == []
    assert emu.placed_calls == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("delay_seconds", 3601), ("delay_seconds", -1), ("is_testing", 1), ("payload", ["x"])],
)
async def test_call_validates_options(
    client: AsyncTalkover, emu: Emulator, field: str, value: object
) -> None:
    """delay_seconds 0–3600, boolean is_testing, mapping payload."""
    with pytest.raises(InvalidRequestError) as info:
        await client.agents.call("agent-1", phone_number=NUMBER, **{field: value})  # type: ignore[arg-type]
    assert info.value.field == field
    assert emu.request_log == []


async def test_unpublished_agent_refuses_calls(client: AsyncTalkover, emu: Emulator) -> None:
    """A draft agent takes no real calls (the emulator answers 409)."""
    agent = await new_agent(client)
    with pytest.raises(ConflictError):
        await client.agents.call(agent.id, phone_number=NUMBER)
    assert emu.placed_calls == []


async def test_history_pages_through_120_calls_in_order(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """120 calls come back newest first over 2 pages of the `pagination` wrapper."""
    agent = await new_agent(client)
    for i in range(120):
        await client.agents.call(agent.id, phone_number=f"+1415555{i:04d}", is_testing=True)
    placed = [c.call_id for c in emu.placed_calls]
    wire.sent.clear()
    calls = await client.calls.list(per_page=100).to_list()
    assert [c.id for c in calls] == placed[::-1]
    assert [s.params["page"] for s in wire.sent] == ["1", "2"]
    first = calls[0]
    assert first.from_ is not None
    assert first.is_testing is True
    assert first.direction == Direction.OUTBOUND
    assert first.agent == AgentSummary(agent.id, agent.name, agent.label)


async def test_agent_calls_page_through_without_agent(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """An agent's calls list only that agent's calls, all pages, no nested agent."""
    agent = await new_agent(client, "one")
    other = await new_agent(client, "two")
    for i in range(25):
        await client.agents.call(agent.id, phone_number=f"+1415555{i:04d}", is_testing=True)
    await client.agents.call(other.id, phone_number=NUMBER, is_testing=True)
    wire.sent.clear()
    calls = await client.agents.calls(agent.id, per_page=10).to_list()
    assert len(calls) == 25
    assert all(c.agent is None for c in calls)
    assert [s.path for s in wire.sent] == [f"/agents/{agent.id}/calls"] * 3


async def test_history_filters_are_sent(client: AsyncTalkover, wire: RecordingTransport) -> None:
    """Every documented filter reaches the query string in its wire form."""
    await client.calls.list(
        status=CallStatus.NO_ANSWER,
        direction="outbound",
        agent_id="agent-1",
        date_from=date(2025, 1, 1),
        date_to="2025-01-31",
        search="CA123",
        per_page=5,
    ).first_page()
    assert wire.last.params == {
        "status": "no-answer",
        "direction": "outbound",
        "agent_id": "agent-1",
        "date_from": "2025-01-01",
        "date_to": "2025-01-31",
        "search": "CA123",
        "page": "1",
        "per_page": "5",
    }


async def test_phone_number_filter_is_sent_as_search(
    client: AsyncTalkover, wire: RecordingTransport
) -> None:
    """phone_number is validated, normalised to E.164 and sent as `search`."""
    agent = await new_agent(client)
    await client.agents.call(agent.id, phone_number=NUMBER, is_testing=True)
    await client.agents.call(agent.id, phone_number="+14155550999", is_testing=True)
    calls = await client.calls.list(phone_number="+1 415-555-0123").to_list()
    assert wire.last.params["search"] == NUMBER
    assert [c.to for c in calls] == [NUMBER]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"phone_number": NUMBER, "search": "x"}, "phone_number"),
        ({"phone_number": "555"}, "phone_number"),
        ({"status": "no_answer"}, "status"),
        ({"date_from": "2025-13-01"}, "date_from"),
        ({"date_to": "01/02/2025"}, "date_to"),
        ({"per_page": 101}, "per_page"),
    ],
)
async def test_history_filters_are_validated(
    client: AsyncTalkover, emu: Emulator, kwargs: dict[str, object], field: str
) -> None:
    """Bad filters raise when the paginator is made, naming the field."""
    with pytest.raises(InvalidRequestError) as info:
        client.calls.list(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field
    assert emu.request_log == []
