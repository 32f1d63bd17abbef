"""Agents: CRUD, settings, publishing and the `meta` pagination, through the emulator."""

from __future__ import annotations

from typing import Any

import pytest

from talkkit import ConflictError, InvalidRequestError, NotFoundError
from talkkit.emulator import Emulator
from talkkit.talkover import (
    Agent,
    AgentStatus,
    AsyncTalkover,
    Direction,
    InterruptSensitivity,
    Language,
    WhoSpeaksFirst,
)

from .conftest import RecordingTransport, new_agent, published_agent

pytestmark = pytest.mark.anyio

FULL_CREATE: dict[str, Any] = {
    "name": "SupportBot",
    "label": "Support",
    "description": "Answers billing questions",
    "language": Language.PT_BR,
    "initial_message": "Olá!",
    "interrupt_sensitivity": "high",
    "endpointing_sensitivity": "auto",
    "ivr_navigation_mode": "off",
    "conversation_speed": 1.1,
    "initial_message_delay": 2,
    "ask_if_human_present_on_idle": True,
    "idle_time_seconds": 10,
    "max_idle_check_count": 3,
    "max_call_duration_seconds": 600,
    "say_goodbye_on_max_duration": True,
    "user_inactivity_timeout_seconds": 30,
    "initial_idle_time_seconds": 5,
    "initial_max_idle_check_count": 2,
    "llm_temperature": 0.7,
    "enable_recording": False,
    "direction": "inbound",
    "who_speaks_first": WhoSpeaksFirst.USER,
}


async def test_create_sends_every_field_in_snake_case(
    client: AsyncTalkover, wire: RecordingTransport
) -> None:
    """Every create argument reaches the server under its snake_case name, enums as values."""
    agent = await client.agents.create(**FULL_CREATE)
    sent = wire.last
    assert (sent.method, sent.path) == ("POST", "/agents")
    assert sent.body == {**FULL_CREATE, "language": "pt-BR", "who_speaks_first": "user"}
    assert agent.current_status == AgentStatus.DRAFT
    assert agent.language == Language.PT_BR
    assert agent.direction == Direction.INBOUND
    assert agent.interrupt_sensitivity == InterruptSensitivity.HIGH
    assert agent.voice is None
    assert agent.trainings == []
    assert agent.created_at is not None
    assert agent.created_at.tzinfo is not None


async def test_create_leaves_out_arguments_not_given(
    client: AsyncTalkover, wire: RecordingTransport
) -> None:
    """``None`` arguments are not sent: the server's defaults apply."""
    await client.agents.create(name="Bot")
    assert wire.last.body == {"name": "Bot"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "x" * 256),
        ("name", ""),
        ("language", "en-GB"),
        ("interrupt_sensitivity", "extreme"),
        ("conversation_speed", 0.05),
        ("conversation_speed", 3.5),
        ("initial_message_delay", 61),
        ("idle_time_seconds", 0),
        ("idle_time_seconds", 1.5),
        ("max_idle_check_count", 11),
        ("max_call_duration_seconds", 3601),
        ("user_inactivity_timeout_seconds", 4),
        ("initial_idle_time_seconds", 61),
        ("llm_temperature", 2.1),
        ("llm_temperature", True),
        ("enable_recording", "yes"),
        ("direction", "sideways"),
        ("who_speaks_first", "nobody"),
    ],
)
async def test_create_validates_before_sending(
    client: AsyncTalkover, emu: Emulator, field: str, value: object
) -> None:
    """A bad value raises InvalidRequestError naming the field, and nothing is sent."""
    args: dict[str, Any] = {"name": "Bot", field: value}
    with pytest.raises(InvalidRequestError) as info:
        await client.agents.create(**args)
    assert info.value.field == field
    assert emu.request_log == []


async def test_get_returns_the_agent(client: AsyncTalkover) -> None:
    """get() returns the same agent create() made."""
    created = await new_agent(client)
    fetched = await client.agents.get(created.id)
    assert fetched == created


