"""Talkturo ``/api/crm/campaigns``: list, create, get, update, start/stop, contacts."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit._validate import e164, hhmm, iana_timezone, non_empty, one_of
from talkkit.bulk import BulkSummary
from talkkit.bulk._campaign import CampaignDial, import_into_campaign
from talkkit.pagination import AsyncPaginator, offset_paginator
from talkkit.talkturo._common import body, page_size, path_id, positive_int, strings
from talkkit.talkturo.types import (
    Campaign,
    CampaignContactsAdded,
    CampaignRun,
    CampaignStatus,
    Contact,
)

if TYPE_CHECKING:
    from talkkit.talkturo._client import AsyncTalkturo

__all__ = ["Campaigns"]

_DELETED = ("exclude", "include", "only")
_STATUSES = tuple(s.value for s in CampaignStatus)


_CHECKS: dict[str, Callable[[str, Any], object]] = {
    "name": non_empty,
    "assistant_id": path_id,
    "company_id": path_id,
    "from_number": e164,
    "call_window_start": hhmm,
    "call_window_end": hhmm,
    "call_window_timezone": iana_timezone,
    "max_concurrent_calls": positive_int,
}


def _settings(**values: Any) -> dict[str, Any]:
    """Validate the settings shared by create and update; ``None`` means "not sent"."""
    checked = {
        k: v if v is None or k not in _CHECKS else _CHECKS[k](k, v) for k, v in values.items()
    }
    return body(**checked)


class Campaigns(Resource):
    """
    Outbound calling campaigns (``team_id`` defaults to the client's). Starting one dials real
    people: `start` is **unsafe** and never re-sent after it may have reached the server.
    """

    _client: AsyncTalkturo

    def list(
        self,
        *,
        team_id: str | None = None,
        status: CampaignStatus | str | None = None,
        assistant_id: str | None = None,
        deleted: str | None = None,
        limit: int = 50,
        max_items: int | None = None,
    ) -> AsyncPaginator[Campaign]:
        """
        ``GET /api/crm/campaigns``: every matching campaign, fetched page by page (safe).

        Args:
            team_id: The team (default: the client's).
            status: Only campaigns in this `CampaignStatus`.
            assistant_id: Only campaigns using this assistant.
            deleted: ``exclude`` (server default), ``include`` or ``only`` soft-deleted ones.
            limit: Page size (records per request).
            max_items: Stop after this many campaigns.

        Returns:
            An `AsyncPaginator`: ``async for`` over all items, or ``await .first_page()``.
        """
        params = {
            "teamId": self._client._team(team_id),
            "status": None if status is None else one_of("status", status, _STATUSES),
            "assistantId": None if assistant_id is None else path_id("assistant_id", assistant_id),
            "deleted": None if deleted is None else one_of("deleted", deleted, _DELETED),
        }
        return offset_paginator(
            self._client,
            "/crm/campaigns",
            Campaign,
            items_key="campaigns",
            params=params,
            limit=page_size(limit, max_items),
            max_items=max_items,
        )

    async def create(
        self,
        name: str,
        *,
        team_id: str | None = None,
        assistant_id: str | None = None,
        company_id: str | None = None,
        description: str | None = None,
        from_number: str | None = None,
        call_window_start: str | None = None,
        call_window_end: str | None = None,
        call_window_timezone: str | None = None,
        max_concurrent_calls: int | None = None,
    ) -> Campaign:
        """
        ``POST /api/crm/campaigns``: create a campaign in ``draft`` (unsafe).

        Inferred body (the docs show no table): the camelCase mirror of the campaign
        object. Unset settings take the server's defaults (dashboard: 09:00–17:00
        ``America/New_York``).

        Args:
            name: Campaign name.
            team_id: Owning team (default: the client's).
            assistant_id: The outbound assistant that makes the calls.
            company_id: Company the campaign belongs to.
            description: Free text.
            from_number: Caller ID in E.164 (``+12025551234``).
            call_window_start: Daily start, ``HH:MM``.
            call_window_end: Daily end, ``HH:MM``.
            call_window_timezone: IANA zone of the window (``America/New_York``).
            max_concurrent_calls: Calls in parallel (at least 1).

        Raises:
            InvalidRequestError: A bad window time, zone, number or count (before sending).
        """
        payload = {
            "teamId": self._client._team(team_id),
            **_settings(
                name=non_empty("name", name),
                description=description,
                assistant_id=assistant_id,
                company_id=company_id,
                from_number=from_number,
                call_window_start=call_window_start,
                call_window_end=call_window_end,
                call_window_timezone=call_window_timezone,
                max_concurrent_calls=max_concurrent_calls,
            ),
        }
        return await self._client.request_model(
            "POST", "/crm/campaigns", Campaign, key="campaign", json=payload, safety=Safety.UNSAFE
        )

    async def get(self, campaign_id: str) -> Campaign:
        """``GET /api/crm/campaigns/{id}``: one campaign (safe). Inferred endpoint: docs repo."""
        path = f"/crm/campaigns/{path_id('campaign_id', campaign_id)}"
        return await self._client.request_model("GET", path, Campaign, key="campaign")

    async def update(
        self,
        campaign_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        assistant_id: str | None = None,
        company_id: str | None = None,
        from_number: str | None = None,
        call_window_start: str | None = None,
        call_window_end: str | None = None,
        call_window_timezone: str | None = None,
        max_concurrent_calls: int | None = None,
    ) -> Campaign:
        """
        ``PATCH /api/crm/campaigns/{id}``: change only the fields passed (idempotent).

        Inferred endpoint: docs repo. ``None`` means "leave unchanged". The call window
        cannot change while the campaign is ``running``: stop (pause) it first.
        """
        payload = _settings(
            name=name,
            description=description,
            assistant_id=assistant_id,
            company_id=company_id,
            from_number=from_number,
            call_window_start=call_window_start,
            call_window_end=call_window_end,
            call_window_timezone=call_window_timezone,
            max_concurrent_calls=max_concurrent_calls,
        )
        path = f"/crm/campaigns/{path_id('campaign_id', campaign_id)}"
        return await self._client.request_model(
            "PATCH", path, Campaign, key="campaign", json=payload, safety=Safety.IDEMPOTENT
        )

    async def start(self, campaign_id: str) -> CampaignRun:
        """
        ``POST /api/crm/campaigns/{id}/run`` ``{"action": "start"}``: start dialing (UNSAFE).

        Inferred endpoint: docs repo. Never retried once it may have reached the server;
        after an `OutcomeUnknownError`, `get` the campaign and check its ``status``.
        """
        return await self._run(campaign_id, "start", Safety.UNSAFE)

    async def stop(self, campaign_id: str) -> CampaignRun:
        """
        ``POST /api/crm/campaigns/{id}/run`` ``{"action": "stop"}``: stop dialing.

        Inferred endpoint: docs repo. Idempotent: it sets a state, so it may be retried.
        """
        return await self._run(campaign_id, "stop", Safety.IDEMPOTENT)

    async def _run(self, campaign_id: str, action: str, safety: Safety) -> CampaignRun:
        path = f"/crm/campaigns/{path_id('campaign_id', campaign_id)}/run"
        return await self._client.request_model(
            "POST", path, CampaignRun, json={"action": action}, safety=safety
        )

    async def add_contacts(
        self, campaign_id: str, contact_ids: Sequence[str]
    ) -> CampaignContactsAdded:
        """
        ``POST /api/crm/campaigns/{id}/contacts``: add contacts to the call list (unsafe).

        Inferred endpoint and body: docs repo (a ``contacts`` array, sent as contact ids).
        Unsafe: a second delivery could queue the same people twice.
        """
        ids = strings("contact_ids", contact_ids, allow_empty=False, required=True)
        path = f"/crm/campaigns/{path_id('campaign_id', campaign_id)}/contacts"
        return await self._client.request_model(
            "POST", path, CampaignContactsAdded, json={"contacts": ids}, safety=Safety.UNSAFE
        )

    def list_contacts(
        self, campaign_id: str, *, limit: int = 50, max_items: int | None = None
    ) -> AsyncPaginator[Contact]:
        """
        ``GET /api/crm/campaigns/{id}/contacts``: the call list, page by page (safe).

        Inferred endpoint: docs repo.
        """
        path = f"/crm/campaigns/{path_id('campaign_id', campaign_id)}/contacts"
        return offset_paginator(
            self._client,
            path,
            Contact,
            items_key="contacts",
            limit=page_size(limit, max_items),
            max_items=max_items,
        )

    async def dial(
        self,
        campaign_id: str,
        rows: Iterable[Mapping[str, object]] | AsyncIterable[Mapping[str, object]],
        *,
        company_id: str | None = None,
        team_id: str | None = None,
        concurrency: int = 16,
        journal: str | Path | None = None,
        start: bool = True,
        on_progress: Callable[[BulkSummary], object] | None = None,
    ) -> CampaignDial:
        """
        Import contacts (as `Contacts.import_many`), put them on the call list, start dialing.

        Contacts already in the CRM are found and added too. Only contacts missing from the
        call list are added, an unclear "add" is checked against the list before anything is
        added again, and a start whose answer was lost is confirmed by the campaign's status:
        nobody is queued or called twice. Inferred endpoints (docs repo): contacts and run.
        """
        return await import_into_campaign(
            self._client,
            campaign_id,
            rows,
            company_id=company_id,
            team_id=team_id,
            concurrency=concurrency,
            journal=journal,
            start=start,
            on_progress=on_progress,
        )
