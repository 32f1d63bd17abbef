"""Talkturo ``/api/crm/campaigns``: list, create, get, update, delete, start/stop, contacts."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar, Unpack

from talkkit._fields import Doc, Field
from talkkit._options import RequestOptions, UnsafeRequestOptions
from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit._validate import (
    choice,
    e164,
    hhmm,
    iana_timezone,
    non_empty,
    path_id,
    strings,
    text,
)
from talkkit.bulk import BulkSummary, RedisJournal
from talkkit.pagination import AsyncPaginator, offset_paginator
from talkkit.talkturo._campaign_dial import CampaignDial, import_into_campaign
from talkkit.talkturo._common import TeamId, page_size, positive_int
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

# The settings create and update share (``None``: not sent).
_Name = TypeVar("_Name", str, str | None)
CampaignName = Annotated[_Name, Doc("Campaign name."), Field(non_empty)]
"""Required on create (``CampaignName[str]``), optional on update."""
Description = Annotated[str | None, Doc("Free text."), Field(text())]
AssistantId = Annotated[
    str | None, Doc("The outbound assistant that makes the calls."), Field(path_id)
]
CompanyId = Annotated[str | None, Doc("Company the campaign belongs to."), Field(path_id)]
FromNumber = Annotated[str | None, Doc("Caller ID in E.164 (``+12025551234``)."), Field(e164)]
WindowStart = Annotated[str | None, Doc("Daily start, ``HH:MM``."), Field(hhmm)]
WindowEnd = Annotated[str | None, Doc("Daily end, ``HH:MM``."), Field(hhmm)]
WindowTimezone = Annotated[
    str | None, Doc("IANA zone of the window (``America/New_York``)."), Field(iana_timezone)
]
MaxConcurrentCalls = Annotated[
    int | None, Doc("Calls in parallel (at least 1)."), Field(positive_int)
]


def _path(campaign_id: str, tail: str = "") -> str:
    return f"/crm/campaigns/{path_id('campaign_id', campaign_id)}{tail}"


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
        status: Annotated[
            CampaignStatus | str | None,
            Doc("Only campaigns in this `CampaignStatus`."),
            Field(choice(CampaignStatus), into="query"),
        ] = None,
        assistant_id: Annotated[
            str | None, Doc("Only campaigns using this assistant."), Field(path_id, into="query")
        ] = None,
        deleted: Annotated[
            str | None,
            Doc("``exclude`` (server default), ``include`` or ``only`` soft-deleted ones."),
            Field(choice(_DELETED), into="query"),
        ] = None,
        limit: int = 50,
        max_items: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Campaign]:
        """
        ``GET /api/crm/campaigns``: every matching campaign, fetched page by page (safe).

        Args:
            team_id: The team (default: the client's).
            limit: Page size (records per request).
            max_items: Stop after this many campaigns.

        Returns:
            An `AsyncPaginator`: ``async for`` over all items, or ``await .first_page()``.
        """
        params = {
            "teamId": self._client._team(team_id),
            **self._client.fields(Campaigns.list, locals(), into="query"),
        }
        return offset_paginator(
            self._client,
            "/crm/campaigns",
            Campaign,
            params=params,
            limit=page_size(limit, max_items),
            max_items=max_items,
            options=options,
        )

    async def create(
        self,
        name: CampaignName[str],
        *,
        team_id: TeamId = None,
        assistant_id: AssistantId = None,
        company_id: CompanyId = None,
        description: Description = None,
        from_number: FromNumber = None,
        call_window_start: WindowStart = None,
        call_window_end: WindowEnd = None,
        call_window_timezone: WindowTimezone = None,
        max_concurrent_calls: MaxConcurrentCalls = None,
        **options: Unpack[UnsafeRequestOptions],
    ) -> Campaign:
        """
        ``POST /api/crm/campaigns``: create a campaign in ``draft`` (unsafe).

        Inferred body (the docs show no table): the camelCase mirror of the campaign
        object. Unset settings take the server's defaults (dashboard: 09:00–17:00
        ``America/New_York``).

        Raises:
            InvalidRequestError: A bad window time, zone, number or count (before sending).
        """
        values = {**locals(), "team_id": self._client._team(team_id)}
        body = self._client.fields(Campaigns.create, values)
        return await self._client.request_model(
            "POST", "/crm/campaigns", Campaign, json=body, safety=Safety.UNSAFE, options=options
        )

    async def get(self, campaign_id: str, **options: Unpack[RequestOptions]) -> Campaign:
        """``GET /api/crm/campaigns/{id}``: one campaign (safe). Inferred endpoint: docs repo."""
        return await self._client.request_model(
            "GET", _path(campaign_id), Campaign, options=options
        )

    async def update(
        self,
        campaign_id: str,
        *,
        name: CampaignName[str | None] = None,
        description: Description = None,
        assistant_id: AssistantId = None,
        company_id: CompanyId = None,
        from_number: FromNumber = None,
        call_window_start: WindowStart = None,
        call_window_end: WindowEnd = None,
        call_window_timezone: WindowTimezone = None,
        max_concurrent_calls: MaxConcurrentCalls = None,
        **options: Unpack[RequestOptions],
    ) -> Campaign:
        """
        ``PATCH /api/crm/campaigns/{id}``: change only the fields passed (idempotent).

        Inferred endpoint: docs repo. ``None`` means "leave unchanged". The call window
        cannot change while the campaign is ``running``: stop (pause) it first.
        """
        payload = self._client.fields(Campaigns.update, locals())
        path = _path(campaign_id)
        return await self._client.request_model(
            "PATCH", path, Campaign, json=payload, safety=Safety.IDEMPOTENT, options=options
        )

    async def delete(self, campaign_id: str, **options: Unpack[RequestOptions]) -> None:
        """
        ``DELETE /api/crm/campaigns/{id}``: delete a campaign (idempotent, so retried).

        Inferred endpoint: docs repo. Deletion is soft: ``list(deleted="only")`` still shows
        the campaign, with its ``deleted_at``.

        Raises:
            NotFoundError: No such campaign (also what a retry of a delete that went through
                sees).
        """
        path = _path(campaign_id)
        await self._client.request_json("DELETE", path, safety=Safety.IDEMPOTENT, options=options)

    async def start(self, campaign_id: str, **options: Unpack[UnsafeRequestOptions]) -> CampaignRun:
        """
        ``POST /api/crm/campaigns/{id}/run`` ``{"action": "start"}``: start dialing (UNSAFE).

        Inferred endpoint: docs repo. Never retried once it may have reached the server;
        after an `OutcomeUnknownError`, `get` the campaign and check its ``status``.
        """
        return await self._run(campaign_id, "start", Safety.UNSAFE, options)

    async def stop(self, campaign_id: str, **options: Unpack[RequestOptions]) -> CampaignRun:
        """
        ``POST /api/crm/campaigns/{id}/run`` ``{"action": "stop"}``: stop dialing.

        Inferred endpoint: docs repo. Idempotent: it sets a state, so it may be retried.
        """
        return await self._run(campaign_id, "stop", Safety.IDEMPOTENT, options)

    async def _run(
        self, campaign_id: str, action: str, safety: Safety, options: RequestOptions
    ) -> CampaignRun:
        path = _path(campaign_id, "/run")
        return await self._client.request_model(
            "POST", path, CampaignRun, json={"action": action}, safety=safety, options=options
        )

    async def add_contacts(
        self,
        campaign_id: str,
        contact_ids: Annotated[
            Sequence[str],
            Doc("The contacts to queue, by id (at least one)."),
            Field(strings(min_items=1), wire="contacts"),
        ],
        **options: Unpack[UnsafeRequestOptions],
    ) -> CampaignContactsAdded:
        """
        ``POST /api/crm/campaigns/{id}/contacts``: add contacts to the call list (unsafe).

        Inferred endpoint and body: docs repo (a ``contacts`` array, sent as contact ids).
        Unsafe: a second delivery could queue the same people twice.
        """
        payload = self._client.fields(Campaigns.add_contacts, locals())
        path = _path(campaign_id, "/contacts")
        return await self._client.request_model(
            "POST", path, CampaignContactsAdded, json=payload, safety=Safety.UNSAFE, options=options
        )

    def list_contacts(
        self,
        campaign_id: str,
        *,
        limit: int = 50,
        max_items: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Contact]:
        """
        ``GET /api/crm/campaigns/{id}/contacts``: the call list, page by page (safe).

        Inferred endpoint: docs repo.
        """
        path = _path(campaign_id, "/contacts")
        return offset_paginator(
            self._client,
            path,
            Contact,
            limit=page_size(limit, max_items),
            max_items=max_items,
            options=options,
        )

    async def dial(
        self,
        campaign_id: str,
        rows: Iterable[Mapping[str, object]] | AsyncIterable[Mapping[str, object]],
        *,
        company_id: str | None = None,
        team_id: str | None = None,
        concurrency: int = 16,
        journal: str | Path | RedisJournal | None = None,
        start: bool = True,
        on_progress: Callable[[BulkSummary], object] | None = None,
        preflight: bool = True,
        **options: Unpack[RequestOptions],
    ) -> CampaignDial:
        """
        Import contacts (as `Contacts.import_many`), put them on the call list, start dialing.

        Contacts already in the CRM are found and added too. Only contacts missing from the
        call list are added, an unclear "add" is checked against the list before anything is
        added again, and a start whose answer was lost is confirmed by the campaign's status:
        nobody is queued or called twice. Inferred endpoints (docs repo): contacts and run.
        An import that stopped on a job-level error (a refused token, its company gone, a storm
        of server errors) does not start the campaign: run it again (with the journal) to send
        the rows not sent, then it starts.

        Args:
            preflight: Before anything is sent, check that the campaign exists (`get`), then
                the token, the team and ``company_id`` as `Contacts.import_many` does.

        Raises:
            PreflightError: A check failed, naming the setting (``campaign_id``,
                ``company_id``, ``team_id``, or ``token``); nothing was sent.
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
            preflight=preflight,
            options=options,
        )
