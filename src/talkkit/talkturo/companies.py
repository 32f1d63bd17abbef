"""Talkturo ``/api/crm/companies``: create and list."""

from __future__ import annotations

from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, Unpack

from talkkit._fields import Doc, Field
from talkkit._options import ExtraOptions, RequestOptions, UnsafeRequestOptions
from talkkit._resource import Resource
from talkkit._validate import e164, mapping, non_empty, text
from talkkit.bulk import BulkJob, BulkSummary, RedisJournal
from talkkit.pagination import AsyncPaginator
from talkkit.talkturo import _common as c
from talkkit.talkturo._bulk import companies_operation, import_columns, import_job
from talkkit.talkturo.types import Company

if TYPE_CHECKING:
    from talkkit.talkturo._client import AsyncTalkturo

__all__ = ["IMPORT_COLUMNS", "Companies"]

T = TypeVar("T")


class Companies(Resource):
    """CRM companies. ``team_id`` (or ``account_slug`` for lists) defaults to the client's."""

    _client: AsyncTalkturo

    async def create(
        self,
        name: Annotated[str, Doc("Company name."), Field(non_empty)],
        *,
        team_id: c.TeamId = None,
        website: Annotated[str | None, Doc("URL."), Field(text())] = None,
        industry: Annotated[str | None, Doc("Free text."), Field(text())] = None,
        company_size: Annotated[
            str | None, Doc("E.g. ``1-10``, ``51-200``, ``1000+``."), Field(text())
        ] = None,
        address_line1: Annotated[str | None, Doc("Street address."), Field(text())] = None,
        address_line2: Annotated[str | None, Doc("Second address line."), Field(text())] = None,
        city: Annotated[str | None, Doc("City."), Field(text())] = None,
        state: Annotated[str | None, Doc("State or region."), Field(text())] = None,
        postal_code: Annotated[str | None, Doc("Postal code."), Field(text())] = None,
        country: Annotated[
            str | None, Doc("Country code, e.g. ``US``, ``GB``, ``DE``."), Field(text())
        ] = None,
        phone: Annotated[str | None, Doc("E.164."), Field(e164)] = None,
        notes: Annotated[str | None, Doc("Free text."), Field(text())] = None,
        custom_fields: Annotated[
            Mapping[str, object] | None,
            Doc("Key/value data (keys are sent as given)."),
            Field(mapping),
        ] = None,
        **options: Unpack[UnsafeRequestOptions],
    ) -> Company:
        """
        ``POST /api/crm/companies``: create a company (unsafe; 409 `ConflictError` if it exists).

        Raises:
            InvalidRequestError: A blank name, a bad phone or custom fields (before sending).
        """
        values = {**locals(), "team_id": self._client._team(team_id)}
        return await self._post(self._client.fields(Companies.create, values), options, Company)

    def _post(self, body: dict[str, Any], options: ExtraOptions, into: type[T]) -> Awaitable[T]:
        """The create's request (`_common.post_create`): also a bulk import's, with `Created`."""
        return c.post_create(self._client, "/crm/companies", Company, body, options, into)

    def list(
        self,
        *,
        team_id: c.TeamScope = None,
        account_slug: c.AccountScope = None,
        search: Annotated[
            str | None, Doc("Text matched against company names."), Field(text(), into="query")
        ] = None,
        industry: Annotated[
            str | None, Doc("Only companies of this industry."), Field(text(), into="query")
        ] = None,
        limit: c.PageLimit = 50,
        max_items: c.MaxItems = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Company]:
        """
        ``GET /api/crm/companies``: every matching company, page by page (safe).

        One of ``teamId`` or ``accountSlug`` is sent: an argument first (``team_id`` wins),
        then the client's ``team_id``, then its ``account_slug``. The names ``search`` and
        ``industry`` are INFERRED.
        """
        return c.scoped_list(self._client, Companies.list, locals(), "/crm/companies", Company)

    def import_many(
        self,
        rows: Iterable[Mapping[str, object]] | AsyncIterable[Mapping[str, object]],
        *,
        team_id: str | None = None,
        concurrency: int = 16,
        journal: str | Path | RedisJournal | None = None,
        retry_failed: bool = False,
        on_progress: Callable[[BulkSummary], object] | None = None,
        preflight: bool = True,
        reconcile_grace: float = 60.0,
        **options: Unpack[RequestOptions],
    ) -> BulkJob[dict[str, Any]]:
        """
        Create many companies concurrently; safe to re-run.

        A 409 is ``skipped``. The docs do not promise that a second company of the same name
        is refused, so an unclear create is not re-sent: it is looked up by name at once and,
        when not there yet, once more at the end of the job, ``reconcile_grace`` seconds after
        its attempt. Found: ``done``. Still not there: ``not_placed`` (not created); a run
        with the same journal and ``retry_failed`` creates it then. ``unknown`` only when the
        search itself fails.

        Every row ends with exactly one outcome; the returned `BulkJob` runs when awaited
        (``summary = await job``) or streamed (``async with job.stream() as outcomes``).

        Args:
            rows: Mappings with the SDK's snake_case field names (a `csv.DictReader`, dicts),
                from any iterable or async iterable; columns ``custom.<name>`` become custom
                fields. Bad rows fail with the field named; the rest go on.
            concurrency: Requests in flight at most; the client's rate limiter paces them.
            journal: A SQLite file to resume from: a re-run skips finished rows; or a Redis
                journal (`RedisJournal`, ``"redis://…"``) shared by many processes.
            retry_failed: With a journal, send rows that failed in an earlier run again, and
                create those it reported ``not_placed``.
            on_progress: Called with the running `BulkSummary` after every row.
            preflight: Before the first row, check the token and the team (one request); a
                failure raises `PreflightError` naming the setting, and nothing is sent.
                ``False`` skips the check.
            reconcile_grace: Seconds after an unclear create before a company the search
                does not show counts as ``not_placed``.
        """
        operation = companies_operation(self._client, team_id=team_id, options=options)
        # A company that was not created is safe to create again: retry_failed covers it.
        return import_job(
            operation, locals(), reconcile_grace=reconcile_grace, redial_not_placed=retry_failed
        )


IMPORT_COLUMNS = import_columns(Companies.create)
"""
The CSV columns `Companies.import_many` reads: the fields of `create` but ``team_id`` (one for the
job) and ``custom_fields`` (the ``custom.<name>`` columns).
"""
