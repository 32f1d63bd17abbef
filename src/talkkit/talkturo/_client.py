"""`AsyncTalkturo`: the Talkturo client."""

from __future__ import annotations

from typing import Self, Unpack

import cattrs

from talkkit._client import BaseClient, ClientOptions, DerivedOptions
from talkkit._config import UNSET, Secret, Unset
from talkkit._converter import make_converter
from talkkit.errors import InvalidRequestError
from talkkit.talkturo._dialect import TALKTURO
from talkkit.talkturo.assistants import Assistants
from talkkit.talkturo.campaigns import Campaigns
from talkkit.talkturo.companies import Companies
from talkkit.talkturo.contacts import Contacts
from talkkit.talkturo.phone_numbers import PhoneNumbers
from talkkit.talkturo.types import AvailableNumber
from talkkit.talkturo.webhooks import Webhooks

__all__ = ["AsyncTalkturo"]


class AsyncTalkturo(BaseClient):
    """
    Async client for the Talkturo API (AI assistants and a CRM).

    Args:
        token: An API key from Settings → API Keys; default ``TALKTURO_TOKEN``.
        base_url: Your account's API URL including ``/api`` (``https://acme.example/api``);
            default ``TALKTURO_BASE_URL``. Required: every account has its own domain.
        account_slug: Default ``accountSlug`` (the ``<slug>`` in
            ``app.talkturo.com/home/<slug>``) for calls that need one; a method's own
            ``account_slug=`` argument wins.
        team_id: Default ``teamId`` for calls that need one; a method's ``team_id=`` wins.
        **options: See `ClientOptions`.

    Example::

        async with AsyncTalkturo(base_url="https://acme.example/api", team_id="team_1") as tt:
            async for campaign in tt.campaigns.list(status="running"):
                print(campaign.name)
    """

    dialect = TALKTURO

    assistants: Assistants
    campaigns: Campaigns
    contacts: Contacts
    companies: Companies
    phone_numbers: PhoneNumbers
    webhooks: Webhooks

    def __init__(
        self,
        token: str | Secret | None = None,
        *,
        base_url: str | None = None,
        account_slug: str | None = None,
        team_id: str | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        self.account_slug = _default("account_slug", account_slug)
        self.team_id = _default("team_id", team_id)
        super().__init__(token, base_url=base_url, **options)

    def _make_converter(self) -> cattrs.Converter:
        converter = make_converter(response_case="snake")
        # Phone-number search results are the one camelCase payload: a camelCase converter
        # structures that model, registered on the main one so every caller gets it for free.
        camel = make_converter(response_case="camel")
        converter.register_structure_hook(
            AvailableNumber, camel.get_structure_hook(AvailableNumber)
        )
        return converter

    def _attach_resources(self) -> None:
        self.assistants = Assistants(self)
        self.campaigns = Campaigns(self)
        self.contacts = Contacts(self)
        self.companies = Companies(self)
        self.phone_numbers = PhoneNumbers(self)
        self.webhooks = Webhooks(self)

    def with_options(
        self,
        *,
        account_slug: str | Unset | None = UNSET,
        team_id: str | Unset | None = UNSET,
        **options: Unpack[DerivedOptions],
    ) -> Self:
        """
        A client with some options changed, sharing this one's connections and limiter.

        Besides the common options (`DerivedOptions`), ``account_slug`` and ``team_id``
        replace the defaults (``None`` clears one); unset, they are inherited.
        """
        clone = super().with_options(**options)
        if not isinstance(account_slug, Unset):
            clone.account_slug = _default("account_slug", account_slug)
        if not isinstance(team_id, Unset):
            clone.team_id = _default("team_id", team_id)
        return clone

    # -- used by the resources ------------------------------------------------------------

    def _team(self, team_id: str | None) -> str:
        """The call's ``teamId``: the argument, else the client default, else an error."""
        value = _default("team_id", team_id) or self.team_id
        if value is None:
            raise InvalidRequestError(
                "team_id", "is required: pass team_id=... or set AsyncTalkturo(team_id=...)"
            )
        return value

    def _account(self, account_slug: str | None) -> str:
        """The call's ``accountSlug``: the argument, else the client default, else an error."""
        value = _default("account_slug", account_slug) or self.account_slug
        if value is None:
            raise InvalidRequestError(
                "account_slug",
                "is required: pass account_slug=... or set AsyncTalkturo(account_slug=...)",
            )
        return value

    def _scope(self, team_id: str | None, account_slug: str | None) -> dict[str, str]:
        """``teamId`` or ``accountSlug`` for lists that take either (arguments first)."""
        if team_id is not None or account_slug is not None:
            if team_id is not None:
                return {"teamId": self._team(team_id)}
            return {"accountSlug": self._account(account_slug)}
        if self.team_id is not None:
            return {"teamId": self.team_id}
        if self.account_slug is not None:
            return {"accountSlug": self.account_slug}
        raise InvalidRequestError(
            "team_id",
            "is required (or account_slug): pass one, or set it on AsyncTalkturo(...)",
        )


def _default(field: str, value: str | None) -> str | None:
    """``None`` or a non-blank string without ``/`` (used in URLs and bodies)."""
    if value is not None and (not isinstance(value, str) or not value.strip() or "/" in value):
        raise InvalidRequestError(field, "must be a non-empty string without '/'", value=value)
    return value.strip() if value is not None else None
