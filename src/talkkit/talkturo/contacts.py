"""Talkturo ``/api/crm/contacts``: create and list."""

from __future__ import annotations

from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, Unpack

from talkkit._fields import Doc, Field
from talkkit._options import ExtraOptions, RequestOptions, UnsafeRequestOptions
from talkkit._resource import Resource
from talkkit._validate import (
    e164,
    flag,
    iana_timezone,
    mapping,
    non_empty,
    path_id,
    strings,
    text,
)
from talkkit._validate import email as valid_email
from talkkit.bulk import BulkJob, BulkSummary, RedisJournal
from talkkit.pagination import AsyncPaginator
from talkkit.talkturo import _common as c
from talkkit.talkturo._bulk import contacts_operation, import_columns, import_job
from talkkit.talkturo.types import Contact, LeadStatus

if TYPE_CHECKING:
    from talkkit.talkturo._client import AsyncTalkturo

__all__ = ["IMPORT_COLUMNS", "Contacts"]

T = TypeVar("T")


class Contacts(Resource):
    """CRM contacts. ``team_id`` (or ``account_slug`` for lists) defaults to the client's."""

    _client: AsyncTalkturo

    async def create(
        self,
        first_name: Annotated[str, Doc("Given name."), Field(non_empty)],
        last_name: Annotated[str, Doc("Family name."), Field(non_empty)],
        *,
        company_id: Annotated[
            str, Doc("The company the contact belongs to (required by the API)."), Field(path_id)
        ],
        team_id: c.TeamId = None,
        email: Annotated[str | None, Doc("Email address."), Field(valid_email)] = None,
        phone: Annotated[str | None, Doc("E.164 (``+12025551234``)."), Field(e164)] = None,
        phone_secondary: Annotated[str | None, Doc("E.164."), Field(e164)] = None,
        job_title: Annotated[str | None, Doc("Free text."), Field(text())] = None,
        lead_status: Annotated[
            LeadStatus | str | None,
            Doc("Default ``new``; common values in `LeadStatus` (others accepted)."),
            Field(non_empty),
        ] = None,
        source: Annotated[
            str | None, Doc("E.g. ``trade-show``, ``website``, ``referral``."), Field(text())
        ] = None,
        timezone: Annotated[
            str | None, Doc("IANA zone used for call scheduling."), Field(iana_timezone)
        ] = None,
        preferred_contact_method: Annotated[
            str | None, Doc("E.g. ``phone``, ``email``."), Field(non_empty)
        ] = None,
        do_not_call: Annotated[
            bool | None,
            Doc("When true the contact is excluded from every campaign."),
            Field(flag),
        ] = None,
        notes: Annotated[str | None, Doc("Free text."), Field(text())] = None,
        custom_fields: Annotated[
            Mapping[str, object] | None,
            Doc("Key/value data (keys are sent as given)."),
            Field(mapping),
        ] = None,
        tags: Annotated[Sequence[str] | None, Doc("Labels."), Field(strings())] = None,
        **options: Unpack[UnsafeRequestOptions],
    ) -> Contact:
        """
        ``POST /api/crm/contacts``: create a contact (unsafe).

        A contact with the same email or phone already in the team answers 409
        (`ConflictError`): bulk imports count that as "skipped". These declared fields are
        also what a bulk import checks each row against (``fields_of(Contacts.create)``).

        Raises:
            InvalidRequestError: A bad phone, email, zone, flag or list (before sending).
        """
        values = {**locals(), "team_id": self._client._team(team_id)}
        return await self._post(self._client.fields(Contacts.create, values), options, Contact)

    def _post(self, body: dict[str, Any], options: ExtraOptions, into: type[T]) -> Awaitable[T]:
        """The create's request (`_common.post_create`): also a bulk import's, with `Created`."""
        return c.post_create(self._client, "/crm/contacts", Contact, body, options, into)

    def list(
        self,
        *,
        team_id: c.TeamScope = None,
        account_slug: c.AccountScope = None,
        company_id: Annotated[
            str | None, Doc("Only contacts of this company."), Field(path_id, into="query")
        ] = None,
        search: Annotated[
            str | None,
            Doc("Text matched against names, email and phone."),
            Field(text(), into="query"),
        ] = None,
        limit: c.PageLimit = 50,
        max_items: c.MaxItems = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Contact]:
        """
        ``GET /api/crm/contacts``: every matching contact, page by page (safe).

        Inferred endpoint and parameters (same path as create; ``teamId`` or ``accountSlug``
        as for companies; ``companyId`` and ``search`` as in the docs repo). One of ``teamId``
        or ``accountSlug`` is sent: an argument first (``team_id`` wins), then the client's
        ``team_id``, then its ``account_slug``.
        """
        return c.scoped_list(self._client, Contacts.list, locals(), "/crm/contacts", Contact)

    def import_many(
        self,
        rows: Iterable[Mapping[str, object]] | AsyncIterable[Mapping[str, object]],
        *,
        team_id: str | None = None,
        company_id: str | None = None,
        concurrency: int = 16,
        journal: str | Path | RedisJournal | None = None,
        retry_failed: bool = False,
        on_progress: Callable[[BulkSummary], object] | None = None,
        preflight: bool = True,
        **options: Unpack[RequestOptions],
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
            journal: A SQLite file to resume from: a re-run skips finished rows; or a Redis
                journal (`RedisJournal`, ``"redis://…"``) shared by many processes.
            retry_failed: With a journal, send rows that failed in an earlier run again.
            on_progress: Called with the running `BulkSummary` after every row.
            company_id: The company of rows without a ``company_id`` column.
            preflight: Before the first row, check the token, the team and ``company_id`` by
                listing the team's companies (usually one request). A failure raises
                `PreflightError` naming the setting, and nothing is sent. ``False`` skips the
                check.

        A 404 for the job's team or ``company_id`` stops the job (so does a refused token):
        the rows not yet sent end ``not_sent`` and a re-run with the journal sends them. A
        404 for a company a row names in its own ``company_id`` column fails only that row.
        """
        operation = contacts_operation(
            self._client, team_id=team_id, company_id=company_id, options=options
        )
        return import_job(operation, locals())


IMPORT_COLUMNS = import_columns(Contacts.create)
"""
The CSV columns `Contacts.import_many` reads: the fields of `create` but ``team_id`` (one for the
job) and ``custom_fields`` (the ``custom.<name>`` columns).
"""
