"""
Talkturo's bulk recipes: contact and company imports.

A row's columns are the create method's declared fields (``fields_of(Contacts.create)``) but
those the job sets for every row: ``team_id``, and ``custom_fields`` (made of the
``custom.<name>`` columns). Each row is checked by those same fields, so it fails exactly as a
single create would, naming the field; unknown columns are ignored.

Before the first row (the preflight), the token, the team and the job's company are checked by
listing the team's companies: the API documents no read of one team or one company.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from talkkit._fields import fields_of
from talkkit._model import Created
from talkkit._preflight import check_setting
from talkkit.bulk import BulkJob, BulkOperation, Prepared, parse_bool, row_values
from talkkit.errors import InvalidRequestError, NotFoundError, PreflightError, TalkkitError

if TYPE_CHECKING:
    from talkkit._options import RequestOptions
    from talkkit.talkturo._client import AsyncTalkturo
    from talkkit.talkturo.companies import Companies
    from talkkit.talkturo.contacts import Contacts

__all__ = ["companies_operation", "contacts_operation", "import_columns", "import_job"]

_SET_BY_JOB = frozenset({"team_id", "custom_fields"})
_CUSTOM = "custom_fields"
_JOB_SETTINGS = ("concurrency", "journal", "retry_failed", "on_progress", "preflight")
_PREFLIGHT_PAGE = 100  # companies per request while looking for the job's company (INFERRED size)


def import_columns(create: Callable[..., object]) -> frozenset[str]:
    """The CSV columns an import through ``create`` reads (besides ``custom.<name>``)."""
    return fields_of(create).names() - _SET_BY_JOB


def import_job(
    operation: BulkOperation[dict[str, Any]], call: Mapping[str, Any], **more: Any
) -> BulkJob[dict[str, Any]]:
    """
    The job of an ``import_many`` call: ``operation`` over its ``rows``, with its
    ``concurrency``, ``journal``, ``retry_failed``, ``on_progress`` and ``preflight``
    (``call`` is its ``locals()``), and ``more`` `BulkJob` settings.
    """
    settings = {name: call[name] for name in _JOB_SETTINGS}
    return BulkJob(call["rows"], operation, **settings, **more)


def _tags(field: str, value: Any) -> Any:
    """``vip;founder`` is two tags; a list is left for the field's own check."""
    if isinstance(value, str):
        return [tag.strip() for tag in value.split(";") if tag.strip()]
    return value


def _digest(values: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:24]


class _Import:
    """What both imports share: one team, and a create per row checked by the create's fields."""

    def __init__(
        self,
        client: AsyncTalkturo,
        resource: Contacts | Companies,
        team_id: str | None,
        options: RequestOptions | None,
    ) -> None:
        self.client = client
        self.resource = resource
        self.team = client._team(team_id)
        self.options: RequestOptions = options or {}
        # The class's own method (its module imports this one, so not by name).
        self.create = type(resource).create
        self.fields = fields_of(self.create)
        self.columns = import_columns(self.create)

    def check(self, values: dict[str, Any]) -> dict[str, Any]:
        """A row's values (`row_values`, changed in place) checked in the job's team."""
        values["team_id"] = self.team
        return self.fields.check(values)

    async def send(self, payload: dict[str, Any]) -> str | None:
        """Create one checked row (named for the wire, not checked again); the new object's id."""
        body = self.client.fields(self.create, payload, checked=True)
        return (await self.resource._post(body, self.options, Created)).id

    async def check_parents(self, company_id: str | None = None) -> None:
        """
        The preflight: the token and the team, and the job's company when it names one.

        One request (``GET /crm/companies?teamId=…&limit=1``) without a company. With one,
        the team's companies are read page by page until it shows up: usually one request,
        more only for a team with many companies. INFERRED: an unknown team answers 404 and
        another account's 403, as they do to a create.

        Raises:
            PreflightError: ``token``, ``team_id`` or ``company_id`` (not in the team).
        """
        client = self.client

        async def find() -> bool:
            if company_id is None:
                await client.companies.list(
                    team_id=self.team, limit=1, max_items=1, **self.options
                ).first_page()
                return True
            companies = client.companies.list(
                team_id=self.team, limit=_PREFLIGHT_PAGE, **self.options
            )
            async for company in companies:
                if company.id == company_id:
                    return True
            return False

        if not await check_setting("team_id", self.team, find()):
            raise PreflightError("company_id", f"not found in team {self.team}", value=company_id)

    def operation(
        self,
        name: str,
        prepare: Callable[[Any], Prepared[dict[str, Any]]],
        *,
        idempotent_by_key: bool,
        preflight: Callable[[], Awaitable[None]],
        reconcile: Callable[[Prepared[dict[str, Any]], float], Awaitable[str | None]] | None = None,
        stops_job: Callable[[Prepared[dict[str, Any]], TalkkitError], bool] | None = None,
    ) -> BulkOperation[dict[str, Any]]:
        """The import as the engine runs it, journaled per base URL and team."""
        return BulkOperation(
            name=name,
            prepare=prepare,
            send=self.send,
            idempotent_by_key=idempotent_by_key,
            reconcile=reconcile,
            scope={"base_url": self.client.base_url, "team_id": self.team},
            preflight=preflight,
            stops_job=stops_job,
            starts_together=self.client._starts_together,
        )


