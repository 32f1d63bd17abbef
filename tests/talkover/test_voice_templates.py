"""Voice templates: the grouped catalogue and demo URLs."""

from __future__ import annotations

import pytest

from talkkit import InvalidRequestError, NotFoundError
from talkkit.emulator import Emulator
from talkkit.talkover import AsyncTalkover, QualityTier

from .conftest import RecordingTransport

pytestmark = pytest.mark.anyio


async def test_list_is_grouped(client: AsyncTalkover, wire: RecordingTransport) -> None:
    """Voices come grouped by display name; cost stays a decimal string."""
    groups = await client.voice_templates.list()
    assert (wire.last.method, wire.last.path, wire.last.params) == ("GET", "/voice-templates", {})
    assert groups[0].display_name == "English (US)"
    voice = groups[0].voices[0]
    assert voice.quality_tier == QualityTier.BASIC
    assert isinstance(voice.cost, str)
    assert sum(len(g.voices) for g in groups) == 5


async def test_demo_url_reads_the_bare_body(client: AsyncTalkover) -> None:
    """The bare `{"mp3_url"}` body becomes the URL string."""
    voice = (await client.voice_templates.list())[0].voices[0]
    url = await client.voice_templates.demo_url(voice.id)
    assert url.startswith("https://")
    assert voice.id in url


async def test_demo_url_errors(client: AsyncTalkover, emu: Emulator) -> None:
    """Unknown template is VOICE_NOT_FOUND; a bad id is refused before sending."""
    with pytest.raises(NotFoundError) as info:
        await client.voice_templates.demo_url("missing")
    assert info.value.code == "VOICE_NOT_FOUND"
    count = len(emu.request_log)
    with pytest.raises(InvalidRequestError):
        await client.voice_templates.demo_url("")
    assert len(emu.request_log) == count
