"""`AsyncTalkturo`: the Talkturo client."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Self, Unpack

import attrs
import cattrs

from talkkit._client import BaseClient, ClientOptions, DerivedOptions
from talkkit._config import UNSET, Secret, Unset
from talkkit._converter import make_converter, to_camel
from talkkit.errors import ConfigurationError, InvalidRequestError
from talkkit.talkturo._dialect import TALKTURO
from talkkit.talkturo.assistants import Assistants
from talkkit.talkturo.campaigns import Campaigns
from talkkit.talkturo.companies import Companies
from talkkit.talkturo.contacts import Contacts
from talkkit.talkturo.phone_numbers import PhoneNumbers
from talkkit.talkturo.types import AvailableNumber, PhoneNumber
from talkkit.talkturo.webhooks import Webhooks

__all__ = ["AsyncTalkturo"]

_TEAM_ID_ENV = "TALKTURO_TEAM_ID"
_ACCOUNT_SLUG_ENV = "TALKTURO_ACCOUNT_SLUG"


class AsyncTalkturo(BaseClient):
    """
    Async client for the Talkturo API (AI assistants and a CRM).

    Args:
        token: An API key from Settings → API Keys; default ``TALKTURO_TOKEN``.
        base_url: Your account's API URL including ``/api`` (``https://acme.example/api``);
            default ``TALKTURO_BASE_URL``. Required: every account has its own domain.
        account_slug: Default ``accountSlug`` (the ``<slug>`` in
            ``app.talkturo.com/home/<slug>``) for calls that need one; a method's own
            ``account_slug=`` argument wins. Default ``TALKTURO_ACCOUNT_SLUG``.
        team_id: Default ``teamId`` for calls that need one; a method's ``team_id=`` wins.
            Default ``TALKTURO_TEAM_ID``.
        **options: See `ClientOptions`.

    An argument wins over its environment variable; a variable that is unset or blank gives
    no default. `talkkit emulator serve` prints both variables for its account.

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
        _from_env: bool = True,
        **options: Unpack[ClientOptions],
    ) -> None:
        # `_from_env=False` is private: `with_options` passes the defaults it inherits or
        # replaces that way, so that None means "no default", not the environment's.
        self.account_slug = _default(
            "account_slug", account_slug, env=_ACCOUNT_SLUG_ENV if _from_env else None
        )
        self.team_id = _default("team_id", team_id, env=_TEAM_ID_ENV if _from_env else None)
        super().__init__(token, base_url=base_url, **options)

    @classmethod
    def _make_converter(cls) -> cattrs.Converter:
        converter = make_converter(response_case="snake")
        # Phone-number search results are the one camelCase payload: a camelCase converter
        # structures that model, registered on the main one so every caller gets it for free.
        camel = make_converter(response_case="camel")
        converter.register_structure_hook(
            AvailableNumber, camel.get_structure_hook(AvailableNumber)
        )
        # INFERRED: the docs repo shows the purchase answer in camelCase ({"phoneNumber": {"id",
        # "phoneNumber", "status", "accountSlug"}}) but owned numbers in snake_case elsewhere;
        # the published pages show neither, so a phone-number record is read in both casings.
        converter.register_structure_hook(
            PhoneNumber, _either_case(PhoneNumber, converter.get_structure_hook(PhoneNumber))
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
        return self._derive(
            options,
            account_slug=self.account_slug if isinstance(account_slug, Unset) else account_slug,
            team_id=self.team_id if isinstance(team_id, Unset) else team_id,
            _from_env=False,
        )

    # -- used by the resources ------------------------------------------------------------

    def _team(self, team_id: str | None) -> str:
        """The call's ``teamId``: the argument, else the client default, else an error."""
        value = _default("team_id", team_id) or self.team_id
        if value is None:
            raise InvalidRequestError(
                "team_id",
                f"is required: pass team_id=..., set AsyncTalkturo(team_id=...) or {_TEAM_ID_ENV}",
            )
        return value

    def _account(self, account_slug: str | None) -> str:
        """The call's ``accountSlug``: the argument, else the client default, else an error."""
        value = _default("account_slug", account_slug) or self.account_slug
        if value is None:
            raise InvalidRequestError(
                "account_slug",
                "is required: pass account_slug=..., set AsyncTalkturo(account_slug=...) or "
                f"{_ACCOUNT_SLUG_ENV}",
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
            "is required (or account_slug): pass one, set it on AsyncTalkturo(...) or set "
            f"{_TEAM_ID_ENV} / {_ACCOUNT_SLUG_ENV}",
        )


def _default(field: str, value: str | None, *, env: str | None = None) -> str | None:
    """
    ``None`` or a non-blank string without ``/`` (used in URLs and bodies).

    With ``env``, an unset ``value`` falls back to that environment variable (blank: none).

    Raises:
        InvalidRequestError: The argument is not such a string.
        ConfigurationError: The environment variable is not such a string.
    """
    if value is None and env is not None:
        from_env = os.environ.get(env, "").strip()
        if "/" in from_env:
            raise ConfigurationError(field, f"{env} must not contain '/'", value=from_env)
        return from_env or None
    if value is not None and (not isinstance(value, str) or not value.strip() or "/" in value):
        raise InvalidRequestError(field, "must be a non-empty string without '/'", value=value)
    return value.strip() if value is not None else None


def _either_case(cls: type[Any], snake: Any) -> Any:
    """A structure hook for ``cls`` that reads camelCase keys where the snake_case one is absent."""
    names = {to_camel(a.name): a.name for a in attrs.fields(cls) if to_camel(a.name) != a.name}

    def hook(data: Any, tp: Any) -> Any:
        if isinstance(data, Mapping):
            data = {
                (name if (name := names.get(key, key)) not in data else key): value
                for key, value in data.items()
            }
        return snake(data, tp)

    return hook
