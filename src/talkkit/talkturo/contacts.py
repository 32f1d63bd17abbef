"""Talkturo ``/api/crm/contacts``: create and list."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit._validate import e164, iana_timezone, non_empty
from talkkit._validate import email as valid_email
from talkkit.bulk import BulkJob, BulkSummary
from talkkit.bulk._recipes import contacts_operation
from talkkit.pagination import AsyncPaginator, offset_paginator
from talkkit.talkturo._common import body, flag, mapping, page_size, path_id, strings
from talkkit.talkturo.types import Contact, LeadStatus

if TYPE_CHECKING:
    from talkkit.talkturo._client import AsyncTalkturo

__all__ = ["Contacts"]


def _text(field: str, value: str | None) -> str | None:
    return None if value is None else str(non_empty(field, value))


class Contacts(Resource):
    """CRM contacts. ``team_id`` defaults to the client's."""

    _client: AsyncTalkturo

    async def create(
        self,
        first_name: str,
        last_name: str,
        *,
        company_id: str,
        team_id: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        phone_secondary: str | None = None,
        job_title: str | None = None,
        lead_status: LeadStatus | str | None = None,
        source: str | None = None,
        timezone: str | None = None,
        preferred_contact_method: str | None = None,
        do_not_call: bool | None = None,
        notes: str | None = None,
        custom_fields: Mapping[str, object] | None = None,
        tags: Sequence[str] | None = None,
    ) -> Contact:
        """
        ``POST /api/crm/contacts``: create a contact (unsafe).

        A contact with the same email or phone already in the team answers 409
        (`ConflictError`): bulk imports count that as "skipped".

        Args:
            first_name: Given name.
            last_name: Family name.
            company_id: The company the contact belongs to (required by the API).
            team_id: Owning team (default: the client's).
            email: Email address.
            phone: E.164 (``+12025551234``).
            phone_secondary: E.164.
            job_title: Free text.
            lead_status: Default ``new``; common values in `LeadStatus` (others accepted).
            source: E.g. ``trade-show``, ``website``, ``referral``.
            timezone: IANA zone used for call scheduling.
            preferred_contact_method: E.g. ``phone``, ``email``.
            do_not_call: When true the contact is excluded from every campaign.
            notes: Free text.
            custom_fields: Key/value data (keys are sent as given).
            tags: Labels.

        Raises:
            InvalidRequestError: A bad phone, email, zone, flag or list (before sending).
        """
        payload = body(
            team_id=self._client._team(team_id),
            company_id=path_id("company_id", company_id),
            first_name=non_empty("first_name", first_name),
            last_name=non_empty("last_name", last_name),
            email=valid_email("email", email),
            phone=None if phone is None else e164("phone", phone),
            phone_secondary=None
            if phone_secondary is None
            else e164("phone_secondary", phone_secondary),
            job_title=job_title,
            lead_status=_text("lead_status", lead_status),
            source=source,
            timezone=None if timezone is None else iana_timezone("timezone", timezone),
            preferred_contact_method=_text("preferred_contact_method", preferred_contact_method),
            do_not_call=flag("do_not_call", do_not_call),
            notes=notes,
            custom_fields=mapping("custom_fields", custom_fields),
            tags=strings("tags", tags),
        )
        return await self._client.request_model(
            "POST", "/crm/contacts", Contact, key="contact", json=payload, safety=Safety.UNSAFE
        )

    def list(
        self,
        *,
        team_id: str | None = None,
        company_id: str | None = None,
        search: str | None = None,
        limit: int = 50,
        max_items: int | None = None,
    ) -> AsyncPaginator[Contact]:
        """
        ``GET /api/crm/contacts``: every matching contact, page by page (safe).

        Inferred endpoint and parameters (same path as create; ``companyId`` and ``search``
        as in the docs repo).

        Args:
            team_id: The team (default: the client's).
            company_id: Only contacts of this company.
            search: Text matched against names, email and phone.
            limit: Page size.
            max_items: Stop after this many contacts.
        """
        params = {
            "teamId": self._client._team(team_id),
            "companyId": None if company_id is None else path_id("company_id", company_id),
            "search": search,
        }
        return offset_paginator(
            self._client,
            "/crm/contacts",
            Contact,
            items_key="contacts",
            params=params,
            limit=page_size(limit, max_items),
            max_items=max_items,
        )

    def import_many(
        self,
        rows: Iterable[Mapping[str, object]] | AsyncIterable[Mapping[str, object]],
        *,
        team_id: str | None = None,
        company_id: str | None = None,
        concurrency: int = 16,
        journal: str | Path | None = None,
        retry_failed: bool = False,
        on_progress: Callable[[BulkSummary], object] | None = None,
    ) -> BulkJob[dict[str, Any]]:
        """
        Create many contacts concurrently; safe to re-run.

        A contact that already exists (409 for its email or phone) is ``skipped``. After an
        unclear failure the create is sent again — the API refuses a second contact with the
        same email or phone, so a 409 then means ours went through (``done``). A row with
        neither email nor phone cannot be deduped by the API and is never re-sent.

        Every row ends with exactly one outcome; the returned `BulkJob` runs when awaited
        (``summary = await job``) or streamed (``async with job.stream() as outcomes``).

        Args:
            rows: Mappings with the SDK's snake_case field names (a `csv.DictReader`, dicts),
                from any iterable or async iterable; columns ``custom.<name>`` become custom
                fields. Bad rows fail with the field named; the rest go on.
            concurrency: Requests in flight at most; the client's rate limiter paces them.
            journal: A SQLite file to resume from: a re-run skips finished rows.
            retry_failed: With a journal, send rows that failed in an earlier run again.
            on_progress: Called with the running `BulkSummary` after every row.
            company_id: The company of rows without a ``company_id`` column.
        """
        operation = contacts_operation(self._client, team_id=team_id, company_id=company_id)
        return BulkJob(
            rows,
            operation,
            concurrency=concurrency,
            journal=journal,
            retry_failed=retry_failed,
            on_progress=on_progress,
        )
