"""Talkover agent routes: agents, knowledge/voice/calling, publishing, trainings and actions."""

from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from talkkit.emulator._dialects import TALKOVER
from talkkit.emulator._errors import ApiError, JSONDict
from talkkit.emulator._paging import page_page
from talkkit.emulator._talkover_state import ACTIVE_CALL_STATUSES, TalkoverState, missing
from talkkit.emulator._validate import Fields, Reader, read_all
from talkkit.emulator._wire import lookup, query_fields, read_body, success

__all__ = ["AgentRoutes"]

LANGUAGES = (
    "pt-BR", "pt-PT", "en-US", "en-CA", "es-ES", "fr-FR",
    "de-DE", "it-IT", "nl-NL", "ja-JP", "ko-KR", "zh-TW",
)  # fmt: skip
_LEVELS = ("low", "medium", "high")
_DIRECTIONS = ("inbound", "outbound")
_SPEAKERS = ("agent", "user")

_AGENT: dict[str, Reader] = {
    "name": partial(Fields.text, required=True, max_len=255),
    "label": partial(Fields.text, max_len=255),
    "description": Fields.text,
    "language": partial(Fields.text, choices=LANGUAGES),
    "initial_message": Fields.text,
    "interrupt_sensitivity": partial(Fields.text, choices=_LEVELS),
    "endpointing_sensitivity": partial(Fields.text, max_len=255),
    "ivr_navigation_mode": partial(Fields.text, max_len=255),
    "conversation_speed": partial(Fields.number, lo=0.1, hi=3.0),
    "initial_message_delay": partial(Fields.number, lo=0, hi=60),
    "ask_if_human_present_on_idle": Fields.flag,
    "idle_time_seconds": partial(Fields.integer, lo=1, hi=60),
    "max_idle_check_count": partial(Fields.integer, lo=1, hi=10),  # INFERRED name
    "max_call_duration_seconds": partial(Fields.integer, lo=1, hi=3600),
    "say_goodbye_on_max_duration": Fields.flag,
    "user_inactivity_timeout_seconds": partial(Fields.integer, lo=5, hi=120),
    "initial_idle_time_seconds": partial(Fields.integer, lo=1, hi=60),
    "initial_max_idle_check_count": partial(Fields.integer, lo=1, hi=10),
    "llm_temperature": partial(Fields.number, lo=0, hi=2),
    "enable_recording": Fields.flag,
    "direction": partial(Fields.text, choices=_DIRECTIONS),
    "who_speaks_first": partial(Fields.text, choices=_SPEAKERS),
}
# INFERRED defaults for fields a create call leaves out.
_AGENT_DEFAULTS: JSONDict = {
    "language": "en-US",
    "interrupt_sensitivity": "medium",
    "endpointing_sensitivity": "auto",
    "ivr_navigation_mode": "off",
    "conversation_speed": 1.0,
    "initial_message_delay": 0,
    "ask_if_human_present_on_idle": False,
    "llm_temperature": 0.7,
    "enable_recording": True,
    "direction": "outbound",
    "who_speaks_first": "agent",
}
_KNOWLEDGE: dict[str, Reader] = {
    "description": partial(Fields.text, required=True, min_len=5),
    "initial_message": partial(Fields.text, min_len=5, max_len=255),
    "interrupt_sensitivity": partial(Fields.text, required=True, choices=_LEVELS),
    "ask_if_human_present_on_idle": partial(Fields.flag, required=True),
    "llm_temperature": partial(Fields.number, required=True, lo=0, hi=2),
    "initial_message_delay": partial(Fields.number, required=True, lo=0, hi=60),
}
_VOICE: dict[str, Reader] = {
    "voice_id": partial(Fields.text, required=True),
    # The voice page says 1 < speed < 2, create-agent says 0.1–3.0; the wider range is used.
    "conversation_speed": partial(Fields.number, required=True, lo=0.1, hi=3.0),
    "who_speaks_first": partial(Fields.text, required=True, choices=_SPEAKERS),
    "ambient_background": partial(Fields.text, max_len=255),
    "ambient_volume": partial(Fields.number, lo=0, hi=2),
    "language": partial(Fields.text, choices=LANGUAGES),
    "similarity": partial(Fields.number, lo=0.5, hi=1.0),
    "stability": partial(Fields.number, lo=0.5, hi=1.0),
}
_TRAINING: dict[str, Reader] = {
    "node_id": Fields.text,
    "subject": partial(Fields.text, required=True, max_len=255),
    "instructions": partial(Fields.text, required=True),
    "current_status": partial(Fields.text, choices=("active", "inactive")),
}
# INFERRED names: authorization_scheme, custom_headers, action_trigger, transfer_number,
# hold_duration_seconds (the page describes them without showing the keys).
_ACTION: dict[str, Reader] = {
    "node_id": Fields.text,
    "name": partial(Fields.text, required=True, max_len=255),
    "description": Fields.text,
    "type": partial(Fields.text, required=True, max_len=255),
    "inputs": Fields.mappings,
    "integration": Fields.mapping,
    "url": partial(Fields.text, fmt="url"),
    "authorization_url": partial(Fields.text, fmt="url"),
    "authorization_scheme": partial(
        Fields.text, choices=("none", "bearer", "basic", "api_key", "custom")
    ),
    "custom_headers": Fields.mappings,
    "action_trigger": partial(Fields.text, choices=("during_call", "post_call")),
    "hold_duration_seconds": partial(Fields.integer, lo=1, hi=3600),
    "transfer_number": partial(Fields.text, fmt="e164"),
    "current_status": partial(Fields.text, choices=("active", "inactive")),
}


