"""Talkover call history (``GET /calls``)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from talkkit._resource import Resource
from talkkit.errors import InvalidRequestError
from talkkit.pagination import AsyncPaginator, page_paginator
from talkkit.talkover import _fields as f
from talkkit.talkover.types import Call, CallStatus, Direction

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["Calls"]

_FILTERS: dict[str, f.Check] = {
    "status": f.choice(CallStatus),
    "direction": f.choice(Direction),
    "agent_id": f.text(min_len=1),
    "date_from": f.day,
    "date_to": f.day,
    "search": f.text(min_len=1),
}


def _history_params(
    *,
    status: CallStatus | str | None,
    direction: Direction | str | None,
    agent_id: str | None,
    date_from: date | str | None,
    date_to: date | str | None,
    search: str | None,
    phone_number: str | None,
) -> dict[str, Any]:
    """
    The validated query of a call-history list. ``phone_number`` (E.164) is sent as
    ``search``, which the reference says matches phone numbers, so it cannot be combined with
    ``search``.
    """
    if phone_number is not None:
        if search is not None:
            raise InvalidRequestError(
                "phone_number", "give phone_number or search, not both (both are sent as search)"
            )
        search = f.phone("phone_number", phone_number)
    values: dict[str, object] = {"status": status, "direction": direction}
    values["agent_id"] = agent_id
    values.update(date_from=date_from, date_to=date_to, search=search)
    return f.build(_FILTERS, values)


class Calls(Resource):
    """The call history of the environment (agent calls and campaign calls)."""

    _client: AsyncTalkover

    def list(
        self,
        *,
        status: CallStatus | str | None = None,
        direction: Direction | str | None = None,
        agent_id: str | None = None,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        search: str | None = None,
        phone_number: str | None = None,
        per_page: int = 20,
        max_items: int | None = None,
    ) -> AsyncPaginator[Call]:
        """
        ``GET /calls``: the history, newest first, across all pages (``pagination`` block).

        Args:
            status: ``initiated``, ``ringing``, ``answered``, ``completed``, ``failed``,
                ``busy`` or ``no-answer``.
            direction: ``inbound`` or ``outbound``.
            agent_id: Only this agent's calls.
            date_from: First day (a `datetime.date` or ``YYYY-MM-DD``).
            date_to: Last day.
            search: Phone number or call SID, as the server matches it.
            phone_number: An E.164 number, sent as ``search``: the way to find the call an
                unclear `Agents.call` may have placed. The server matches loosely (``to`` or
                ``from``, ignoring formatting): compare ``call.to`` for an exact match.
            per_page: Page size, 1 to 100.
            max_items: Stop after this many calls.

        Raises:
            InvalidRequestError: A filter is invalid (raised here, before any request).
        """
        params = _history_params(
            status=status,
            direction=direction,
            agent_id=agent_id,
            date_from=date_from,
            date_to=date_to,
            search=search,
            phone_number=phone_number,
        )
        return page_paginator(
            self._client,
            "/calls",
            Call,
            params=params,
            per_page=f.per_page(per_page),
            max_items=max_items,
        )
