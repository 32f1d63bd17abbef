"""
Talkturo's in-memory state: accounts, teams, assistants, CRM records, phone numbers and the
calls running campaigns place.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

import attrs

from talkkit.emulator._constants import (
    OTHER_ACCOUNT_SLUG,
    OTHER_TEAM_ID,
    TALKTURO_ACCOUNT_SLUG,
    TALKTURO_TEAM_ID,
)
from talkkit.emulator._deliveries import Outbox
from talkkit.emulator._errors import ApiError, JSONDict
from talkkit.emulator._records import CallFate
from talkkit.emulator._state import PlatformState
from talkkit.emulator._talkover_lifecycle import CallBook
from talkkit.emulator._talkturo_calls import CallWebhooks
from talkkit.emulator._wire import iso, lookup

__all__ = ["TEMPLATES", "TalkturoState", "company_key", "contact_key", "snake"]

# Template defaults. INFERRED: the template ids are documented, their contents are not.
TEMPLATES: dict[str, JSONDict] = {
    "outbound-setter": {
        "first_message": "Hi, this is Sam calling on behalf of {{company.name}}.",
        "system_prompt": "You call leads to book a meeting with the sales team.",
        "inbound_enabled": False,
        "outbound_enabled": True,
    },
    "inbound-support": {
        "first_message": "Thanks for calling, how can I help you today?",
        "system_prompt": "You answer support calls politely and precisely.",
        "inbound_enabled": True,
        "outbound_enabled": False,
    },
    "follow-up": {
        "first_message": "Hi {{contact.first_name}}, I'm following up on our last conversation.",
        "system_prompt": "You follow up with contacts after a first call.",
        "inbound_enabled": False,
        "outbound_enabled": True,
    },
    "custom": {
        "first_message": "",
        "system_prompt": "",
        "inbound_enabled": False,
        "outbound_enabled": False,
    },
}


def snake(name: str) -> str:
    """Turn a camelCase request field into the snake_case resource field."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def contact_key(fields: Mapping[str, Any]) -> str | None:
    """A contact's natural key: `email:…` (lower-cased), else `phone:…`, else `None`."""
    if fields.get("email"):
        return f"email:{fields['email'].lower()}"
    if fields.get("phone"):
        return f"phone:{fields['phone']}"
    return None


def company_key(fields: Mapping[str, Any]) -> str:
    """A company's natural key: `name:…` (lower-cased)."""
    return f"name:{fields['name'].lower()}"


