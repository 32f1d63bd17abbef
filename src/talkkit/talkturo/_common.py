"""What the Talkturo resources share: the ``team_id`` field, page-size checks, scoped lists."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from talkkit._fields import Doc, Field
from talkkit._model import envelope_of
from talkkit._request import Safety
from talkkit._validate import path_id
from talkkit.errors import InvalidRequestError
from talkkit.pagination import AsyncPaginator, offset_paginator

if TYPE_CHECKING:
    from talkkit._options import ExtraOptions
    from talkkit.talkturo._client import AsyncTalkturo

__all__ = [
    "AccountScope",
    "MaxItems",
    "PageLimit",
    "TeamId",
    "TeamScope",
    "page_size",
    "positive_int",
    "post_create",
    "scoped_list",
]

T = TypeVar("T")


def post_create(
    client: AsyncTalkturo,
    path: str,
    record: type[Any],
    body: dict[str, Any],
    options: ExtraOptions,
    into: type[T],
) -> Awaitable[T]:
    """
    A create's request (``POST path``), ``body`` already checked and named; the answer, kept
    under ``record``'s envelope, as ``into``: ``record``, or `Created` (the id only) for a bulk
    import's rows. (Not a coroutine of its own: one frame less on every await of the request.)
    """
    return client.request_model(
        "POST",
        path,
        into,
        key=envelope_of(record),
        json=body,
        safety=Safety.UNSAFE,
        options=options,
    )


def positive_int(field: str, value: Any) -> int:
    """A whole number of at least 1 (booleans refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidRequestError(field, "must be a whole number of at least 1", value=value)
    return value


def page_size(value: Any, max_items: Any) -> int:
    """Check a list call's ``limit`` (and ``max_items``, when given) before anything is sent."""
    if max_items is not None and (
        isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 0
    ):
        raise InvalidRequestError(
            "max_items", "must be a whole number of at least 0", value=max_items
        )
    return positive_int("limit", value)


TeamId = Annotated[str | None, Doc("Owning team (default: the client's)."), Field(path_id)]
"""The ``teamId`` of a write; the method passes ``self._client._team(team_id)`` as its value."""

# A scoped list's arguments (`scoped_list` reads them).
TeamScope = Annotated[str | None, Doc("The team (wins over ``account_slug``).")]
AccountScope = Annotated[str | None, Doc("Every team of this account.")]
PageLimit = Annotated[int, Doc("Page size.")]
MaxItems = Annotated[int | None, Doc("Stop after this many items.")]


def scoped_list(
    client: AsyncTalkturo,
    method: Callable[..., Any],
    values: dict[str, Any],
    path: str,
    item_type: type[T],
) -> AsyncPaginator[T]:
    """
    A list scoped by team or account: ``values`` is the list method's ``locals()``.

    One of ``teamId`` or ``accountSlug`` is sent (an argument first, ``team_id`` winning, then
    the client's ``team_id``, then its ``account_slug``), with the method's query fields.
    """
    params = {
        **client._scope(values["team_id"], values["account_slug"]),
        **client.fields(method, values, into="query"),
    }
    return offset_paginator(
        client,
        path,
        item_type,
        params=params,
        limit=page_size(values["limit"], values["max_items"]),
        max_items=values["max_items"],
        options=values["options"],
    )
