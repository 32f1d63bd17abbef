"""Phone numbers: the unpaginated list and its filters."""

from __future__ import annotations

import pytest

from talkkit import InvalidRequestError
from talkkit.emulator import Emulator
from talkkit.talkover import AsyncTalkover, PhoneNumberType

from .conftest import RecordingTransport, new_agent

pytestmark = pytest.mark.anyio


async def test_list_with_filters(client: AsyncTalkover, wire: RecordingTransport) -> None:
    """Filters reach the query (booleans as true/false); records carry their agents."""
    agent = await new_agent(client)
    voice = await client.phone_numbers.list(type=PhoneNumberType.VOICE, has_voice=True)
    assert wire.last.params == {"type": "voice", "has_voice": "true"}
    await client.agents.update_calling(
        agent.id, direction="outbound", phone_number_ids=[voice[0].id]
    )
    numbers = await client.phone_numbers.list(search="0101")
    assert wire.last.params == {"search": "0101"}
    assert [n.number for n in numbers] == ["+14155550101"]
    assert [a.id for a in numbers[0].agents] == [agent.id]
    assert numbers[0].renewal_date is not None
    whatsapp = await client.phone_numbers.list(has_whatsapp=True, has_voice=False)
    assert [n.type for n in whatsapp] == [PhoneNumberType.WHATSAPP]


async def test_list_validates(client: AsyncTalkover, emu: Emulator) -> None:
    """An unknown type is refused before sending."""
    with pytest.raises(InvalidRequestError, match="type"):
        await client.phone_numbers.list(type="pager")
    assert emu.request_log == []
