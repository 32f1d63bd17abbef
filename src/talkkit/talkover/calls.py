"""Talkover call history (``GET /calls``)."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Unpack

from talkkit._options import RequestOptions
from talkkit._resource import Resource
from talkkit.bulk import BulkJob, BulkSummary
from talkkit.pagination import AsyncPaginator
from talkkit.talkover import _fields as f
from talkkit.talkover._bulk import DIAL_COLUMNS, calls_operation
from talkkit.talkover.types import Call

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["DIAL_COLUMNS", "Calls"]


class Calls(Resource):
    """The call history of the environment (agent calls and campaign calls)."""

    _client: AsyncTalkover

    def list(
        self,
        *,
        status: f.CallStatusFilter = None,
        direction: f.DirectionFilter = None,
        agent_id: f.AgentFilter = None,
        date_from: f.DateFrom = None,
        date_to: f.DateTo = None,
        search: f.CallSearch = None,
        phone_number: f.NumberFilter = None,
        per_page: f.PerPage = 20,
        max_items: f.MaxItems = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Call]:
        """
        ``GET /calls``: the history, newest first, across all pages (``pagination`` block).

        Raises:
            InvalidRequestError: A filter is invalid (raised here, before any request).
        """
        f.one_search(search, phone_number)
        return f.pages(self._client, "/calls", Call, Calls.list, locals())

    def dial_many(
        self,
        numbers: Iterable[str | Mapping[str, object]] | AsyncIterable[str | Mapping[str, object]],
        *,
        agent_id: str,
        concurrency: int = 8,
        journal: str | Path | None = None,
        retry_failed: bool = False,
        on_progress: Callable[[BulkSummary], object] | None = None,
        **options: Unpack[RequestOptions],
    ) -> BulkJob[dict[str, Any]]:
        """
        Place a call to each number with one agent; no number is ever called twice.

        Numbers are validated as E.164 before anything is sent; a number that appears twice in
        the input is called once. A call whose answer was lost is never placed again: it is
        looked up in the call history (``done`` when found, ``unknown`` otherwise). A re-run
        with the same journal does the same for calls a killed run may have placed.

        Args:
            numbers: E.164 strings, or mappings with a ``phone`` (or ``phone_number``)
                column and optionally ``delay_seconds`` and ``is_testing`` (as for
                `Agents.call`; ``custom.<name>`` columns become the call's payload), from any
                iterable or async iterable. Bad rows fail with the column named.
            agent_id: The (published) agent that places the calls.
            concurrency: Calls being placed at most; the client's rate limiter paces them.
            journal: A SQLite file to resume from: a re-run never redials a finished number.
            retry_failed: With a journal, try numbers that failed definitely again.
            on_progress: Called with the running `BulkSummary` after every number.
        """
        operation = calls_operation(self._client, agent_id=agent_id, options=options)
        return BulkJob(
            numbers,
            operation,
            concurrency=concurrency,
            journal=journal,
            retry_failed=retry_failed,
            on_progress=on_progress,
        )
