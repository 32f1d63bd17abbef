"""Talkturo ``/api/phone-numbers``: search the inventory, purchase, list owned numbers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Unpack

from talkkit._fields import Doc, Field
from talkkit._options import RequestOptions, UnsafeRequestOptions
from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit._validate import choice, e164, path_id
from talkkit.errors import InvalidRequestError
from talkkit.pagination import AsyncPaginator, offset_paginator
from talkkit.talkturo._common import TeamId, page_size, positive_int
from talkkit.talkturo.types import AvailableNumber, NumberType, PhoneNumber

if TYPE_CHECKING:
    from talkkit.talkturo._client import AsyncTalkturo

__all__ = ["PhoneNumbers"]

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_AREA_CODE = re.compile(r"^\d{3}$")
_AREA_CODE_COUNTRIES = ("US", "CA")


def _country(field: str, value: object) -> str:
    text = value.strip().upper() if isinstance(value, str) else value
    if not isinstance(text, str) or not _COUNTRY.match(text):
        raise InvalidRequestError(field, "must be an ISO 3166-1 alpha-2 code, e.g. US", value=value)
    return text


def _area_code(field: str, value: object) -> str:
    if not isinstance(value, str) or not _AREA_CODE.match(value):
        raise InvalidRequestError(field, "must be 3 digits, e.g. 415", value=value)
    return value


class PhoneNumbers(Resource):
    """Phone numbers: search what can be bought, buy one, list the team's numbers."""

    _client: AsyncTalkturo

    async def search(
        self,
        country_code: Annotated[
            str, Doc("ISO 3166-1 alpha-2 (``US``); lower case is accepted."), Field(_country)
        ],
        *,
        area_code: Annotated[
            str | None, Doc("Three digits, US and CA only."), Field(_area_code)
        ] = None,
        number_type: Annotated[
            NumberType | str, Doc("``local`` or ``toll-free``."), Field(choice(NumberType))
        ] = NumberType.LOCAL,
        limit: Annotated[int, Doc("At most this many results."), Field(positive_int)] = 20,
        **options: Unpack[RequestOptions],
    ) -> list[AvailableNumber]:
        """
        ``POST /api/phone-numbers/search``: numbers available to buy (safe: it buys nothing).

        Returns:
            The numbers with their USD prices as strings (``"1.00"``).
        """
        filters = self._client.fields(PhoneNumbers.search, locals())
        if area_code is not None and filters["countryCode"] not in _AREA_CODE_COUNTRIES:
            raise InvalidRequestError(
                "area_code", "is only supported for US and CA", value=area_code
            )
        return await self._client.request_model(
            "POST",
            "/phone-numbers/search",
            list[AvailableNumber],
            json={"filters": filters},
            safety=Safety.SAFE,
            options=options,
        )

    async def purchase(
        self,
        phone_number: Annotated[str, Doc("An E.164 number from `search`."), Field(e164)],
        *,
        team_id: TeamId = None,
        connection_id: Annotated[
            str | None,
            Doc("FQDN connection id for a custom provider setup."),
            Field(path_id),
        ] = None,
        **options: Unpack[UnsafeRequestOptions],
    ) -> PhoneNumber:
        """
        ``POST /api/phone-numbers/purchase``: buy a number for a team (UNSAFE: it charges).

        Never retried once it may have reached the server; after an `OutcomeUnknownError`,
        check `list` before buying again. Body names are inferred (``phoneNumber``, ``teamId``,
        ``connectionId``). The record under ``phoneNumber`` is read in camelCase (as the docs
        repo shows it) or snake_case (as the other Talkturo records are). ``team_id`` is the
        team that gets the number.

        Returns:
            The new number; pass its ``id`` to `Assistants.assign_phone_numbers`.
        """
        values = {**locals(), "team_id": self._client._team(team_id)}
        return await self._client.request_model(
            "POST",
            "/phone-numbers/purchase",
            PhoneNumber,
            json=self._client.fields(PhoneNumbers.purchase, values),
            safety=Safety.UNSAFE,
            options=options,
        )

    def list(
        self,
        *,
        team_id: str | None = None,
        limit: int = 50,
        max_items: int | None = None,
        **options: Unpack[RequestOptions],
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
            params={"teamId": self._client._team(team_id)},
            limit=page_size(limit, max_items),
            max_items=max_items,
            options=options,
        )