async def test_get_unknown_agent_is_not_found(client: AsyncTalkover) -> None:
    """A missing agent is a NotFoundError with the documented code."""
    with pytest.raises(NotFoundError) as info:
        await client.agents.get("nope")
    assert info.value.code == "AGENT_NOT_FOUND"
    assert info.value.message == "Agent not found"


async def test_path_ids_are_checked(client: AsyncTalkover, emu: Emulator) -> None:
    """An id that would change the URL path is refused before sending."""
    with pytest.raises(InvalidRequestError, match="agent_id"):
        await client.agents.get("a/../b")
    assert emu.request_log == []


async def test_list_filters_and_pages_with_meta(
    client: AsyncTalkover, emu: Emulator, wire: RecordingTransport
) -> None:
    """120 agents come back in order over 3 pages of the `meta` wrapper, filters sent."""
    names = [f"agent-{i:03d}" for i in range(120)]
    for name in names:
        await client.agents.create(name=name, direction="outbound")
    wire.sent.clear()
    agents = await client.agents.list(
        status="draft", direction=Direction.OUTBOUND, search="agent", per_page=50
    ).to_list()
    assert [a.name for a in agents] == names
    assert [s.params for s in wire.sent] == [
        {
            "status": "draft",
            "direction": "outbound",
            "search": "agent",
            "page": str(page),
            "per_page": "50",
        }
        for page in (1, 2, 3)
    ]


async def test_list_first_page(client: AsyncTalkover) -> None:
    """first_page() reads one page with its total."""
    for i in range(5):
        await new_agent(client, f"a{i}")
    page = await client.agents.list(per_page=2).first_page()
    assert [a.name for a in page.items] == ["a0", "a1"]
    assert page.total == 5
    assert page.has_next


@pytest.mark.parametrize("per_page", [0, 101, 2.5])
async def test_list_per_page_is_validated(client: AsyncTalkover, per_page: Any) -> None:
    """per_page outside 1–100 raises when the paginator is made."""
    with pytest.raises(InvalidRequestError, match="per_page"):
        client.agents.list(per_page=per_page)


async def test_update_knowledge_sends_and_returns_to_draft(
    client: AsyncTalkover, wire: RecordingTransport
) -> None:
    """PUT /knowledge sends the documented fields; the agent goes back to draft."""
    agent = await published_agent(client)
    updated = await client.agents.update_knowledge(
        agent.id,
        description="Handles refunds",
        interrupt_sensitivity="low",
        ask_if_human_present_on_idle=False,
        llm_temperature=0.2,
        initial_message_delay=0,
        initial_message="Hello there",
    )
    assert (wire.last.method, wire.last.path) == ("PUT", f"/agents/{agent.id}/knowledge")
    assert wire.last.body == {
        "description": "Handles refunds",
        "initial_message": "Hello there",
        "interrupt_sensitivity": "low",
        "ask_if_human_present_on_idle": False,
        "llm_temperature": 0.2,
        "initial_message_delay": 0,
    }
    assert updated.current_status == AgentStatus.DRAFT
    assert updated.description == "Handles refunds"


@pytest.mark.parametrize(
    ("field", "value"),
    [("description", "abcd"), ("initial_message", "hey"), ("llm_temperature", 3)],
)
async def test_update_knowledge_validates(
    client: AsyncTalkover, emu: Emulator, field: str, value: object
) -> None:
    """Knowledge rules (description ≥5, message 5–255, temperature 0–2) apply client-side."""
    args: dict[str, Any] = {
        "description": "Long enough",
        "interrupt_sensitivity": "low",
        "ask_if_human_present_on_idle": True,
        "llm_temperature": 1,
        "initial_message_delay": 1,
        field: value,
    }
    with pytest.raises(InvalidRequestError) as info:
        await client.agents.update_knowledge("agent-1", **args)
    assert info.value.field == field
    assert emu.request_log == []


