"""Talkover campaign routes: CRUD, status lifecycle and queued campaign calls."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from talkkit.emulator._dialects import TALKOVER
from talkkit.emulator._errors import ApiError, JSONDict
from talkkit.emulator._paging import page_page
from talkkit.emulator._platform import context
from talkkit.emulator._talkover_calls import CALL_BODY
from talkkit.emulator._talkover_state import TalkoverState
from talkkit.emulator._validate import Fields, Reader, read_all
from talkkit.emulator._wire import iso, query_fields, read_body, reply, success

__all__ = ["CampaignRoutes"]

_STATUSES = ("draft", "active", "paused", "completed", "cancelled")
_TRANSITIONS = {
    "draft": {"active", "cancelled"},
    "active": {"paused", "completed", "cancelled"},
    "paused": {"active", "completed", "cancelled"},
    "completed": set(),
    "cancelled": set(),
}
_HOURS = partial(Fields.integer, lo=1, hi=168)
_CAMPAIGN: dict[str, Reader] = {
    "name": partial(Fields.text, required=True, max_len=255),
    "description": Fields.text,
    "campaign_type": partial(Fields.text, choices=("sales", "follow_up", "reminder", "custom")),
    "agent_id": Fields.text,
    "start_date": partial(Fields.text, fmt="date"),
    "end_date": partial(Fields.text, fmt="date"),
    "days_of_week": partial(Fields.integers, min_items=1, lo=1, hi=7),
    "call_time_ranges": partial(Fields.mappings, min_items=1),
    "timezone": partial(Fields.text, max_len=50),
    "initial_call_delay": partial(Fields.integer, lo=0, hi=86400),  # INFERRED request name
    "max_retries": partial(Fields.integer, lo=0, hi=10),
    "retry_cooldown_hours": _HOURS,
    "enable_post_completion_cooldown": Fields.flag,
    "post_completion_cooldown_hours": _HOURS,
    "success_cooldown_hours": _HOURS,
    "voicemail_cooldown_hours": _HOURS,
    "no_answer_cooldown_hours": _HOURS,
    "busy_cooldown_hours": _HOURS,
    "failed_cooldown_hours": _HOURS,
    "do_not_call_enabled": Fields.flag,
    "do_not_call_list_source": partial(Fields.text, max_len=255),
    "auto_add_to_dnc_enabled": Fields.flag,
    "auto_dnc_trigger_statuses": Fields.strings,
    "auto_dnc_trigger_errors": Fields.strings,
}
# INFERRED defaults (documented: max_retries 3, retry 24 h, post-completion 168 h).
_DEFAULTS: JSONDict = {
    "campaign_type": "custom",
    "days_of_week": [1, 2, 3, 4, 5],
    "call_time_ranges": [{"start": "09:00", "end": "17:00"}],
    "timezone": "UTC",
    "initial_call_delay": 0,
    "max_retries": 3,
    "retry_cooldown_hours": 24,
    "enable_post_completion_cooldown": False,
    "post_completion_cooldown_hours": 168,
    "do_not_call_enabled": False,
    "do_not_call_list_source": "environment",
    "auto_add_to_dnc_enabled": False,
    "auto_dnc_trigger_statuses": [],
    "auto_dnc_trigger_errors": [],
}
_LIVE_CAMPAIGN_CALL = frozenset({"queued", "initiated", "in_progress"})


def _check_schedule(body: Fields, values: dict[str, Any], current: JSONDict) -> None:
    """Cross-field rules: valid `HH:MM` ranges ending after they start, end after start date."""
    for index, window in enumerate(values.get("call_time_ranges") or []):
        ranges = Fields(window, prefix=f"call_time_ranges.{index}.")
        start = ranges.text("start", required=True, fmt="time")
        end = ranges.text("end", required=True, fmt="time")
        if start and end and end <= start:
            ranges.add("end", "after", "start")
        body.problems += ranges.problems
    start_date = values.get("start_date") or current.get("start_date")
    end_date = values.get("end_date")
    if start_date and end_date and end_date <= start_date:
        body.add("end_date", "after", "start_date")


class CampaignRoutes:
    """Campaign endpoints over one `TalkoverState`."""

    def __init__(self, state: TalkoverState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        """Routes relative to the `/api/v1` mount."""
        one = "/campaigns/{campaign_id}"
        return [
            Route("/campaigns", self.list_campaigns, methods=["GET"]),
            Route("/campaigns", self.create_campaign, methods=["POST"]),
            Route(one, self.get_campaign, methods=["GET"]),
            Route(one, self.update_campaign, methods=["PUT"]),
            Route(one, self.delete_campaign, methods=["DELETE"]),
            Route(one + "/status", self.update_status, methods=["PATCH"]),
            Route(one + "/call", self.place_call, methods=["POST"]),
        ]

    def _campaign(self, request: Request) -> JSONDict:
        return self.state.campaign(request.path_params["campaign_id"])

    def _view(self, campaign: JSONDict, *, detail: bool = False) -> JSONDict:
        """The campaign with its agent, stats and (for `detail`) calls and files."""
        self.state.settle()
        calls = [c for c in self.state.calls.values() if c["campaign_id"] == campaign["id"]]
        done = [c for c in calls if c["status"] == "completed"]
        failed = [c for c in calls if c["status"] in ("failed", "busy", "no-answer")]
        ranges = campaign["call_time_ranges"]
        agent = self.state.agents.get(campaign["agent_id"] or "")
        view = {
            **campaign,
            "earliest_call_time": min(r["start"] for r in ranges) + ":00",
            "latest_call_time": max(r["end"] for r in ranges) + ":00",
            "agent": self.state.agent_summary(agent) if agent else None,
            "stats": {
                "total_calls": len(calls),
                "completed_calls": len(done),
                "failed_calls": len(failed),
                "success_rate": round(100 * len(done) / len(calls), 2) if calls else 0,
                "average_duration": (sum(c["duration"] for c in done) / len(done)) if done else 0,
            },
        }
        if detail:
            view["calls"] = [
                {k: c[k] for k in ("id", "to", "status", "retries", "created_at")}
                for c in self.state.campaign_calls.values()
                if c["campaign_id"] == campaign["id"]
            ]
            view["files"] = []
        return view

    async def _read(self, request: Request, current: JSONDict | None) -> dict[str, Any]:
        body = await read_body(request, TALKOVER)
        values = read_all(body, _CAMPAIGN, partial=current is not None)
        agent_id = values.get("agent_id")
        if agent_id is not None and agent_id not in self.state.agents:
            body.add("agent_id", "exists")
        _check_schedule(body, values, current or {})
        body.check(TALKOVER)
        return values

    async def list_campaigns(self, request: Request) -> Response:
        query = query_fields(request)
        status = query.text("status", choices=_STATUSES)
        kind = query.text("campaign_type")
        agent_id = query.text("agent_id")
        since = query.text("date_from", fmt="date")
        until = query.text("date_to", fmt="date")
        search = (query.text("search") or "").lower()
        items = [
            c
            for c in self.state.campaigns.values()
            if (status is None or c["status"] == status)
            and (kind is None or c["campaign_type"] == kind)
            and (agent_id is None or c["agent_id"] == agent_id)
            and (since is None or c["created_at"][:10] >= since)
            and (until is None or c["created_at"][:10] <= until)
            and search in f"{c['name']} {c['description'] or ''}".lower()
        ]
        page, pagination = page_page(items, query, TALKOVER)
        return success(data=[self._view(c) for c in page], pagination=pagination)

    async def create_campaign(self, request: Request) -> Response:
        values = await self._read(request, None)
        fields = {
            k: values.get(k) if values.get(k) is not None else v for k, v in _DEFAULTS.items()
        }
        campaign = {
            "id": self.state.env.ids.uuid(),
            **values,
            **fields,
            "status": "draft",
        }
        self.state.campaigns[campaign["id"]] = self.state.stamp(campaign)
        # INFERRED: 201 (the page shows the body, not the status).
        return success(
            message="Campaign created successfully", data=self._view(campaign), status_code=201
        )

    async def get_campaign(self, request: Request) -> Response:
        return success(data=self._view(self._campaign(request), detail=True))

    async def update_campaign(self, request: Request) -> Response:
        campaign = self._campaign(request)
        values = await self._read(request, campaign)
        self.state.stamp(campaign, **{k: v for k, v in values.items() if v is not None})
        return success(message="Campaign updated successfully", data=self._view(campaign))

    async def delete_campaign(self, request: Request) -> Response:
        campaign = self._campaign(request)
        if campaign["status"] == "active":
            raise ApiError(403, "Cannot delete active campaign", code="FORBIDDEN")
        if any(
            c["status"] in ("ringing", "answered", "in_progress") for c in self._calls(campaign)
        ):
            raise ApiError(409, "Campaign has calls in progress", code="CONFLICT")
        for call in self._calls(campaign):
            del self.state.campaign_calls[call["id"]]
        del self.state.campaigns[campaign["id"]]
        return success(message="Campaign deleted successfully")

    def _calls(self, campaign: JSONDict) -> list[JSONDict]:
        return [c for c in self.state.campaign_calls.values() if c["campaign_id"] == campaign["id"]]

    async def update_status(self, request: Request) -> Response:
        campaign = self._campaign(request)
        body = await read_body(request, TALKOVER)
        status = body.text("status", required=True, choices=_STATUSES)
        body.check(TALKOVER)
        if status not in _TRANSITIONS[campaign["status"]]:
            raise ApiError(
                400,
                f"Cannot change campaign status from {campaign['status']} to {status}",
                code="INVALID_TRANSITION",
            )
        self.state.stamp(campaign, status=status)
        data = {k: campaign[k] for k in ("id", "status", "updated_at")}
        return success(message="Campaign status updated successfully", data=data)

    async def place_call(self, request: Request) -> Response:
        campaign = self._campaign(request)
        body = await read_body(request, TALKOVER)
        values = read_all(body, CALL_BODY)
        allow_duplicates = body.flag("allow_duplicates")
        agent = self.state.agents.get(campaign["agent_id"] or "")
        if agent is None:
            body.add("agent_id", "exists")  # INFERRED: a campaign needs an agent to call
        body.check(TALKOVER)
        assert agent is not None
        if campaign["status"] in ("completed", "cancelled"):
            raise ApiError(409, f"Campaign is {campaign['status']}", code="CONFLICT")
        to = values["to"]
        if not allow_duplicates and any(
            c["to"] == to and c["status"] in _LIVE_CAMPAIGN_CALL for c in self._calls(campaign)
        ):
            raise ApiError(409, "This number is already queued in this campaign", code="CONFLICT")
        call = self.state.place_call(
            agent,
            to,
            is_testing=bool(values["is_testing"]),
            ctx=context(request),
            campaign_id=campaign["id"],
            payload=values["payload"],
            context=values["context"],
        )
        now = self.state.env.now()
        queued = {
            "id": call["id"],
            "campaign_id": campaign["id"],
            "to": to,
            "status": "queued",
            "retries": 0,
            "scheduled_at": iso(now + timedelta(seconds=campaign["initial_call_delay"])),
            "created_at": iso(now),
        }
        self.state.campaign_calls[queued["id"]] = queued
        summary = {k: campaign[k] for k in ("id", "name", "status")}
        shown = {k: v for k, v in queued.items() if k != "retries"}
        return reply({"campaign_call": shown, "campaign": summary}, 201)
