"""Talkover call routes: place an agent call, call history, and an agent's calls."""

from __future__ import annotations

import re
from functools import partial

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from talkkit.emulator._dialects import TALKOVER
from talkkit.emulator._errors import ApiError, JSONDict
from talkkit.emulator._paging import page_page
from talkkit.emulator._platform import context
from talkkit.emulator._talkover_state import TalkoverState
from talkkit.emulator._validate import Fields, Reader, read_all
from talkkit.emulator._wire import query_fields, read_body, success

__all__ = ["CALL_BODY", "CallRoutes"]

_STATUSES = ("initiated", "ringing", "answered", "completed", "failed", "busy", "no-answer")

CALL_BODY: dict[str, Reader] = {
    "to": partial(Fields.text, required=True, fmt="e164"),
    "payload": Fields.mapping,
    "context": Fields.mapping,
    "is_testing": Fields.flag,
}
"""Fields shared by agent calls and campaign calls."""


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _matches(call: JSONDict, search: str) -> bool:
    """`search` matches a phone number (ignoring formatting) or the call SID."""
    if search.lower() in call["sid"].lower():
        return True
    digits = _digits(search)
    return bool(digits) and any(digits in _digits(call[k]) for k in ("to", "from"))


class CallRoutes:
    """Call endpoints over one `TalkoverState`."""

    def __init__(self, state: TalkoverState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        """Routes relative to the `/api/v1` mount."""
        return [
            Route("/agents/{agent_id}/call", self.place, methods=["POST"]),
            Route("/agents/{agent_id}/calls", self.agent_calls, methods=["GET"]),
            Route("/calls", self.history, methods=["GET"]),
        ]

    async def place(self, request: Request) -> Response:
        agent = self.state.agent(request.path_params["agent_id"])
        body = await read_body(request, TALKOVER)
        values = read_all(body, CALL_BODY)
        delay = body.integer("delay_seconds", lo=0, hi=3600)
        body.check(TALKOVER)
        context(request).subject = f"phone:{values['to']}"
        is_testing = bool(values["is_testing"])
        if agent["current_status"] != "published" and not is_testing:
            # Documented: unpublished agents take no new calls. INFERRED: status and code.
            raise ApiError(409, "Agent is not published", code="AGENT_NOT_PUBLISHED")
        call = self.state.place_call(
            agent,
            values["to"],
            is_testing=is_testing,
            ctx=context(request),
            payload=values["payload"],
            context=values["context"],
            delay=delay or 0,
        )
        data = {k: call[k] for k in ("id", "to", "status", "created_at")}
        return success(
            message="Call initiated successfully", data={"agent_id": agent["id"], **data}
        )

    def _filtered(self, request: Request, agent_id: str | None) -> tuple[list[JSONDict], JSONDict]:
        query = query_fields(request)
        status = query.text("status", choices=_STATUSES)
        direction = query.text("direction", choices=("inbound", "outbound"))
        agent_id = agent_id or query.text("agent_id")
        since = query.text("date_from", fmt="date")
        until = query.text("date_to", fmt="date")
        search = query.text("search")
        self.state.settle()
        items = [
            call
            for call in reversed(self.state.calls.values())
            if (status is None or call["status"] == status)
            and (direction is None or call["direction"] == direction)
            and (agent_id is None or call["agent"]["id"] == agent_id)
            and (since is None or call["created_at"][:10] >= since)
            and (until is None or call["created_at"][:10] <= until)
            and (search is None or _matches(call, search))
        ]
        return page_page(items, query, TALKOVER)

    async def history(self, request: Request) -> Response:
        page, pagination = self._filtered(request, None)
        return success(data=page, pagination=pagination)

    async def agent_calls(self, request: Request) -> Response:
        agent = self.state.agent(request.path_params["agent_id"])
        page, pagination = self._filtered(request, agent["id"])
        data = [{k: v for k, v in call.items() if k != "agent"} for call in page]
        return success(data=data, pagination=pagination)
