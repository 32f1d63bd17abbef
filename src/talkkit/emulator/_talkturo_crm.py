"""Talkturo CRM routes (`/api/crm`): campaigns, contacts and companies."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from talkkit.emulator._dialects import TALKTURO
from talkkit.emulator._errors import ApiError, JSONDict
from talkkit.emulator._paging import offset_page
from talkkit.emulator._platform import RequestContext, context
from talkkit.emulator._talkturo_state import TalkturoState, company_key, contact_key, snake
from talkkit.emulator._validate import Fields, Reader, read_all
from talkkit.emulator._wire import iso, query_fields, read_body, success

__all__ = ["CrmRoutes"]

_STATUSES = ("draft", "scheduled", "running", "paused", "completed", "cancelled")
_TEXT = partial(Fields.text, max_len=5000)
_PHONE = partial(Fields.text, fmt="e164")

# INFERRED: the create body mirrors the campaign object in camelCase (docs show no table).
_CAMPAIGN: dict[str, Reader] = {
    "name": partial(Fields.text, required=True, max_len=255),
    "description": _TEXT,
    "assistantId": Fields.text,
    "companyId": Fields.text,
    "fromNumber": _PHONE,
    "callWindowStart": partial(Fields.text, fmt="time"),
    "callWindowEnd": partial(Fields.text, fmt="time"),
    "callWindowTimezone": partial(Fields.text, max_len=64),
    "maxConcurrentCalls": partial(Fields.integer, lo=1, hi=100),
}
_CAMPAIGN_DEFAULTS: JSONDict = {
    "call_window_start": "09:00",
    "call_window_end": "17:00",
    "call_window_timezone": "America/New_York",
    "max_concurrent_calls": 1,
}
_WINDOW = {"callWindowStart", "callWindowEnd", "callWindowTimezone"}

_CONTACT: dict[str, Reader] = {
    "companyId": partial(Fields.text, required=True),
    "firstName": partial(Fields.text, required=True, max_len=255),
    "lastName": partial(Fields.text, required=True, max_len=255),
    "email": partial(Fields.text, fmt="email"),
    "phone": _PHONE,
    "phoneSecondary": _PHONE,
    "jobTitle": _TEXT,
    "leadStatus": _TEXT,
    "source": _TEXT,
    "timezone": _TEXT,
    "preferredContactMethod": _TEXT,
    "doNotCall": Fields.flag,
    "notes": _TEXT,
    "customFields": Fields.mapping,
    "tags": Fields.strings,
}

_COMPANY: dict[str, Reader] = {
    "name": partial(Fields.text, required=True, max_len=255),
    "website": _TEXT,
    "industry": _TEXT,
    "companySize": _TEXT,
    "addressLine1": _TEXT,
    "addressLine2": _TEXT,
    "city": _TEXT,
    "state": _TEXT,
    "postalCode": _TEXT,
    "country": _TEXT,
    "phone": _PHONE,
    "notes": _TEXT,
    "customFields": Fields.mapping,
}


def _snake_values(values: dict[str, Any]) -> JSONDict:
    return {snake(key): value for key, value in values.items()}


class CrmRoutes:
    """Campaign, contact and company endpoints over one `TalkturoState`."""

    def __init__(self, state: TalkturoState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        """Routes relative to the `/api` mount."""
        return [
            Route("/crm/campaigns", self.list_campaigns, methods=["GET"]),
            Route("/crm/campaigns", self.create_campaign, methods=["POST"]),
            Route("/crm/campaigns/{campaign_id}", self.get_campaign, methods=["GET"]),
            Route("/crm/campaigns/{campaign_id}", self.update_campaign, methods=["PATCH"]),
            Route("/crm/campaigns/{campaign_id}", self.delete_campaign, methods=["DELETE"]),
            Route("/crm/campaigns/{campaign_id}/run", self.run_campaign, methods=["POST"]),
            Route("/crm/campaigns/{campaign_id}/contacts", self.add_contacts, methods=["POST"]),
            Route("/crm/campaigns/{campaign_id}/contacts", self.campaign_contacts, methods=["GET"]),
            Route("/crm/contacts", self.create_contact, methods=["POST"]),
            Route("/crm/contacts", self.list_contacts, methods=["GET"]),
            Route("/crm/companies", self.create_company, methods=["POST"]),
            Route("/crm/companies", self.list_companies, methods=["GET"]),
            Route("/crm/companies/{company_id}", self.get_company, methods=["GET"]),
        ]

    def _campaign(self, request: Request) -> JSONDict:
        campaign = self.state.get(
            self.state.campaigns, request.path_params["campaign_id"], "Campaign"
        )
        if campaign["deleted_at"] is not None:
            raise ApiError(404, "Campaign not found")
        return campaign

    def _links(self, values: dict[str, Any], team_id: str) -> None:
        """404/403 for an assistant or company the caller cannot use, 400 across teams."""
        state = self.state
        if values.get("assistantId") is not None:
            state.get(state.assistants, values["assistantId"], "Assistant")
        if values.get("companyId") is not None:
            company = state.get(state.companies, values["companyId"], "Company")
            if company["team_id"] != team_id:
                raise ApiError(400, "companyId belongs to another team")

    async def _create_body(self, request: Request, spec: dict[str, Reader]) -> tuple[str, JSONDict]:
        """Read a create body: the caller's `teamId` and the `spec` fields, links checked."""
        body = await read_body(request, TALKTURO)
        team_id = body.text("teamId", required=True)
        values = read_all(body, spec)
        body.check(TALKTURO)
        assert team_id is not None
        self.state.team(team_id)
        self._links(values, team_id)
        return team_id, values

    async def _new(
        self,
        request: Request,
        spec: dict[str, Reader],
        prefix: str,
        key_of: Callable[[Mapping[str, Any]], str | None],
        unique: tuple[str, ...],
    ) -> tuple[RequestContext, JSONDict]:
        """
        Read a create body and claim the new record's ``unique`` fields in its team: the
        request's context and the record so far (``id``, ``team_id`` and its fields).
        """
        team_id, values = await self._create_body(request, spec)
        ctx = context(request)
        ctx.subject = key_of(values)
        record_id = self.state.env.ids.ulid(prefix)
        self.state.claim(team_id, record_id, {name: values[name] for name in unique})
        return ctx, {"id": record_id, "team_id": team_id, **_snake_values(values)}

    async def list_campaigns(self, request: Request) -> Response:
        query = query_fields(request)
        team_id = query.text("teamId", required=True)
        status = query.text("status", choices=_STATUSES)
        assistant_id = query.text("assistantId")
        deleted = query.text("deleted", choices=("exclude", "include", "only")) or "exclude"
        query.check(TALKTURO)
        assert team_id is not None
        items = [
            c
            for c in self.state.in_team(self.state.campaigns, {self.state.team(team_id)["id"]})
            if (status is None or c["status"] == status)
            and (assistant_id is None or c["assistant_id"] == assistant_id)
            and (deleted == "include" or (c["deleted_at"] is not None) == (deleted == "only"))
        ]
        page, meta = offset_page(items, query, TALKTURO)
        return success(campaigns=page, **meta)

    async def create_campaign(self, request: Request) -> Response:
        team_id, values = await self._create_body(request, _CAMPAIGN)
        fields = _snake_values(values)
        campaign = {
            "id": self.state.env.ids.ulid("camp"),
            "team_id": team_id,
            **fields,
            "status": "draft",
            **{k: fields[k] if fields[k] is not None else v for k, v in _CAMPAIGN_DEFAULTS.items()},
            "total_contacts": 0,
            "contacts_called": 0,
            "contacts_completed": 0,
            "contacts_answered": 0,
            "deleted_at": None,
        }
        self.state.campaigns[campaign["id"]] = self.state.stamp(campaign)
        self.state.campaign_contacts[campaign["id"]] = []
        return success(campaign=campaign)

    async def get_campaign(self, request: Request) -> Response:
        return success(campaign=self._campaign(request))

    async def update_campaign(self, request: Request) -> Response:
        campaign = self._campaign(request)
        body = await read_body(request, TALKTURO)
        values = read_all(body, _CAMPAIGN, partial=True)
        body.check(TALKTURO)
        self._links(values, campaign["team_id"])
        if campaign["status"] == "running" and _WINDOW & values.keys():
            # Documented: the call window cannot change while running. INFERRED: 409.
            raise ApiError(
                409, "Cannot change the call window of a running campaign; pause it first"
            )
        changes = {k: v for k, v in _snake_values(values).items() if v is not None}
        return success(campaign=self.state.stamp(campaign, **changes))

    async def delete_campaign(self, request: Request) -> Response:
        # INFERRED (docs repo): deletion is soft, as the `deleted` list filter implies.
        campaign = self._campaign(request)
        self.state.stamp(campaign, deleted_at=iso(self.state.env.now()))
        return success(campaign=campaign)

    async def run_campaign(self, request: Request) -> Response:
        # INFERRED path and body (docs repo): POST …/run {"action": "start"|"stop"}.
        campaign = self._campaign(request)
        body = await read_body(request, TALKTURO)
        action = body.text("action", required=True, choices=("start", "stop"))
        body.check(TALKTURO)
        status = campaign["status"]
        if action == "start" and status not in ("draft", "scheduled", "paused"):
            raise ApiError(409, f"Campaign cannot be started while {status}")
        if action == "stop" and status != "running":
            raise ApiError(409, f"Campaign cannot be stopped while {status}")
        new_status = "running" if action == "start" else "paused"
        self.state.stamp(campaign, status=new_status)
        self.state.campaign_runs.append(
            {"campaign_id": campaign["id"], "action": action, "at": self.state.env.now()}
        )
        if action == "start":
            self.state.place_campaign_calls(campaign)
        return success(status=new_status, campaign=campaign)

    async def add_contacts(self, request: Request) -> Response:
        # INFERRED body: `contactIds` (or the docs repo's `contacts`) lists contact ids.
        campaign = self._campaign(request)
        body = await read_body(request, TALKTURO)
        key = "contacts" if body.has("contacts") and not body.has("contactIds") else "contactIds"
        ids = body.strings(key, required=True, min_items=1)
        body.check(TALKTURO)
        assert ids is not None
        for index, contact_id in enumerate(ids):
            contact = self.state.contacts.get(contact_id)
            if contact is None or contact["team_id"] != campaign["team_id"]:
                body.add(f"{key}.{index}", "exists")
        body.check(TALKTURO)
        members = self.state.campaign_contacts.setdefault(campaign["id"], [])
        added = [
            cid
            for cid in dict.fromkeys(ids)
            if cid not in members and not self.state.contacts[cid]["do_not_call"]
        ]
        members.extend(added)
        self.state.stamp(campaign, total_contacts=len(members))
        return success(added=len(added), skipped=len(ids) - len(added), campaign=campaign)

    async def campaign_contacts(self, request: Request) -> Response:
        campaign = self._campaign(request)
        members = [self.state.contacts[cid] for cid in self.state.campaign_contacts[campaign["id"]]]
        page, meta = offset_page(members, query_fields(request), TALKTURO)
        return success(contacts=page, **meta)

    async def create_contact(self, request: Request) -> Response:
        ctx, fields = await self._new(request, _CONTACT, "cont", contact_key, ("email", "phone"))
        contact = {
            **fields,
            "lead_status": fields["lead_status"] or "new",
            "do_not_call": bool(fields["do_not_call"]),
            "custom_fields": fields["custom_fields"] or {},
            "tags": fields["tags"] or [],
        }
        self.state.contacts[contact["id"]] = self.state.stamp(contact)
        ctx.created = contact["id"]
        company = self.state.companies[contact["company_id"]]
        company["contact_count"] += 1
        return success(contact=contact)

    async def list_contacts(self, request: Request) -> Response:
        # INFERRED params: teamId (or accountSlug), companyId, search, limit/offset.
        query = query_fields(request)
        teams = self.state.scope_teams(query.text("teamId"), query.text("accountSlug"))
        company_id = query.text("companyId")
        search = (query.text("search") or "").lower()
        items = [
            c
            for c in self.state.in_team(self.state.contacts, teams)
            if (company_id is None or c["company_id"] == company_id)
            and search in " ".join(str(c[k] or "") for k in _SEARCHED).lower()
        ]
        page, meta = offset_page(items, query, TALKTURO)
        return success(contacts=page, **meta)

    async def create_company(self, request: Request) -> Response:
        # INFERRED: the docs list 409 "already exists" without saying for which key.
        ctx, fields = await self._new(request, _COMPANY, "comp", company_key, ("name",))
        company = {
            **fields,
            "contact_count": 0,  # INFERRED name: the docs describe "number of linked contacts"
            "custom_fields": fields["custom_fields"] or {},
        }
        self.state.companies[company["id"]] = self.state.stamp(company)
        ctx.created = company["id"]
        return success(company=company)

    async def get_company(self, request: Request) -> Response:
        # INFERRED (docs repo: CRM CRUD by id): 404 "Company not found", 403 another account's.
        company_id = request.path_params["company_id"]
        return success(company=self.state.get(self.state.companies, company_id, "Company"))

    async def list_companies(self, request: Request) -> Response:
        # INFERRED names of the search and industry params.
        query = query_fields(request)
        teams = self.state.scope_teams(query.text("teamId"), query.text("accountSlug"))
        search = (query.text("search") or "").lower()
        industry = (query.text("industry") or "").lower()
        items = [
            c
            for c in self.state.in_team(self.state.companies, teams)
            if search in c["name"].lower()
            and (not industry or (c["industry"] or "").lower() == industry)
        ]
        page, meta = offset_page(items, query, TALKTURO)
        return success(companies=page, **meta)


_SEARCHED = ("first_name", "last_name", "email", "phone")
