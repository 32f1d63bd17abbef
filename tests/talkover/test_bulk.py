"""Dialing in bulk: each row is checked by the fields of `Agents.call`, naming its column."""

from __future__ import annotations

import pytest

from talkkit.emulator import Emulator
from talkkit.talkover import AsyncTalkover

from .conftest import RecordingTransport, published_agent

pytestmark = pytest.mark.anyio


async def test_call_rows_take_the_calls_fields_and_name_the_bad_one(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """delay_seconds and is_testing columns are sent as for one call; bad ones fail their row."""
    agent = await published_agent(client)
    rows = [
        {"phone": "+14155550100", "delay_seconds": "30", "is_testing": "yes", "custom.name": "Ana"},
        {"phone": "+14155550101", "delay_seconds": "9999"},
        {"phone_number": "555-0102"},
        {"phone": "+14155550103", "is_testing": "perhaps"},
    ]
    summary = await client.calls.dial_many(rows, agent_id=agent.id)
    assert summary.done == 1
    assert [(f.row, f.field) for f in summary.failures] == [
        (2, "delay_seconds"),
        (3, "phone_number"),
        (4, "is_testing"),
    ]
    [sent] = [s.body for s in wire.sent if s.path.endswith("/call")]
    assert sent == {
        "to": "+14155550100",
        "delay_seconds": 30,
        "is_testing": True,
        "payload": {"name": "Ana"},
    }
    assert len(emu.placed_calls) == 1
