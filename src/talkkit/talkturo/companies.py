"""Talkturo ``/api/crm/companies``: create and list."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit._validate import e164, non_empty
from talkkit.bulk import BulkJob, BulkSummary
from talkkit.bulk._recipes import companies_operation
from talkkit.pagination import AsyncPaginator, offset_paginator
from talkkit.talkturo._common import body, mapping, page_size
from talkkit.talkturo.types import Company

if TYPE_CHECKING:
    from talkkit.talkturo._client import AsyncTalkturo

__all__ = ["Companies"]


class Companies(Resource):
    """CRM companies. ``team_id`` (or ``account_slug`` for lists) defaults to the client's."""

    _client: AsyncTalkturo

    async def create(
        self,
        name: str,
        *,
        team_id: str | None = None,
        website: str | None = None,
        industry: str | None = None,
        company_size: str | None = None,
        address_line1: str | None = None,
        address_line2: str | None = None,
        city: str | None = None,
        state: str | None = None,
        postal_code: str | None = None,
        country: str | None = None,
        phone: str | None = None,
        notes: str | None = None,
        custom_fields: Mapping[str, object] | None = None,
    ) -> Company:
        """
        ``POST /api/crm/companies``: create a company (unsafe; 409 `ConflictError` if it exists).

        Args:
            name: Company name.
            team_id: Owning team (default: the client's).
            website: URL.
            industry: Free text.
            company_size: E.g. ``1-10``, ``51-200``, ``1000+``.
            address_line1: Street address.
            address_line2: Second address line.
            city: City.
            state: State or region.
            postal_code: Postal code.
            country: Country code, e.g. ``US``, ``GB``, ``DE``.
            phone: E.164.
            notes: Free text.
            custom_fields: Key/value data (keys are sent as given).

        Raises:
            InvalidRequestError: A blank name, a bad phone or custom fields (before sending).
        """
        payload = body(
            team_id=self._client._team(team_id),
            name=non_empty("name", name),
            website=website,
            industry=industry,
            company_size=company_size,
            address_line1=address_line1,
            address_line2=address_line2,
            city=city,
            state=state,
            postal_code=postal_code,
            country=country,
            phone=None if phone is None else e164("phone", phone),
            notes=notes,
            custom_fields=mapping("custom_fields", custom_fields),
        )
        return await self._client.request_model(
            "POST", "/crm/companies", Company, key="company", json=payload, safety=Safety.UNSAFE
        )

    def list(
        self,
        *,
        team_id: str | None = None,
        account_slug: str | None = None,
        search: str | None = None,
        industry: str | None = None,
        limit: int = 50,
        max_items: int | None = None,
    ) -> AsyncPaginator[Company]:
        """
        ``GET /api/crm/companies``: every matching company, page by page (safe).

        One of ``teamId`` or ``accountSlug`` is sent: an argument first (``team_id`` wins),
        then the client's ``team_id``, then its ``account_slug``. The names ``search`` and
        ``industry`` are INFERRED.

        Args:
            team_id: The team.
            account_slug: Every team of this account.
            search: Text matched against company names.
            industry: Only companies of this industry.
            limit: Page size.
            max_items: Stop after this many companies.
        """
        params = {
            **self._client._scope(team_id, account_slug),
            "search": search,
            "industry": industry,
        }
        return offset_paginator(
            self._client,
            "/crm/companies",
            Company,
            items_key="companies",
            params=params,
            limit=page_size(limit, max_items),
            max_items=max_items,
        )

    def import_many(
        self,
        rows: Iterable[Mapping[str, object]] | AsyncIterable[Mapping[str, object]],
        *,
        team_id: str | None = None,
        concurrency: int = 16,
        journal: str | Path | None = None,
        retry_failed: bool = False,
        on_progress: Callable[[BulkSummary], object] | None = None,
    ) -> BulkJob[dict[str, Any]]:
        """
        Create many companies concurrently; safe to re-run.

        A 409 is ``skipped``. The docs do not promise that a second company of the same name
        is refused, so an unclear create is not re-sent: it is looked up by name instead, and
        stays ``unknown`` only when it cannot be found.

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
        """
        operation = companies_operation(self._client, team_id=team_id)
        return BulkJob(
            rows,
            operation,
            concurrency=concurrency,
            journal=journal,
            retry_failed=retry_failed,
            on_progress=on_progress,
        )