def _publish_view(agent: JSONDict) -> JSONDict:
    keys = ("id", "name", "current_status", "is_ready_to_publish", "updated_at")
    return {key: agent[key] for key in keys}


class AgentRoutes:
    """Agent endpoints (without calls and webhooks) over one `TalkoverState`."""

    def __init__(self, state: TalkoverState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        """Routes relative to the `/api/v1` mount."""
        one = "/agents/{agent_id}"
        return [
            Route("/agents", self.list_agents, methods=["GET"]),
            Route("/agents", self.create_agent, methods=["POST"]),
            Route(one, self.get_agent, methods=["GET"]),
            Route(one, self.delete_agent, methods=["DELETE"]),
            Route(one + "/knowledge", self.update_knowledge, methods=["PUT"]),
            Route(one + "/voice", self.update_voice, methods=["PUT"]),
            Route(one + "/calling", self.update_calling, methods=["PUT"]),
            Route(one + "/publish", self.publish, methods=["POST"]),
            Route(one + "/unpublish", self.unpublish, methods=["POST"]),
            Route(one + "/trainings", self.list_trainings, methods=["GET"]),
            Route(one + "/trainings", self.save_training, methods=["POST"]),
            Route(one + "/trainings/{item_id}", self.delete_training, methods=["DELETE"]),
            Route(one + "/actions", self.list_actions, methods=["GET"]),
            Route(one + "/actions", self.save_action, methods=["POST"]),
            Route(one + "/actions/{item_id}", self.delete_action, methods=["DELETE"]),
        ]

    def _agent(self, request: Request) -> JSONDict:
        return self.state.agent(request.path_params["agent_id"])

    async def list_agents(self, request: Request) -> Response:
        query = query_fields(request)
        status = query.text("status", choices=("draft", "published"))
        direction = query.text("direction", choices=_DIRECTIONS)
        search = (query.text("search") or "").lower()
        items = [
            a
            for a in self.state.agents.values()
            if (status is None or a["current_status"] == status)
            and (direction is None or a["direction"] == direction)
            and (search in a["name"].lower() or search in a["label"].lower())
        ]
        page, meta = page_page(items, query, TALKOVER, meta=True)
        return success(data=page, meta=meta)

    async def create_agent(self, request: Request) -> Response:
        body = await read_body(request, TALKOVER)
        values = read_all(body, _AGENT)
        body.check(TALKOVER)
        agent = dict(values)
        agent.update({k: v for k, v in _AGENT_DEFAULTS.items() if agent[k] is None})
        agent["label"] = agent["label"] or agent["name"]
        agent = {
            "id": self.state.env.ids.uuid(),
            **agent,
            "voice": None,
            "current_status": "draft",
            "is_sandbox": False,
            "is_ready_to_publish": False,
            "trainings": [],
            "actions": [],
            "phone_numbers": [],
        }
        self.state.agents[agent["id"]] = self.state.touch_agent(agent)
        # INFERRED: 201 (the page shows the body, not the status).
        return success(message="Agent created successfully", data=agent, status_code=201)

    async def get_agent(self, request: Request) -> Response:
        return success(data=self._agent(request))

    async def delete_agent(self, request: Request) -> Response:
        agent = self._agent(request)
        if agent["current_status"] == "published":
            raise ApiError(409, "Unpublish the agent before deleting it", code="AGENT_IS_PUBLISHED")
        self.state.settle()
        calls = [c for c in self.state.calls.values() if c["agent"]["id"] == agent["id"]]
        if any(c["status"] in ACTIVE_CALL_STATUSES for c in calls):
            raise ApiError(409, "Agent has active calls", code="AGENT_HAS_ACTIVE_CALLS")
        for call in calls:
            del self.state.calls[call["id"]]
        for webhook in [
            w for w in self.state.webhooks.values() if w.get("agent_id") == agent["id"]
        ]:
            del self.state.webhooks[webhook["id"]]
        del self.state.agents[agent["id"]]
        return success(message="Agent deleted successfully")

    async def update_knowledge(self, request: Request) -> Response:
        agent = self._agent(request)
        body = await read_body(request, TALKOVER)
        values = read_all(body, _KNOWLEDGE)
        body.check(TALKOVER)
        changes = {k: v for k, v in values.items() if v is not None}
        self.state.touch_agent(agent, current_status="draft", **changes)
        return success(message="Agent knowledge updated successfully", data=agent)

    async def update_voice(self, request: Request) -> Response:
        agent = self._agent(request)
        body = await read_body(request, TALKOVER)
        values = read_all(body, _VOICE)
        body.check(TALKOVER)
        template = lookup(
            self.state.voices, values["voice_id"], missing("Voice", "VOICE_NOT_FOUND")
        )
        voice = {
            "id": self.state.env.ids.uuid(),
            "name": template["name"],
            "label": template["name"],
            "stability": values["stability"] or 0.75,
            "similarity_boost": values["similarity"] or 0.75,
            "ambient_background": values["ambient_background"],
            "ambient_volume": 1 if values["ambient_volume"] is None else values["ambient_volume"],
            "template": {"id": template["id"], "name": template["name"]},
        }
        changes = {k: values[k] for k in ("conversation_speed", "who_speaks_first", "language")}
        changes = {k: v for k, v in changes.items() if v is not None}
        self.state.touch_agent(agent, voice=voice, **changes)
        return success(message="Agent voice updated successfully", data=agent)

    async def update_calling(self, request: Request) -> Response:
        agent = self._agent(request)
        body = await read_body(request, TALKOVER)
        direction = body.text("direction", required=True, choices=_DIRECTIONS)
        number_ids = body.strings("phone_number_ids") or []
        for index, number_id in enumerate(number_ids):
            if number_id not in self.state.phone_numbers:
                body.add(f"phone_number_ids.{index}", "exists")
        body.check(TALKOVER)
        numbers = [self.state.number_summary(self.state.phone_numbers[i]) for i in number_ids]
        self.state.touch_agent(agent, direction=direction, phone_numbers=numbers)
        keys = ("id", "name", "direction", "current_status", "phone_numbers", "updated_at")
        data = {key: agent[key] for key in keys}
        return success(message="Agent calling settings updated successfully", data=data)

    async def publish(self, request: Request) -> Response:
        agent = self._agent(request)
        if not agent["is_ready_to_publish"]:
            # Documented 422; INFERRED shape C and code (this is not field validation).
            raise ApiError(422, "Agent is not ready to publish", code="AGENT_NOT_READY")
        self.state.touch_agent(agent, current_status="published")
        return success(message="Agent published successfully", data=_publish_view(agent))

    async def unpublish(self, request: Request) -> Response:
        agent = self._agent(request)
        self.state.touch_agent(agent, current_status="draft")
        return success(message="Agent unpublished successfully", data=_publish_view(agent))

    async def list_trainings(self, request: Request) -> Response:
        return success(data=self._agent(request)["trainings"])

    async def list_actions(self, request: Request) -> Response:
        return success(data=self._agent(request)["actions"])

    async def _save(self, request: Request, kind: str, spec: dict[str, Reader]) -> JSONDict:
        """Create-or-update a training/action, matched by `node_id`, else by its title."""
        agent = self._agent(request)
        body = await read_body(request, TALKOVER)
        values = read_all(body, spec)
        body.check(TALKOVER)
        title = "subject" if kind == "trainings" else "name"
        key = ("node_id", values["node_id"]) if values["node_id"] else (title, values[title])
        item = next((i for i in agent[kind] if i.get(key[0]) == key[1]), None)
        if kind == "actions":
            values["input_schema"] = values.pop("inputs") or []
        values["current_status"] = values["current_status"] or "active"
        if item is None:
            item = {"id": self.state.env.ids.uuid()}
            agent[kind].append(item)
        self.state.stamp(item, **values)
        self.state.touch_agent(agent)
        return item

    async def save_training(self, request: Request) -> Response:
        item = await self._save(request, "trainings", _TRAINING)
        return success(message="Agent training updated successfully", data=item)

    async def save_action(self, request: Request) -> Response:
        item = await self._save(request, "actions", _ACTION)
        return success(message="Agent action updated successfully", data=item)

    def _delete(self, request: Request, kind: str, what: str, code: str) -> None:
        agent = self._agent(request)
        items = agent[kind]
        keep = [i for i in items if i["id"] != request.path_params["item_id"]]
        if len(keep) == len(items):
            raise missing(what, code)
        self.state.touch_agent(agent, current_status="draft", **{kind: keep})

    async def delete_training(self, request: Request) -> Response:
        self._delete(request, "trainings", "Training", "TRAINING_NOT_FOUND")
        return success(message="Training deleted successfully")

    async def delete_action(self, request: Request) -> Response:
        self._delete(request, "actions", "Action", "ACTION_NOT_FOUND")
        return success(message="Action deleted successfully")
