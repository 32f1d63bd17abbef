"""The token smoke test."""

from __future__ import annotations

import pytest

from talkkit import AuthenticationError
from talkkit.emulator import TALKOVER_TOKEN, Emulator
from talkkit.talkover import AsyncTalkover

from .conftest import BASE_URL, RecordingTransport

pytestmark = pytest.mark.anyio


async def test_check_reads_the_data_object(client: AsyncTalkover, wire: RecordingTransport) -> None:
    """GET /health with the bearer token; `status` is read, the rest kept in `extra`."""
    health = await client.health.check()
    assert (wire.last.method, wire.last.path) == ("GET", "/health")
    assert health.status == "ok"
    assert health.extra == {"environment": "emulator"}


async def test_check_with_a_wrong_token(emu: Emulator) -> None:
    """An unknown token fails the check with AuthenticationError."""
    async with AsyncTalkover(
        "talq_wrong", base_url=BASE_URL, transport=emu.transport(), rate_limit=None
    ) as talkover:
        with pytest.raises(AuthenticationError) as info:
            await talkover.health.check()
    assert info.value.code == "UNAUTHORIZED"
    assert TALKOVER_TOKEN not in str(info.value)
