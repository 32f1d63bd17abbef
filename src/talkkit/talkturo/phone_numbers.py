"""Talkturo ``/api/phone-numbers``: search the inventory, purchase, list owned numbers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit._validate import e164, one_of
from talkkit.errors import InvalidRequestError
from talkkit.pagination import AsyncPaginator, offset_paginator
from talkkit.talkturo._common import body, page_size, path_id, positive_int
from talkkit.talkturo.types import AvailableNumber, NumberType, PhoneNumber

if TYPE_CHECKING:
    from talkkit.talkturo._client import AsyncTalkturo

__all__ = ["PhoneNumbers"]

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_AREA_CODE = re.compile(r"^\d{3}$")
_NUMBER_TYPES = tuple(t.value for t in NumberType)


def _country(value: str) -> str:
    text = value.strip().upper() if isinstance(value, str) else value
    if not isinstance(text, str) or not _COUNTRY.match(text):
        raise InvalidRequestError(
            "country_code", "must be an ISO 3166-1 alpha-2 code, e.g. US", value=value
        )
    return text


def _area_code(value: str | None, country: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _AREA_CODE.match(value):
        raise InvalidRequestError("area_code", "must be 3 digits, e.g. 415", value=value)
    if country not in ("US", "CA"):
        raise InvalidRequestError("area_code", "is only supported for US and CA", value=value)
    return value


class PhoneNumbers(Resource):
    """Phone numbers: search what can be bought, buy one, list the team's numbers."""

    _client: AsyncTalkturo

    async def search(
        self,
        country_code: str,
        *,
        area_code: str | None = None,
        number_type: NumberType | str = NumberType.LOCAL,
        limit: int = 20,
    ) -> list[AvailableNumber]:
        """
        ``POST /api/phone-numbers/search``: numbers available to buy (safe: it buys nothing).

        Args:
            country_code: ISO 3166-1 alpha-2 (``US``); lower case is accepted.
            area_code: Three digits, US and CA only.
            number_type: ``local`` or ``toll-free``.
            limit: At most this many results.

        Returns:
            The numbers with their USD prices as strings (``"1.00"``).
        """
        country = _country(country_code)
        filters = body(
            country_code=country,
            area_code=_area_code(area_code, country),
            number_type=one_of("number_type", number_type, _NUMBER_TYPES),
            limit=positive_int("limit", limit),
        )
        return await self._client.request_model(
            "POST",
            "/phone-numbers/search",
            list[AvailableNumber],
            key="numbers",
            json={"filters": filters},
            safety=Safety.SAFE,
        )

    async def purchase(
        self,
        phone_number: str,
        *,
        team_id: str | None = None,
        connection_id: str | None = None,
    ) -> PhoneNumber:
        """
        ``POST /api/phone-numbers/purchase``: buy a number for a team (UNSAFE: it charges).

        Never retried once it may have reached the server; after an `OutcomeUnknownError`,
        check `list` before buying again. Body names are inferred (``phoneNumber``, ``teamId``,
        ``connectionId``).

        Args:
            phone_number: An E.164 number from `search`.
            team_id: The team that gets the number (default: the client's).
            connection_id: FQDN connection id for a custom provider setup.

        Returns:
            The new number; pass its ``id`` to `Assistants.assign_phone_numbers`.
        """
        payload = body(
            phone_number=e164("phone_number", phone_number),
            team_id=self._client._team(team_id),
            connection_id=None
            if connection_id is None
            else path_id("connection_id", connection_id),
        )
        return await self._client.request_model(
            "POST",
            "/phone-numbers/purchase",
            PhoneNumber,
            key="phoneNumber",
            json=payload,
            safety=Safety.UNSAFE,
        )

    def list(
        self, *, team_id: str | None = None, limit: int = 50, max_items: int | None = None
    ) -> AsyncPaginator[PhoneNumber]:
        """
        ``GET /api/phone-numbers?teamId=…``: the numbers the team owns (safe).

        Inferred endpoint, parameters and response key (``phoneNumbers``): the docs say owned
        numbers can be listed but the stored copy does not show how.
        """
        return offset_paginator(
            self._client,
            "/phone-numbers",
            PhoneNumber,
            items_key="phoneNumbers",
            params={"teamId": self._client._team(team_id)},
            limit=page_size(limit, max_items),
            max_items=max_items,
        )