@attrs.define
class TalkturoState(PlatformState):
    """
    Everything Talkturo stores, as snake_case wire dicts keyed by id, in creation order.

    Every configured token belongs to the account `TALKTURO_ACCOUNT_SLUG`, which owns
    `TALKTURO_TEAM_ID`; a second account owns `OTHER_TEAM_ID` (for 403 tests).
    `campaign_runs` records each start/stop; `webhook_events` what the inbound webhook got.
    `unique` indexes contact emails/phones and company names per team (for the 409s), so
    records should be created through the API rather than inserted directly.

    Starting a campaign places one call per contact on it with a phone (`calls`, in the
    order placed; each contact once per campaign). Calls move along the same seeded scripts
    as Talkover calls as time passes (`settle`); each status change queues signed call
    webhooks in `outbox` when `call_webhooks` has a URL.
    """

    outbox: Outbox = attrs.field(kw_only=True)
    call_webhooks: CallWebhooks = attrs.field(kw_only=True)

    accounts: dict[str, JSONDict] = attrs.Factory(dict)
    teams: dict[str, JSONDict] = attrs.Factory(dict)
    assistants: dict[str, JSONDict] = attrs.Factory(dict)
    campaigns: dict[str, JSONDict] = attrs.Factory(dict)
    contacts: dict[str, JSONDict] = attrs.Factory(dict)
    companies: dict[str, JSONDict] = attrs.Factory(dict)
    phone_numbers: dict[str, JSONDict] = attrs.Factory(dict)
    campaign_contacts: dict[str, list[str]] = attrs.Factory(dict)
    unique: dict[tuple[str, ...], str] = attrs.Factory(dict)
    campaign_runs: list[JSONDict] = attrs.Factory(list)
    webhook_events: list[JSONDict] = attrs.Factory(list)
    calls: dict[str, JSONDict] = attrs.Factory(dict)
    book: CallBook = attrs.Factory(CallBook)  # how each call moves along
    called: dict[str, set[str]] = attrs.Factory(dict)  # campaign id -> contact ids called

    def __attrs_post_init__(self) -> None:
        for slug, account_id, team_id, name in (
            (TALKTURO_ACCOUNT_SLUG, "acct_01emulator", TALKTURO_TEAM_ID, "Acme Sales"),
            (OTHER_ACCOUNT_SLUG, "acct_01other", OTHER_TEAM_ID, "Globex Sales"),
        ):
            self.accounts[slug] = {"id": account_id, "slug": slug}
            self.teams[team_id] = {"id": team_id, "account_id": account_id, "name": name}

    @property
    def own_account(self) -> JSONDict:
        """The account every configured token belongs to."""
        return self.accounts[TALKTURO_ACCOUNT_SLUG]

    def account(self, slug: str) -> JSONDict:
        """The caller's account by slug: 404 when unknown, 403 when someone else's."""
        account = lookup(self.accounts, slug, ApiError(404, "Account not found"))
        self.check_account(account["id"])
        return account

    def check_account(self, account_id: str) -> None:
        """403 unless `account_id` is the caller's account."""
        if account_id != self.own_account["id"]:
            raise ApiError(403, "Forbidden")

    def team(self, team_id: str) -> JSONDict:
        """The caller's team: 404 when unknown, 403 when it belongs to another account."""
        team = lookup(self.teams, team_id, ApiError(404, "Team not found"))
        self.check_account(team["account_id"])
        return team

    def get(self, store: dict[str, JSONDict], key: str, what: str) -> JSONDict:
        """A record of the caller's: 404 when unknown, 403 when another account's."""
        record = lookup(store, key, ApiError(404, f"{what} not found"))
        if "team_id" in record:
            self.team(record["team_id"])
        else:
            self.check_account(record["account_id"])
        return record

    def in_team(self, store: dict[str, JSONDict], team_ids: set[str]) -> list[JSONDict]:
        """The records of `store` that belong to one of `team_ids`, oldest first."""
        return [r for r in store.values() if r.get("team_id") in team_ids]

    def scope_teams(self, team_id: str | None, slug: str | None) -> set[str]:
        """Teams a list covers: one `teamId`, or every team of `accountSlug`."""
        if team_id is not None:
            return {self.team(team_id)["id"]}
        if slug is None:
            raise ApiError(400, "teamId or accountSlug is required")
        account = self.account(slug)
        return {t["id"] for t in self.teams.values() if t["account_id"] == account["id"]}

    def claim(self, team_id: str, record_id: str, keys: dict[str, str | None]) -> None:
        """
        Reserve unique values (`{"email": …}`) within a team, or raise 409 naming the field.

        Values are compared case-insensitively; `None` values are skipped. With the emulator's
        `refuse_duplicates` off nothing is refused: the first record keeps the index entry.
        """
        wanted = {field: (team_id, field, value.lower()) for field, value in keys.items() if value}
        if not self.env.refuse_duplicates:
            for key in wanted.values():
                self.unique.setdefault(key, record_id)
            return
        for field, key in wanted.items():
            if key in self.unique:
                what = "Company" if field == "name" else "Contact"
                raise ApiError(409, f"{what} with this {field} already exists")
        for key in wanted.values():
            self.unique[key] = record_id

    def contact_keys(self) -> Counter[str | None]:
        """How many stored contacts each natural key has (`None`: neither email nor phone)."""
        return Counter(contact_key(record) for record in list(self.contacts.values()))

    def company_keys(self) -> Counter[str]:
        """How many stored companies each natural key has."""
        return Counter(company_key(record) for record in list(self.companies.values()))

    def place_campaign_calls(self, campaign: JSONDict) -> list[JSONDict]:
        """
        Call every contact on ``campaign`` with a phone not called by it yet; return the calls.

        INFERRED: all at once (the call window and ``max_concurrent_calls`` are not applied).
        """
        called = self.called.setdefault(campaign["id"], set())
        origin = campaign.get("from_number") or next(
            (
                n["phone_number"]
                for n in self.phone_numbers.values()
                if n["team_id"] == campaign["team_id"]
            ),
            _DEFAULT_FROM,
        )
        placed = []
        for contact_id in self.campaign_contacts.get(campaign["id"], []):
            contact = self.contacts[contact_id]
            if contact_id in called or not contact.get("phone") or contact["do_not_call"]:
                continue
            called.add(contact_id)
            placed.append(self._place_call(campaign, contact, origin))
        return placed

    def _place_call(self, campaign: JSONDict, contact: JSONDict, origin: str) -> JSONDict:
        env, ids = self.env, self.env.ids
        placed_at = env.now()
        leg = ids.uuid()
        call = self.stamp(
            {
                "id": leg,
                "call_control_id": f"v3:{ids.alnum(40)}",
                "call_leg_id": leg,
                "call_session_id": ids.uuid(),
                "connection_id": None,
                "from": origin,
                "to": contact["phone"],
                "direction": "outgoing",
                "status": "initiated",
                "duration": 0,
                "campaign_id": campaign["id"],
                "contact_id": contact["id"],
                "assistant_id": campaign.get("assistant_id"),
                "team_id": campaign["team_id"],
                "answered_at": None,
                "ended_at": None,
            },
            6,
        )
        self.calls[call["id"]] = call
        self.book.place(call["id"], call["to"], env, placed_at)
        self.call_webhooks.announce(self.outbox, call, "initiated", placed_at)
        return call

    def settle(self) -> None:
        """Bring every live call to where its script is now, queueing its webhooks."""
        for moved in self.book.advance(self.env.now()):
            call = self.calls[moved.call_id]
            call.update(status=moved.status, updated_at=iso(moved.moment, 6))
            if moved.final:
                call.update(duration=moved.duration, ended_at=iso(moved.moment, 6))
            for status, moment in moved.passed:
                if status == "answered":
                    call["answered_at"] = iso(moment, 6)
                self.call_webhooks.announce(self.outbox, call, status, moment)

    def fates(self) -> dict[str, CallFate]:
        """How every call a campaign placed ends (or ended), by call id, in placing order."""
        return {
            call_id: fate
            for call_id, call in list(self.calls.items())
            if (
                fate := self.book.fate(
                    call_id, call["to"], call["assistant_id"], call["campaign_id"]
                )
            )
            is not None
        }


_DEFAULT_FROM = "+14155550100"
"""The caller id of a campaign without ``fromNumber`` whose team owns no number (INFERRED)."""