async def test_update_voice_maps_similarity(
    client: AsyncTalkover, wire: RecordingTransport
) -> None:
    """`similarity` is sent as such and comes back as `voice.similarity_boost`."""
    agent = await new_agent(client)
    voice = (await client.voice_templates.list())[0].voices[0]
    updated = await client.agents.update_voice(
        agent.id,
        voice_id=voice.id,
        conversation_speed=1.2,
        who_speaks_first="user",
        ambient_background="office",
        ambient_volume=0.5,
        language="en-US",
        similarity=0.9,
        stability=0.6,
    )
    assert wire.last.body == {
        "voice_id": voice.id,
        "conversation_speed": 1.2,
        "who_speaks_first": "user",
        "ambient_background": "office",
        "ambient_volume": 0.5,
        "language": "en-US",
        "similarity": 0.9,
        "stability": 0.6,
    }
    assert updated.voice is not None
    assert updated.voice.similarity_boost == 0.9
    assert updated.voice.template is not None
    assert updated.voice.template.id == voice.id
    assert updated.is_ready_to_publish is True


async def test_update_voice_validates_ranges(client: AsyncTalkover, emu: Emulator) -> None:
    """similarity outside 0.5–1.0 is refused before sending."""
    with pytest.raises(InvalidRequestError, match="similarity"):
        await client.agents.update_voice(
            "a1", voice_id="v", conversation_speed=1.5, who_speaks_first="agent", similarity=0.4
        )
    assert emu.request_log == []


async def test_update_voice_unknown_template(client: AsyncTalkover) -> None:
    """An unknown voice template is VOICE_NOT_FOUND."""
    agent = await new_agent(client)
    with pytest.raises(NotFoundError) as info:
        await client.agents.update_voice(
            agent.id, voice_id="missing", conversation_speed=1.5, who_speaks_first="agent"
        )
    assert info.value.code == "VOICE_NOT_FOUND"


async def test_update_calling_replaces_numbers(
    client: AsyncTalkover, wire: RecordingTransport
) -> None:
    """PUT /calling sends direction and ids; the shortened agent lists the numbers."""
    agent = await new_agent(client)
    numbers = await client.phone_numbers.list(type="voice")
    ids = [n.id for n in numbers]
    updated = await client.agents.update_calling(
        agent.id, direction="inbound", phone_number_ids=ids
    )
    assert wire.last.body == {"direction": "inbound", "phone_number_ids": ids}
    assert updated.direction == Direction.INBOUND
    assert [n.number for n in updated.phone_numbers] == [n.number for n in numbers]


async def test_update_calling_without_ids_sends_only_direction(
    client: AsyncTalkover, wire: RecordingTransport
) -> None:
    """phone_number_ids=None is left out of the body."""
    agent = await new_agent(client)
    await client.agents.update_calling(agent.id, direction=Direction.OUTBOUND)
    assert wire.last.body == {"direction": "outbound"}


async def test_publish_and_unpublish(client: AsyncTalkover, wire: RecordingTransport) -> None:
    """publish/unpublish send no body and return the new status."""
    agent = await published_agent(client)
    assert (wire.last.method, wire.last.path, wire.last.body) == (
        "POST",
        f"/agents/{agent.id}/publish",
        None,
    )
    assert (await client.agents.get(agent.id)).current_status == AgentStatus.PUBLISHED
    back = await client.agents.unpublish(agent.id)
    assert back.current_status == AgentStatus.DRAFT
    assert back.is_ready_to_publish is True


async def test_delete_requires_unpublishing(client: AsyncTalkover) -> None:
    """Deleting a published agent is a 409 AGENT_IS_PUBLISHED; after unpublishing it goes."""
    agent = await published_agent(client)
    with pytest.raises(ConflictError) as info:
        await client.agents.delete(agent.id)
    assert info.value.code == "AGENT_IS_PUBLISHED"
    await client.agents.unpublish(agent.id)
    assert await client.agents.delete(agent.id) is None
    with pytest.raises(NotFoundError):
        await client.agents.get(agent.id)


async def test_unknown_fields_are_kept_in_extra(client: AsyncTalkover, emu: Emulator) -> None:
    """Keys the model does not know land in `extra`; unknown enum values stay strings."""
    agent = await new_agent(client)
    emu.talkover.agents[agent.id].update(current_status="archived", brand_new_field=7)
    fetched: Agent = await client.agents.get(agent.id)
    assert fetched.current_status == "archived"
    assert fetched.extra == {"brand_new_field": 7}
