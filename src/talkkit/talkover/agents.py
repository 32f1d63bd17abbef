"""Talkover agents: CRUD, knowledge/voice/calling settings, publishing, placing calls."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Unpack

from talkkit._options import RequestOptions, UnsafeRequestOptions
from talkkit._request import Safety
from talkkit.pagination import AsyncPaginator
from talkkit.talkover import _agent_fields as spec
from talkkit.talkover import _fields as f
from talkkit.talkover._agent_calls import AgentCallsMixin
from talkkit.talkover._fields import Doc, Field
from talkkit.talkover.types import Agent, AgentStatus

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["Agents"]


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
        status: Annotated[
            AgentStatus | str | None,
            Doc("``draft`` or ``published``."),
            Field(f.choice(AgentStatus), into="query"),
        ] = None,
        direction: f.DirectionFilter = None,
        search: Annotated[
            str | None, Doc("Matches name or label."), Field(f.text(), into="query")
        ] = None,
        per_page: f.PerPage = 20,
        max_items: f.MaxItems = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Agent]:
        """``GET /agents``: every agent, across all pages (``meta`` block)."""
        return f.pages(self._client, "/agents", Agent, Agents.list, locals())

    async def create(
        self,
        *,
        name: spec.Name,
        label: spec.Label = None,
        description: spec.Description = None,
        language: spec.AgentLanguage = None,
        initial_message: spec.InitialMessage = None,
        interrupt_sensitivity: spec.Sensitivity | None = None,
        endpointing_sensitivity: spec.EndpointingSensitivity = None,
        ivr_navigation_mode: spec.IvrNavigationMode = None,
        conversation_speed: spec.Speed | None = None,
        initial_message_delay: spec.MessageDelay | None = None,
        ask_if_human_present_on_idle: spec.AskIfHuman | None = None,
        idle_time_seconds: spec.IdleTime = None,
        max_idle_check_count: spec.MaxIdleChecks = None,
        max_call_duration_seconds: spec.MaxCallDuration = None,
        say_goodbye_on_max_duration: spec.SayGoodbye = None,
        user_inactivity_timeout_seconds: spec.UserInactivityTimeout = None,
        initial_idle_time_seconds: spec.InitialIdleTime = None,
        initial_max_idle_check_count: spec.InitialMaxIdleChecks = None,
        llm_temperature: spec.Temperature | None = None,
        enable_recording: spec.EnableRecording = None,
        direction: spec.AgentDirection | None = None,
        who_speaks_first: spec.Speaker | None = None,
        **options: Unpack[UnsafeRequestOptions],
    ) -> Agent:
        """
        ``POST /agents``: create a draft agent (no voice, trainings, actions or numbers yet).

        Unsafe: never re-sent after it may have reached the server. On an unclear failure
        (`OutcomeUnknownError`) look for the agent with ``list(search=name)`` before creating
        it again. Arguments left ``None`` are not sent (the server's defaults apply).

        Raises:
            InvalidRequestError: A value is out of range (nothing is sent).
            OutcomeUnknownError: The request failed after it was sent.
        """
        body = self._client.fields(Agents.create, locals())
        return await self._client.request_model(
            "POST", "/agents", Agent, json=body, safety=Safety.UNSAFE, options=options
        )

    async def get(self, agent_id: str, **options: Unpack[RequestOptions]) -> Agent:
        """``GET /agents/{agent_id}``: the agent with its voice, trainings, actions, numbers."""
        return await self._client.request_model("GET", _path(agent_id), Agent, options=options)

    async def delete(self, agent_id: str, **options: Unpack[RequestOptions]) -> None:
        """
        ``DELETE /agents/{agent_id}``: irreversible; removes its trainings, actions, number
        links and call history. Idempotent: retried on unclear failures.

        Raises:
            ConflictError: ``AGENT_IS_PUBLISHED`` (unpublish first) or
                ``AGENT_HAS_ACTIVE_CALLS``.
            NotFoundError: No such agent (also what a retry of a delete that went through sees).
        """
        await self._client.request_json(
            "DELETE", _path(agent_id), safety=Safety.IDEMPOTENT, options=options
        )

    async def update_knowledge(
        self,
        agent_id: str,
        *,
        description: Annotated[
            str, Doc("What the agent is for, at least 5 characters."), Field(f.text(min_len=5))
        ],
        interrupt_sensitivity: spec.Sensitivity,
        ask_if_human_present_on_idle: spec.AskIfHuman,
        llm_temperature: spec.Temperature,
        initial_message_delay: spec.MessageDelay,
        initial_message: Annotated[
            str | None,
            Doc("5 to 255 characters; ``None`` leaves it unchanged."),
            Field(f.text(min_len=5, max_len=255)),
        ] = None,
        **options: Unpack[RequestOptions],
    ) -> Agent:
        """
        ``PUT /agents/{agent_id}/knowledge``: set the agent's behaviour; it returns to draft
        and must be published again. Idempotent (sets the given values).
        """
        return await self._settings("/knowledge", Agents.update_knowledge, locals())

    async def update_voice(
        self,
        agent_id: str,
        *,
        voice_id: spec.VoiceId,
        conversation_speed: spec.Speed,
        who_speaks_first: spec.Speaker,
        ambient_background: spec.AmbientBackground = None,
        ambient_volume: spec.AmbientVolume = None,
        language: Annotated[spec.AgentLanguage, Doc("Must be one the template supports.")] = None,
        similarity: spec.Similarity = None,
        stability: spec.Stability = None,
        **options: Unpack[RequestOptions],
    ) -> Agent:
        """
        ``PUT /agents/{agent_id}/voice``: give the agent a voice from a voice template.
        Idempotent.

        Raises:
            NotFoundError: ``VOICE_NOT_FOUND``.
        """
        return await self._settings("/voice", Agents.update_voice, locals())

    async def update_calling(
        self,
        agent_id: str,
        *,
        direction: spec.AgentDirection,
        phone_number_ids: spec.PhoneNumberIds = None,
        **options: Unpack[RequestOptions],
    ) -> Agent:
        """
        ``PUT /agents/{agent_id}/calling``: set the direction and replace the linked phone
        numbers (ids from `PhoneNumbers.list`; ``[]`` unlinks them all). Idempotent.
        Returns the shortened agent.

        ``None`` leaves ``phone_number_ids`` out of the body; what the API then does with
        the linked numbers is not documented (the emulator unlinks them), so pass the
        current ids to keep them.
        """
        return await self._settings("/calling", Agents.update_calling, locals())

    async def publish(self, agent_id: str, **options: Unpack[RequestOptions]) -> Agent:
        """
        ``POST /agents/{agent_id}/publish``: let the agent take calls (dials nothing).
        Idempotent. Returns the shortened agent.

        Raises:
            BadRequestError: 422 when ``is_ready_to_publish`` is false (e.g. no voice yet).
        """
        return await self._client.request_model(
            "POST", _path(agent_id, "/publish"), Agent, safety=Safety.IDEMPOTENT, options=options
        )

    async def unpublish(self, agent_id: str, **options: Unpack[RequestOptions]) -> Agent:
        """
        ``POST /agents/{agent_id}/unpublish``: back to draft; live calls go on, new ones are
        refused. Idempotent. Returns the shortened agent.
        """
        return await self._client.request_model(
            "POST", _path(agent_id, "/unpublish"), Agent, safety=Safety.IDEMPOTENT, options=options
        )

    async def _settings(
        self, tail: str, method: Callable[..., Any], values: Mapping[str, Any]
    ) -> Agent:
        """
        ``PUT /agents/{agent_id}{tail}`` (idempotent) with the fields ``method`` declares;
        ``agent_id``, the fields and ``options`` are read from ``values`` (its ``locals()``).
        """
        return await self._client.request_model(
            "PUT",
            _path(values["agent_id"], tail),
            Agent,
            json=self._client.fields(method, values),
            safety=Safety.IDEMPOTENT,
            options=values["options"],
        )
