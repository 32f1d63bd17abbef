"""
Talkover request fields: the Talkover-only checks, and the fields several resources share.

Each endpoint declares its fields in its own signature (see `talkkit._fields`); a field that
stands in more than one signature is declared once here, as an ``Annotated`` alias. Every
failure is an `InvalidRequestError` naming the snake_case field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from talkkit._fields import Doc, Field
from talkkit._validate import (
    choice,
    day,
    e164,
    flag,
    integer,
    integers,
    mapping,
    number,
    path_id,
    strings,
    text,
    url,
)
from talkkit.errors import InvalidRequestError
from talkkit.pagination import AsyncPaginator, page_paginator
from talkkit.talkover.types import ActiveStatus, CallStatus, Direction

if TYPE_CHECKING:
    from talkkit._client import BaseClient

T = TypeVar("T")

__all__ = [
    "LANGUAGES",
    "SCHEMES",
    "AgentFilter",
    "AuthorizationScheme",
    "CallContext",
    "CallPayload",
    "Callee",
    "CurrentStatus",
    "CustomHeaders",
    "DateFrom",
    "DateTo",
    "DirectionFilter",
    "Doc",
    "Field",
    "IsTesting",
    "MaxItems",
    "NodeId",
    "PerPage",
    "choice",
    "day",
    "e164",
    "flag",
    "headers",
    "integer",
    "integers",
    "mapping",
    "number",
    "pages",
    "path_id",
    "per_page",
    "region_of",
    "strings",
    "text",
    "url",
]


LANGUAGES = (
    "pt-BR", "pt-PT", "en-US", "en-CA", "es-ES", "fr-FR",
    "de-DE", "it-IT", "nl-NL", "ja-JP", "ko-KR", "zh-TW",
)  # fmt: skip
"""Agent languages documented on create-agent."""

SCHEMES = ("none", "bearer", "basic", "api_key", "custom")
"""Authorization schemes of webhooks and actions."""


def per_page(value: Any) -> int:
    """A page size from 1 to 100 (the documented maximum)."""
    return int(integer(1, 100)("per_page", value))


PerPage = Annotated[int, Doc("Page size, 1 to 100.")]
MaxItems = Annotated[int | None, Doc("Stop after this many items.")]


def pages(
    client: BaseClient,
    path: str,
    cls: type[T],
    method: Callable[..., Any],
    values: Mapping[str, Any],
) -> AsyncPaginator[T]:
    """
    A Talkover list, page by page: the query fields ``method`` declares, and its ``per_page``
    (`PerPage`), ``max_items`` (`MaxItems`) and ``**options``, all read from ``values`` (the
    method's ``locals()``).

    Raises:
        InvalidRequestError: A filter or the page size is invalid (before any request).
    """
    return page_paginator(
        client,
        path,
        cls,
        params=client.fields(method, values, into="query"),
        per_page=per_page(values["per_page"]),
        max_items=values["max_items"],
        options=values["options"],
    )


def region_of(number: str) -> str:
    """The ISO 3166-1 alpha-2 country of a valid E.164 number (``US`` for ``+1415…``)."""
    import phonenumbers  # loaded with the first number checked (see `talkkit._validate`)

    region = phonenumbers.region_code_for_number(phonenumbers.parse(number, None))
    return region or "ZZ"


def headers(field: str, value: Any) -> list[dict[str, str]]:
    """Custom headers as ``{name: value}``; sent as ``[{"key": name, "value": value}]``."""
    if not isinstance(value, Mapping):
        raise InvalidRequestError(field, "must be a mapping of header name to value", value=value)
    pairs = []
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip() or not isinstance(item, str):
            raise InvalidRequestError(field, "names and values must be strings", value=key)
        pairs.append({"key": key, "value": item})
    return pairs


# Placing a call (an agent's or a campaign's).
Callee = Annotated[
    str,
    Doc("The number to call, E.164 (``+14155550123``); sent as ``to``."),
    Field(e164, wire="to"),
]
CallPayload = Annotated[
    Mapping[str, object] | None, Doc("Values for the agent prompt's placeholders."), Field(mapping)
]
CallContext = Annotated[
    Mapping[str, object] | None,
    Doc("Your metadata, echoed in every webhook of the call (not spoken)."),
    Field(mapping),
]
IsTesting = Annotated[bool | None, Doc("A free test call, excluded from analytics."), Field(flag)]

# List filters (query parameters).
DirectionFilter = Annotated[
    Direction | str | None,
    Doc("``inbound`` or ``outbound``."),
    Field(choice(Direction), into="query"),
]
AgentFilter = Annotated[
    str | None, Doc("Only those of this agent."), Field(text(min_len=1), into="query")
]
DateFrom = Annotated[
    date | str | None,
    Doc("First day (a `datetime.date` or ``YYYY-MM-DD``)."),
    Field(day, into="query"),
]
DateTo = Annotated[date | str | None, Doc("Last day."), Field(day, into="query")]

# The call history (`Calls.list`, `Agents.calls`).
CallStatusFilter = Annotated[
    CallStatus | str | None,
    Doc(
        "``initiated``, ``ringing``, ``answered``, ``completed``, ``failed``, ``busy`` or"
        " ``no-answer``."
    ),
    Field(choice(CallStatus), into="query"),
]
CallSearch = Annotated[
    str | None,
    Doc("Phone number or call SID, as the server matches it."),
    Field(text(min_len=1), into="query"),
]
NumberFilter = Annotated[
    str | None,
    Doc(
        "An E.164 number, sent as ``search``: the way to find the call an unclear"
        " `Agents.call` may have placed. The server matches loosely (``to`` or ``from``,"
        " ignoring formatting): compare ``call.to`` for an exact match."
    ),
    Field(e164, wire="search", into="query"),
]


def one_search(search: str | None, phone_number: str | None) -> None:
    """
    ``phone_number`` is sent as ``search`` (which the reference says matches phone numbers),
    so the two cannot be combined.
    """
    if phone_number is not None and search is not None:
        raise InvalidRequestError(
            "phone_number", "give phone_number or search, not both (both are sent as search)"
        )


# Trainings and actions: what the agent knows and runs, per workflow node.
NodeId = Annotated[
    str | None,
    Doc("The workflow node it belongs to (the server updates the one it matches)."),
    Field(text(min_len=1)),
]
CurrentStatus = Annotated[
    ActiveStatus | str | None,
    Doc("``active`` or ``inactive``."),
    Field(choice(ActiveStatus)),
]

# Webhooks and actions: how Talkover authenticates to your URL.
AuthorizationScheme = Annotated[
    str | None,
    Doc("``none``, ``bearer``, ``basic``, ``api_key`` or ``custom``."),
    Field(choice(SCHEMES)),
]
CustomHeaders = Annotated[
    Mapping[str, str] | None,
    Doc('``{name: value}``, sent as ``[{"key", "value"}]``.'),
    Field(headers),
]
