"""Talkover call history (``GET /calls``)."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from talkkit._resource import Resource
from talkkit.bulk import BulkJob, BulkSummary
from talkkit.bulk._recipes import calls_operation
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

    def dial_many(
        self,
        numbers: Iterable[str | Mapping[str, object]] | AsyncIterable[str | Mapping[str, object]],
        *,
        agent_id: str,
        concurrency: int = 8,
        journal: str | Path | None = None,
        retry_failed: bool = False,
        on_progress: Callable[[BulkSummary], object] | None = None,
    ) -> BulkJob[dict[str, Any]]:
        """
        Place a call to each number with one agent; no number is ever called twice.

        Numbers are validated as E.164 before anything is sent; a number that appears twice in
        the input is called once. A call whose answer was lost is never placed again: it is
        looked up in the call history (``done`` when found, ``unknown`` otherwise). A re-run
        with the same journal does the same for calls a killed run may have placed.

        Args:
            numbers: E.164 strings, or mappings with a ``phone`` column (``custom.<name>``
                columns become the call's payload), from any iterable or async iterable.
            agent_id: The (published) agent that places the calls.
            concurrency: Calls being placed at most; the client's rate limiter paces them.
            journal: A SQLite file to resume from: a re-run never redials a finished number.
            retry_failed: With a journal, try numbers that failed definitely again.
            on_progress: Called with the running `BulkSummary` after every number.
        """
        operation = calls_operation(self._client, agent_id=agent_id)
        return BulkJob(
            numbers,
            operation,
            concurrency=concurrency,
            journal=journal,
            retry_failed=retry_failed,
            on_progress=on_progress,
        )
