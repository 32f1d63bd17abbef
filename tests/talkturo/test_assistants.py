"""client.assistants: create from templates, get, partial update, number assignment."""

from __future__ import annotations

import pytest

from talkkit import InvalidRequestError, NotFoundError
from talkkit.emulator import TALKTURO_ACCOUNT_SLUG, Emulator
from talkkit.talkturo import (
    Assistant,
    AssistantTemplate,
    AsyncTalkturo,
    LLMProvider,
    PhoneNumber,
    VoiceProvider,
)

from .conftest import Recorder

pytestmark = pytest.mark.anyio


async def _number(talkturo: AsyncTalkturo, area_code: str = "415") -> PhoneNumber:
    found = await talkturo.phone_numbers.search("US", area_code=area_code, limit=1)
    return await talkturo.phone_numbers.purchase(found[0].phone_number)


async def test_create_from_template(talkturo: AsyncTalkturo, recorder: Recorder) -> None:
    """create sends camelCase accountSlug/name/templateId and returns the typed assistant."""
    assistant = await talkturo.assistants.create(
        "Renewals", template=AssistantTemplate.OUTBOUND_SETTER
    )
    assert recorder.last.method == "POST"
    assert recorder.last.path == "/api/assistants"
    assert recorder.last.json == {
        "accountSlug": TALKTURO_ACCOUNT_SLUG,
        "name": "Renewals",
        "templateId": "outbound-setter",
    }
    assert assistant.name == "Renewals"
    assert assistant.type is AssistantTemplate.OUTBOUND_SETTER
    assert assistant.provider is LLMProvider.OPENAI
    assert assistant.outbound_enabled is True
    assert assistant.created_at is not None
    assert assistant.created_at.tzinfo is not None


async def test_create_defaults_to_custom(talkturo: AsyncTalkturo, recorder: Recorder) -> None:
    """Without a template the documented default ``custom`` is sent."""
    assistant = await talkturo.assistants.create("Blank")
    assert recorder.last.json["templateId"] == "custom"
    assert assistant.type == "custom"


async def test_create_validates(talkturo: AsyncTalkturo, emu: Emulator) -> None:
    """A blank name or an unknown template fails before anything is sent."""
    with pytest.raises(InvalidRequestError) as name:
        await talkturo.assistants.create("  ")
    with pytest.raises(InvalidRequestError) as template:
        await talkturo.assistants.create("Sam", template="sales-bot")
    assert (name.value.field, template.value.field) == ("name", "template")
    assert emu.request_log == []


async def test_get(talkturo: AsyncTalkturo) -> None:
    """get returns the same assistant that create made."""
    created = await talkturo.assistants.create("Sam", template="inbound-support")
    fetched = await talkturo.assistants.get(created.id)
    assert fetched == created
    assert isinstance(fetched, Assistant)


async def test_get_unknown_is_not_found(talkturo: AsyncTalkturo) -> None:
    """An unknown id raises NotFoundError."""
    with pytest.raises(NotFoundError):
        await talkturo.assistants.get("asst_missing")


async def test_update_sends_only_passed_fields(talkturo: AsyncTalkturo, recorder: Recorder) -> None:
    """update is partial: only the passed fields go out, in camelCase, plus accountSlug."""
    created = await talkturo.assistants.create("Sam")
    updated = await talkturo.assistants.update(
        created.id,
        first_message="Hello {{contact.first_name}}",
        temperature=1.5,
        max_tokens=2048,
        voice_provider=VoiceProvider.ELEVENLABS,
        language="es",
        inbound_enabled=True,
    )
    assert recorder.last.method == "PATCH"
    assert recorder.last.json == {
        "accountSlug": TALKTURO_ACCOUNT_SLUG,
        "firstMessage": "Hello {{contact.first_name}}",
        "temperature": 1.5,
        "maxTokens": 2048,
        "voiceProvider": "elevenlabs",
        "language": "es",
        "inboundEnabled": True,
    }
    assert updated.first_message == "Hello {{contact.first_name}}"
    assert (updated.temperature, updated.max_tokens) == (1.5, 2048)
    assert updated.voice_provider is VoiceProvider.ELEVENLABS
    assert updated.transcriber_language == "es"
    assert updated.name == "Sam"  # untouched


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"temperature": 2.5}, "temperature"),
        ({"temperature": True}, "temperature"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"provider": "mistral"}, "provider"),
        ({"voice_provider": "polly"}, "voice_provider"),
        ({"transcriber_provider": "whisper"}, "transcriber_provider"),
        ({"recording_enabled": "yes"}, "recording_enabled"),
        ({"name": ""}, "name"),
    ],
)
async def test_update_validates(
    talkturo: AsyncTalkturo, emu: Emulator, change: dict[str, object], field: str
) -> None:
    """Out-of-range numbers and unknown providers raise InvalidRequestError naming the field."""
    with pytest.raises(InvalidRequestError) as info:
        await talkturo.assistants.update("asst_1", **change)  # type: ignore[arg-type]
    assert info.value.field == field
    assert emu.request_log == []


async def test_assign_replaces_numbers(
    talkturo: AsyncTalkturo, recorder: Recorder, emu: Emulator
) -> None:
    """assign_phone_numbers replaces the assignment; [] removes every number."""
    assistant = await talkturo.assistants.create("Sam")
    first, second = await _number(talkturo, "415"), await _number(talkturo, "212")
    await talkturo.assistants.assign_phone_numbers(assistant.id, [first.id])
    await talkturo.assistants.assign_phone_numbers(assistant.id, [second.id])
    assert recorder.last.path == f"/api/assistants/{assistant.id}/telephony/phone-numbers"
    assert recorder.last.json == {
        "accountSlug": TALKTURO_ACCOUNT_SLUG,
        "phoneNumberIds": [second.id],
    }
    owned = {n.id: n.assistant_id for n in await talkturo.phone_numbers.list().to_list()}
    assert owned == {first.id: None, second.id: assistant.id}
    await talkturo.assistants.assign_phone_numbers(assistant.id, [])
    assert recorder.last.json["phoneNumberIds"] == []
    owned = {n.id: n.assistant_id for n in await talkturo.phone_numbers.list().to_list()}
    assert owned == {first.id: None, second.id: None}


async def test_assign_validates(talkturo: AsyncTalkturo, emu: Emulator) -> None:
    """A bare string instead of a list of ids, or a bad assistant id, is refused."""
    with pytest.raises(InvalidRequestError) as ids:
        await talkturo.assistants.assign_phone_numbers("asst_1", "pn_1")
    with pytest.raises(InvalidRequestError) as path:
        await talkturo.assistants.assign_phone_numbers("../x", [])
    assert (ids.value.field, path.value.field) == ("phone_number_ids", "assistant_id")
    assert emu.request_log == []
