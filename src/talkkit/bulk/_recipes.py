"""
The ready-made bulk operations: contact and company imports (Talkturo), call dialing (Talkover).

Rows are mappings with the SDK's snake_case field names (a CSV header row, or dicts). Values
are validated before anything is sent; empty strings count as absent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from talkkit._validate import e164, email, non_empty
from talkkit.bulk._types import BulkOperation, Prepared
from talkkit.errors import InvalidRequestError

if TYPE_CHECKING:
    from talkkit.talkover import AsyncTalkover
    from talkkit.talkturo import AsyncTalkturo

__all__ = [
    "CALL_FIELDS",
    "COMPANY_FIELDS",
    "CONTACT_FIELDS",
    "calls_operation",
    "companies_operation",
    "contacts_operation",
]

CONTACT_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "email",
        "phone",
        "phone_secondary",
        "job_title",
        "lead_status",
        "source",
        "timezone",
        "preferred_contact_method",
        "do_not_call",
        "notes",
        "tags",
        "company_id",
    }
)
COMPANY_FIELDS = frozenset(
    {
        "name",
        "website",
        "industry",
        "company_size",
        "address_line1",
        "address_line2",
        "city",
        "state",
        "postal_code",
        "country",
        "phone",
        "notes",
    }
)
CALL_FIELDS = frozenset({"phone", "phone_number"})
CUSTOM_PREFIX = "custom."  # a column "custom.plan" becomes custom_fields["plan"]

_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def _clean(row: Any) -> dict[str, Any]:
    if not isinstance(row, Mapping):
        raise InvalidRequestError(
            "row", "must be a mapping of field names to values", value=type(row).__name__
        )
    out: dict[str, Any] = {}
    for key, value in row.items():
        if not isinstance(key, str):
            continue  # csv.DictReader puts surplus cells under the key None
        if isinstance(value, str):
            if min(value, default="a") <= "\udcff" and any(
                "\udc80" <= ch <= "\udcff" for ch in value
            ):
                raise InvalidRequestError(key.strip(), "is not valid UTF-8 text")
            value = value.strip()
            if value == "":
                continue
        if value is not None:
            out[key.strip()] = value
    return out


def _bool(field: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidRequestError(field, "must be true or false", value=value)


def _custom(values: dict[str, Any]) -> dict[str, Any] | None:
    custom = {k[len(CUSTOM_PREFIX) :]: v for k, v in values.items() if k.startswith(CUSTOM_PREFIX)}
    return custom or None


def _digest(values: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:24]


def contacts_operation(
    client: AsyncTalkturo, *, team_id: str | None, company_id: str | None
) -> BulkOperation[dict[str, Any]]:
    """Create Talkturo contacts. The API answers 409 for an email or phone already in the team."""
    team = client._team(team_id)

    def prepare(row: Any) -> Prepared[dict[str, Any]]:
        values = _clean(row)
        payload: dict[str, Any] = {
            "first_name": non_empty("first_name", values.get("first_name")),
            "last_name": non_empty("last_name", values.get("last_name")),
            "team_id": team,
        }
        company = values.get("company_id") or company_id
        if not company:
            raise InvalidRequestError(
                "company_id", "is required (a column, or --company-id for every row)"
            )
        payload["company_id"] = company
        address = email("email", values.get("email"))
        if address is not None:
            payload["email"] = address
        for field in ("phone", "phone_secondary"):
            if field in values:
                payload[field] = e164(field, values[field])
        for field in (
            "job_title",
            "lead_status",
            "source",
            "timezone",
            "preferred_contact_method",
            "notes",
        ):
            if field in values:
                payload[field] = str(values[field])
        if "do_not_call" in values:
            payload["do_not_call"] = _bool("do_not_call", values["do_not_call"])
        if "tags" in values:
            tags = values["tags"]
            payload["tags"] = (
                [t.strip() for t in tags.split(";") if t.strip()]
                if isinstance(tags, str)
                else list(tags)
            )
        custom = _custom(values)
        if custom:
            payload["custom_fields"] = custom
        if "email" in payload:
            return Prepared(f"email:{payload['email'].lower()}", payload)
        if "phone" in payload:
            return Prepared(f"phone:{payload['phone']}", payload)
        # No natural key: the API cannot tell a re-send from a new contact.
        return Prepared(f"row:{_digest(payload)}", payload, resendable=False)

    async def send(payload: dict[str, Any]) -> str | None:
        return (await client.contacts.create(**payload)).id

    return BulkOperation(
        name="talkturo.contacts.import",
        prepare=prepare,
        send=send,
        idempotent_by_key=True,
        scope={"base_url": client.base_url, "team_id": team},
    )


def companies_operation(
    client: AsyncTalkturo, *, team_id: str | None
) -> BulkOperation[dict[str, Any]]:
    """
    Create Talkturo companies.

    The docs do not say the API refuses a second company of the same name, so an unclear
    create is never re-sent: it is reconciled by searching for the name instead.
    """
    team = client._team(team_id)

    def prepare(row: Any) -> Prepared[dict[str, Any]]:
        values = _clean(row)
        payload: dict[str, Any] = {"name": non_empty("name", values.get("name")), "team_id": team}
        for field in COMPANY_FIELDS - {"name", "phone"}:
            if field in values:
                payload[field] = str(values[field])
        if "phone" in values:
            payload["phone"] = e164("phone", values["phone"])
        custom = _custom(values)
        if custom:
            payload["custom_fields"] = custom
        return Prepared(f"name:{payload['name'].casefold()}", payload, resendable=False)

    async def send(payload: dict[str, Any]) -> str | None:
        return (await client.companies.create(**payload)).id

    async def reconcile(item: Prepared[dict[str, Any]], since: float) -> str | None:
        name = item.payload["name"]
        async for company in client.companies.list(team_id=team, search=name, max_items=200):
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


def calls_operation(client: AsyncTalkover, *, agent_id: str) -> BulkOperation[dict[str, Any]]:
    """
    Place Talkover calls. A call has no natural key: one that may have been placed is never
    placed again; it is looked up in the call history instead.
    """
    non_empty("agent_id", agent_id)

    def prepare(item: Any) -> Prepared[dict[str, Any]]:
        values = {"phone": item} if isinstance(item, str) else _clean(item)
        raw = values.get("phone", values.get("phone_number"))
        if raw is None:
            raise InvalidRequestError("phone", "is required (the number to call)")
        number = e164("phone", raw)
        payload: dict[str, Any] = {"phone_number": number}
        custom = _custom(values)
        if custom:
            payload["payload"] = custom
        return Prepared(f"phone:{number}", payload, resendable=False)

    async def send(payload: dict[str, Any]) -> str | None:
        return (await client.agents.call(agent_id, **payload)).id

    async def reconcile(item: Prepared[dict[str, Any]], since: float) -> str | None:
        number = item.payload["phone_number"]
        earliest = datetime.fromtimestamp(since - 120, UTC)  # allow for clock skew
        async for call in client.calls.list(
            agent_id=agent_id, phone_number=number, per_page=100, max_items=500
        ):
            if call.to == number and (call.created_at is None or call.created_at >= earliest):
                return call.id
        return None

    return BulkOperation(
        name="talkover.calls.dial",
        prepare=prepare,
        send=send,
        idempotent_by_key=False,
        reconcile=reconcile,
        scope={"base_url": client.base_url, "agent_id": agent_id},
    )
