"""
Talkturo's bulk recipes: contact and company imports.

A row's columns are the create method's declared fields (``fields_of(Contacts.create)``) but
those the job sets for every row: ``team_id``, and ``custom_fields`` (made of the
``custom.<name>`` columns). Each row is checked by those same fields, so it fails exactly as a
single create would, naming the field; unknown columns are ignored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from talkkit._fields import fields_of
from talkkit.bulk import BulkOperation, Prepared, parse_bool, row_values
from talkkit.errors import InvalidRequestError

if TYPE_CHECKING:
    from talkkit._options import RequestOptions
    from talkkit.talkturo._client import AsyncTalkturo

__all__ = ["companies_operation", "contacts_operation", "import_columns"]

_SET_BY_JOB = frozenset({"team_id", "custom_fields"})
_CUSTOM = "custom_fields"


def import_columns(create: Callable[..., object]) -> frozenset[str]:
    """The CSV columns an import through ``create`` reads (besides ``custom.<name>``)."""
    return fields_of(create).names() - _SET_BY_JOB


def _tags(field: str, value: Any) -> Any:
    """``vip;founder`` is two tags; a list is left for the field's own check."""
    if isinstance(value, str):
        return [tag.strip() for tag in value.split(";") if tag.strip()]
    return value


def _digest(values: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:24]


def contacts_operation(
    client: AsyncTalkturo,
    *,
    team_id: str | None,
    company_id: str | None,
    options: RequestOptions | None = None,
) -> BulkOperation[dict[str, Any]]:
    """Create Talkturo contacts. The API answers 409 for an email or phone already in the team."""
    team = client._team(team_id)
    # The class's own method (contacts.py imports this module, so not by name).
    create = type(client.contacts).create
    fields = fields_of(create)
    columns = import_columns(create)
    parse = {"do_not_call": parse_bool, "tags": _tags}

    def prepare(row: Any) -> Prepared[dict[str, Any]]:
        values = row_values(row, columns, parse=parse, custom=_CUSTOM)
        values.setdefault("company_id", company_id)
        try:
            payload = fields.check({**values, "team_id": team})
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

    async def send(payload: dict[str, Any]) -> str | None:
        return (await client.contacts.create(**payload, **(options or {}))).id

    return BulkOperation(
        name="talkturo.contacts.import",
        prepare=prepare,
        send=send,
        idempotent_by_key=True,
        scope={"base_url": client.base_url, "team_id": team},
    )


def companies_operation(
    client: AsyncTalkturo, *, team_id: str | None, options: RequestOptions | None = None
) -> BulkOperation[dict[str, Any]]:
    """
    Create Talkturo companies.

    The docs do not say the API refuses a second company of the same name, so an unclear
    create is never re-sent: it is reconciled by searching for the name instead.
    """
    team = client._team(team_id)
    create = type(client.companies).create
    fields = fields_of(create)
    columns = import_columns(create)

    def prepare(row: Any) -> Prepared[dict[str, Any]]:
        values = row_values(row, columns, custom=_CUSTOM)
        payload = fields.check({**values, "team_id": team})
        return Prepared(f"name:{payload['name'].casefold()}", payload, resendable=False)

    async def send(payload: dict[str, Any]) -> str | None:
        return (await client.companies.create(**payload, **(options or {}))).id

    async def reconcile(item: Prepared[dict[str, Any]], since: float) -> str | None:
        name = item.payload["name"]
        found = client.companies.list(team_id=team, search=name, max_items=200, **(options or {}))
        async for company in found:
            if company.name is not None and company.name.casefold() == name.casefold():
                return company.id
        return None

    return BulkOperation(
        name="talkturo.companies.import",
        prepare=prepare,
        send=send,
        idempotent_by_key=False,
        reconcile=reconcile,
        scope={"base_url": client.base_url, "team_id": team},
    )
