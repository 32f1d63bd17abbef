"""Talkover agents: CRUD, knowledge/voice/calling settings, publishing, placing calls."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from talkkit._request import Safety
from talkkit.pagination import AsyncPaginator, page_paginator
from talkkit.talkover import _agent_fields as spec
from talkkit.talkover import _fields as f
from talkkit.talkover._agent_calls import AgentCallsMixin
from talkkit.talkover.types import (
    Agent,
    AgentStatus,
    Direction,
    InterruptSensitivity,
    Language,
    WhoSpeaksFirst,
)

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["Agents"]

_LIST: dict[str, f.Check] = {
    "status": f.choice(AgentStatus),
    "direction": f.choice(Direction),
    "search": f.text(),
}
_CALLING: dict[str, f.Check] = {
    "direction": f.choice(Direction),
    "phone_number_ids": f.strings(),
}


def _path(agent_id: str, tail: str = "") -> str:
    return f"/agents/{f.path_id('agent_id', agent_id)}{tail}"


class Agents(AgentCallsMixin):
    """
    Voice agents. An agent starts as a draft; only published agents take new calls.
    Changing knowledge, trainings or actions puts it back to draft. Placing calls
    (`call`, unsafe) and listing them (`calls`) come from `AgentCallsMixin`.
    """

    _client: AsyncTalkover

    def list(
        self,
        *,
        status: AgentStatus | str | None = None,
        direction: Direction | str | None = None,
        search: str | None = None,
        per_page: int = 20,
        max_items: int | None = None,
    ) -> AsyncPaginator[Agent]:
        """
        ``GET /agents``: every agent, across all pages (``meta`` block).

        Args:
            status: ``draft`` or ``published``.
            direction: ``inbound`` or ``outbound``.
            search: Matches name or label.
            per_page: Page size, 1 to 100.
            max_items: Stop after this many agents.
        """
        params = f.build(_LIST, locals())
        return page_paginator(
            self._client,
            "/agents",
            Agent,
            params=params,
            per_page=f.per_page(per_page),
            max_items=max_items,
        )

    async def create(
        self,
        *,
        name: str,
        label: str | None = None,
        description: str | None = None,
        language: Language | str | None = None,
        initial_message: str | None = None,
        interrupt_sensitivity: InterruptSensitivity | str | None = None,
        endpointing_sensitivity: str | None = None,
        ivr_navigation_mode: str | None = None,
        conversation_speed: float | None = None,
        initial_message_delay: float | None = None,
        ask_if_human_present_on_idle: bool | None = None,
        idle_time_seconds: int | None = None,
        max_idle_check_count: int | None = None,
        max_call_duration_seconds: int | None = None,
        say_goodbye_on_max_duration: bool | None = None,
        user_inactivity_timeout_seconds: int | None = None,
        initial_idle_time_seconds: int | None = None,
        initial_max_idle_check_count: int | None = None,
        llm_temperature: float | None = None,
        enable_recording: bool | None = None,
        direction: Direction | str | None = None,
        who_speaks_first: WhoSpeaksFirst | str | None = None,
    ) -> Agent:
        """
        ``POST /agents``: create a draft agent (no voice, trainings, actions or numbers yet).

        Unsafe: never re-sent after it may have reached the server. On an unclear failure
        (`OutcomeUnknownError`) look for the agent with ``list(search=name)`` before creating
        it again. Arguments left ``None`` are not sent (the server's defaults apply).
        Ranges: ``conversation_speed`` 0.1–3.0, ``initial_message_delay`` 0–60 s,
        ``idle_time_seconds`` 1–60, ``max_idle_check_count`` 1–10 (inferred name),
        ``max_call_duration_seconds`` 1–3600, ``user_inactivity_timeout_seconds`` 5–120,
        ``initial_idle_time_seconds`` 1–60, ``llm_temperature`` 0–2; ``name`` and ``label``
        at most 255 characters.

        Raises:
            InvalidRequestError: A value is out of range (nothing is sent).
            OutcomeUnknownError: The request failed after it was sent.
        """
        body = f.build(spec.CREATE, locals(), required=("name",))
        return await self._client.request_model(
            "POST", "/agents", Agent, json=body, safety=Safety.UNSAFE
        )

    async def get(self, agent_id: str) -> Agent:
        """``GET /agents/{agent_id}``: the agent with its voice, trainings, actions, numbers."""
        return await self._client.request_model("GET", _path(agent_id), Agent)

    async def delete(self, agent_id: str) -> None:
        """
        ``DELETE /agents/{agent_id}``: irreversible; removes its trainings, actions, number
        links and call history. Idempotent: retried on unclear failures.

        Raises:
            ConflictError: ``AGENT_IS_PUBLISHED`` (unpublish first) or
                ``AGENT_HAS_ACTIVE_CALLS``.
            NotFoundError: No such agent (also what a retry of a delete that went through sees).
        """
        await self._client.request_json("DELETE", _path(agent_id), safety=Safety.IDEMPOTENT)

    async def update_knowledge(
        self,
        agent_id: str,
        *,
        description: str,
        interrupt_sensitivity: InterruptSensitivity | str,
        ask_if_human_present_on_idle: bool,
        llm_temperature: float,
        initial_message_delay: float,
        initial_message: str | None = None,
    ) -> Agent:
        """
        ``PUT /agents/{agent_id}/knowledge``: set the agent's behaviour; it returns to draft
        and must be published again. Idempotent (sets the given values).

        Args:
            description: At least 5 characters.
            interrupt_sensitivity: ``low``, ``medium`` or ``high``.
            ask_if_human_present_on_idle: Ask "are you there?" when the line goes quiet.
            llm_temperature: 0 to 2.
            initial_message_delay: 0 to 60 seconds.
            initial_message: 5 to 255 characters; ``None`` leaves it unchanged.
        """
        body = f.build(spec.KNOWLEDGE, locals(), required=spec.KNOWLEDGE_REQUIRED)
        return await self._client.request_model(
            "PUT", _path(agent_id, "/knowledge"), Agent, json=body, safety=Safety.IDEMPOTENT
        )

    async def update_voice(
        self,
        agent_id: str,
        *,
        voice_id: str,
        conversation_speed: float,
        who_speaks_first: WhoSpeaksFirst | str,
        ambient_background: str | None = None,
        ambient_volume: float | None = None,
        language: Language | str | None = None,
        similarity: float | None = None,
        stability: float | None = None,
    ) -> Agent:
        """
        ``PUT /agents/{agent_id}/voice``: give the agent a voice from a voice template.
        Idempotent.

        Args:
            voice_id: A voice template id (`VoiceTemplates.list`).
            conversation_speed: 0.1 to 3.0 (the voice page says above 1 and below 2).
            who_speaks_first: ``agent`` or ``user``.
            ambient_background: E.g. ``office``, ``cafe``, ``quiet``.
            ambient_volume: 0 to 2 (server default 1).
            language: Must be one the template supports.
            similarity: 0.5 to 1.0, high-fidelity templates only (returned as
                ``voice.similarity_boost``).
            stability: 0.5 to 1.0, high-fidelity templates only.

        Raises:
            NotFoundError: ``VOICE_NOT_FOUND``.
        """
        body = f.build(spec.VOICE, locals(), required=spec.VOICE_REQUIRED)
        return await self._client.request_model(
            "PUT", _path(agent_id, "/voice"), Agent, json=body, safety=Safety.IDEMPOTENT
        )

    async def update_calling(
        self,
        agent_id: str,
        *,
        direction: Direction | str,
        phone_number_ids: Sequence[str] | None = None,
    ) -> Agent:
        """
        ``PUT /agents/{agent_id}/calling``: set the direction and replace the linked phone
        numbers (ids from `PhoneNumbers.list`; ``[]`` unlinks them all). Idempotent.
        Returns the shortened agent.

        ``None`` leaves ``phone_number_ids`` out of the body; what the API then does with
        the linked numbers is not documented (the emulator unlinks them), so pass the
        current ids to keep them.
        """
        values = {"direction": direction, "phone_number_ids": phone_number_ids}
        body = f.build(_CALLING, values, required=("direction",))
        return await self._client.request_model(
            "PUT", _path(agent_id, "/calling"), Agent, json=body, safety=Safety.IDEMPOTENT
        )

    async def publish(self, agent_id: str) -> Agent:
        """
        ``POST /agents/{agent_id}/publish``: let the agent take calls (dials nothing).
        Idempotent. Returns the shortened agent.

        Raises:
            BadRequestError: 422 when ``is_ready_to_publish`` is false (e.g. no voice yet).
        """
        return await self._client.request_model(
            "POST", _path(agent_id, "/publish"), Agent, safety=Safety.IDEMPOTENT
        )

    async def unpublish(self, agent_id: str) -> Agent:
        """
        ``POST /agents/{agent_id}/unpublish``: back to draft; live calls go on, new ones are
        refused. Idempotent. Returns the shortened agent.
        """
        return await self._client.request_model(
            "POST", _path(agent_id, "/unpublish"), Agent, safety=Safety.IDEMPOTENT
        )