def contacts_operation(
    client: AsyncTalkturo,
    *,
    team_id: str | None,
    company_id: str | None,
    options: RequestOptions | None = None,
) -> BulkOperation[dict[str, Any]]:
    """
    Create Talkturo contacts. The API answers 409 for an email or phone already in the team.

    Preflight: the token, the team and ``company_id`` (when given). A 404 answered to a row
    stops the job only when it is about the job's team or company, not about a company the
    row names in its own ``company_id`` column.
    """
    recipe = _Import(client, client.contacts, team_id, options)
    parse = {"do_not_call": parse_bool, "tags": _tags}
    job_company = company_id.strip() if isinstance(company_id, str) else None  # as rows send it

    def prepare(row: Any) -> Prepared[dict[str, Any]]:
        values = row_values(row, recipe.columns, parse=parse, custom=_CUSTOM)
        values.setdefault("company_id", company_id)
        try:
            payload = recipe.check(values)
        except InvalidRequestError as exc:
            if exc.field == "company_id" and values["company_id"] is None:
                raise InvalidRequestError(
                    "company_id", "is required (a column, or --company-id for every row)"
                ) from None
            raise
        if "email" in payload:
            return Prepared(f"email:{payload['email'].lower()}", payload)
        if "phone" in payload:
            return Prepared(f"phone:{payload['phone']}", payload)
        # No natural key: the API cannot tell a re-send from a new contact.
        return Prepared(f"row:{_digest(payload)}", payload, resendable=False)

    async def preflight() -> None:
        await recipe.check_parents(job_company)

    def stops_job(item: Prepared[dict[str, Any]], error: TalkkitError) -> bool:
        if not isinstance(error, NotFoundError):
            return False
        if item.payload.get("company_id") == job_company:
            return True  # the job's own company (or its team)
        # The row names its own company: a 404 that speaks of a company is that row's
        # ("Company not found"); any other is the team's or the endpoint's. INFERRED: the
        # docs give no error codes for a missing parent, only the message.
        return "company" not in error.message.lower()

    return recipe.operation(
        "talkturo.contacts.import",
        prepare,
        idempotent_by_key=True,
        preflight=preflight,
        stops_job=stops_job,
    )


def companies_operation(
    client: AsyncTalkturo, *, team_id: str | None, options: RequestOptions | None = None
) -> BulkOperation[dict[str, Any]]:
    """
    Create Talkturo companies.

    The docs do not say the API refuses a second company of the same name, so an unclear
    create is never re-sent: it is reconciled by searching for the name instead. Preflight: the
    token and the team (any 404 answered to a row is about the team: the job stops).
    """
    recipe = _Import(client, client.companies, team_id, options)

    def prepare(row: Any) -> Prepared[dict[str, Any]]:
        payload = recipe.check(row_values(row, recipe.columns, custom=_CUSTOM))
        return Prepared(f"name:{payload['name'].casefold()}", payload, resendable=False)

    async def reconcile(item: Prepared[dict[str, Any]], since: float) -> str | None:
        name = item.payload["name"]
        found = client.companies.list(
            team_id=recipe.team, search=name, max_items=200, **recipe.options
        )
        async for company in found:
            if company.name is not None and company.name.casefold() == name.casefold():
                return company.id
        return None

    return recipe.operation(
        "talkturo.companies.import",
        prepare,
        idempotent_by_key=False,
        preflight=recipe.check_parents,
        reconcile=reconcile,
    )
