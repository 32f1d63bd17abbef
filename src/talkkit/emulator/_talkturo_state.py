"""Talkturo's in-memory state: accounts, teams, assistants, CRM records and phone numbers."""

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
from talkkit.emulator._errors import ApiError, JSONDict
from talkkit.emulator._state import PlatformState
from talkkit.emulator._wire import lookup

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
    """

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
