"""Talkover call history (``GET /calls``)."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Unpack

from talkkit._options import RequestOptions
from talkkit._resource import Resource
from talkkit.bulk import BulkJob, BulkSummary, CallEnds, RedisJournal
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
        journal: str | Path | RedisJournal | None = None,
        retry_failed: bool = False,
        on_progress: Callable[[BulkSummary], object] | None = None,
        preflight: bool = True,
        wait: bool = False,
        poll_interval: float | None = None,
        wait_timeout: float | None = 3600.0,
        reconcile_grace: float = 60.0,
        redial_not_placed: bool = False,
        call_ends: CallEnds | None = None,
        **options: Unpack[RequestOptions],
    ) -> BulkJob[dict[str, Any]]:
        """
        Place a call to each number with one agent; no number is ever called twice.

        Numbers are validated as E.164 before anything is sent; a number that appears twice in
        the input is called once. A call whose answer was lost is never placed again: it is
        looked up in the call history (number, agent, time of the attempt): found, ``done``
        (code ``reconciled``); still not there ``reconcile_grace`` seconds after the attempt,
        ``not_placed``. A re-run with the same journal looks up the calls a killed run may
        have placed the same way, and leaves ``not_placed`` numbers alone unless
        ``redial_not_placed``.

        Args:
            numbers: E.164 strings, or mappings with a ``phone`` (or ``phone_number``)
                column and optionally ``delay_seconds`` and ``is_testing`` (as for
                `Agents.call`; ``custom.<name>`` columns become the call's payload), from any
                iterable or async iterable. Bad rows fail with the column named.
            agent_id: The (published) agent that places the calls.
            concurrency: Calls being placed at most; the client's rate limiter paces them.
            journal: A SQLite file to resume from: a re-run never redials a finished number;
                or a Redis journal (`RedisJournal`, ``"redis://…"``) shared by many processes.
            retry_failed: With a journal, try numbers that failed definitely again.
            on_progress: Called with the running `BulkSummary` after every number.
            preflight: Before the first number, check that the agent exists and is published
                (one request, which checks the token too). A failure raises `PreflightError`
                naming ``agent_id`` (or ``token``), and nothing is dialled. ``False`` skips it.
            wait: Follow every placed call to its end through the call history (one walk of
                the agent's recent history per poll for all live calls, paced by the client's
                rate limiter): each call's outcome comes once it ended, with its final
                ``status`` (``completed``, ``busy``, ``no-answer``, ``failed``) and
                ``duration``; the summary counts ``statuses`` and ``talk_time``.
            poll_interval: Seconds between two looks at the call history (with ``wait``);
                ``None``: 5, or 30 with ``call_ends`` (the history then only catches the calls
                whose webhook never came).
            wait_timeout: Seconds after placing a call to stop waiting for it (``None``:
                until it ends); a call still live then is reported without a status.
            reconcile_grace: Seconds after an unclear attempt before the last look in the
                call history decides between ``done`` and ``not_placed``.
            redial_not_placed: With a journal, dial the numbers an earlier run reported
                ``not_placed`` again: the history showed no call to them after the grace
                period. Off by default, as any re-dial of an unclear call is.
            call_ends: With ``wait``, a `CallEnds` feed that a webhook receiver pushes the
                calls' ends into (``talkkit.webhooks.app(feed_handler(feed), ...)`` serving
                the agent's webhook with events ``event_phone_call_ended``,
                ``event_phone_call_did_not_connect`` and ``event_phone_call_error``): each call
                is reported as soon as its final event arrives; polls find any whose webhook
                was lost. Each call is reported once, whichever source sees its end first.

        Raises:
            PreflightError: When the job runs, with ``preflight``: the check failed.
        """
        operation = calls_operation(self._client, agent_id=agent_id, options=options)
        return BulkJob(
            numbers,
            operation,
            concurrency=concurrency,
            journal=journal,
            retry_failed=retry_failed,
            on_progress=on_progress,
            preflight=preflight,
            wait=wait,
            poll_interval=poll_interval,
            wait_timeout=wait_timeout,
            reconcile_grace=reconcile_grace,
            redial_not_placed=redial_not_placed,
            call_ends=call_ends,
        )

    def reconcile_journal(
        self,
        journal: str | Path,
        *,
        agent_id: str,
        reconcile_grace: float = 60.0,
        on_progress: Callable[[BulkSummary], object] | None = None,
        **options: Unpack[RequestOptions],
    ) -> BulkJob[dict[str, object]]:
        """
        Settle the unclear calls of a `dial_many` journal without dialling anything.

        Every number the journal left ``unknown`` or ``pending`` (a killed run) is looked up in
        the call history (number, agent, time of its last attempt): found, ``done`` with its
        call id; still not there ``reconcile_grace`` seconds after that attempt, ``not_placed``
        (which a later ``dial_many(..., redial_not_placed=True)`` with the journal dials
        again). The journal records the results; finished numbers are not reported.

        Args:
            journal: The SQLite journal a `dial_many` run wrote.
            agent_id: The agent of that run (the journal refuses another).
            reconcile_grace: Seconds after a number's last attempt before its absence from the
                history counts as ``not_placed``; the job waits for younger ones.
            on_progress: Called with the running `BulkSummary` after every number.

        Raises:
            ConfigurationError: When the job runs: the journal belongs to another job (another
                agent or base URL).
        """
        operation = calls_operation(self._client, agent_id=agent_id, options=options)
        return BulkJob.reconciling(
            operation, journal, reconcile_grace=reconcile_grace, on_progress=on_progress
        )
