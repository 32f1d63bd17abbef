"""Phone-number records: search results (camelCase on the wire) and owned numbers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, ClassVar

import attrs

from talkkit._converter import WireCase
from talkkit.talkturo.types._base import TalkturoModel

__all__ = ["AvailableNumber", "NumberType", "PhoneNumber"]


class NumberType(enum.StrEnum):
    """Kinds of number a search can ask for."""

    LOCAL = "local"
    TOLL_FREE = "toll-free"


@attrs.frozen(kw_only=True)
class AvailableNumber(TalkturoModel):
    """
    A purchasable number from ``POST /api/phone-numbers/search``.

    The API sends these in camelCase (``phoneNumber``, ``monthlyPrice``), Talkturo's one
    camelCase payload: ``_wire_case`` says so to the converters. Prices are USD strings
    (``"1.00"``), kept as strings.
    """

    _list_envelope: ClassVar[str | None] = "numbers"

    _wire_case: ClassVar[WireCase] = "camel"

    phone_number: str
    monthly_price: str | None = None
    setup_price: str | None = None
    features: list[str] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class PhoneNumber(TalkturoModel):
    """
    A number the account owns. Its ``id`` (not the E.164 string) is what assistants take.

    Field names are inferred from the docs repo's telephony examples. The client reads the
    record in snake_case or camelCase (the docs repo's purchase answer uses ``phoneNumber``).
    """

    _envelope: ClassVar[str | None] = "phoneNumber"
    _list_envelope: ClassVar[str | None] = "phoneNumbers"

    id: str
    phone_number: str | None = None
    team_id: str | None = None
    status: str | None = None
    is_trial: bool | None = None
    assistant_id: str | None = None
    provider: str | None = None
    connection_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)
