"""
The bulk engine shared by every bulk helper (contact and company imports, call dialing).

Before the first item, the operation's preflight checks the credentials and the job's parents.
One producer then reads the input (any iterable or async iterable, never all of it at once),
validates each item, skips repeats of an earlier item's key and checks the journal in chunks;
``concurrency`` workers take items from a bounded stream and send them through the client, whose
rate limiter and 429 cooldown pace all of them together. Unclear answers are re-sent (items the
API dedupes by key) or looked up in the platform's history (the others), once right away and
once more at the end of the job, after a grace period. A job that waits follows its placed
calls to their end (`Follower`). Every input item gets exactly one `ItemOutcome`, streamed to
the caller and counted in the `BulkSummary`.
"""

from __future__ import annotations

import operator
from collections.abc import AsyncIterable, AsyncIterator, Callable, Generator, Iterable
from contextlib import AsyncExitStack, aclosing, asynccontextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

import anyio
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from talkkit.bulk._clock import Clock, check_seconds
from talkkit.bulk._dedupe import FirstRows
from talkkit.bulk._feed import CallEnds, poll_interval_for
from talkkit.bulk._follow import Follower
from talkkit.bulk._journal import Journal, JournalEntry
from talkkit.bulk._pipes import Taken, enumerate_items, put
from talkkit.bulk._plan import plan_known, plan_lookup
from talkkit.bulk._reconcile import Reconciler
from talkkit.bulk._scaleout import SharedRows, file_digest
from talkkit.bulk._shared import ClaimLostError, JournalLostError, RedisJournal, is_redis_url
from talkkit.bulk._sources import CsvSource
from talkkit.bulk._stop import JobStop
from talkkit.bulk._types import BulkOperation, BulkSummary, ItemOutcome, Outcome, Prepared
from talkkit.bulk._work import (
    Work,
    aborted,
    invalid,
    maybe_processed,
    outcome,
    repeat,
    stopped_on,
)
from talkkit.errors import (
    ConfigurationError,
    ConflictError,
    InvalidRequestError,
    OutcomeUnknownError,
    RateLimitError,
    ServiceUnavailableError,
    TalkkitError,
)

__all__ = ["BulkJob"]

P = TypeVar("P")

MAX_RESENDS = 10  # re-sends of a key-idempotent item after unclear answers, in one run
MAX_RESCHEDULES = 20  # long Retry-After waits before an item is given up as failed
RESEND_BACKOFF = 0.05  # seconds before the first re-send; doubling up to RESEND_BACKOFF_MAX
RESEND_BACKOFF_MAX = 1.0
_CHUNK = 256  # input items validated and looked up in the journal together


class BulkJob(Generic[P]):
    """
    A bulk job over many items: run it, or stream its outcomes as they happen.

    ::

        summary = await job.run()

        async with job.stream() as outcomes:
            async for outcome in outcomes:
                ...

    Every item ends ``done``, ``skipped``, ``failed``, ``unknown``, ``not_sent`` (the job
    stopped before it) or ``not_placed`` (an unclear call the history did not show once the
    grace period had passed), and the summary's counts add up to the input.

    The job stops early on an error about the job rather than the row — refused credentials
    (401, 403), the job's parent not found (a 404, as the operation's ``stops_job`` says), or a
    storm: at least 80 % of the last 50 finished sends failing with a server error, no answer
    or an unclear one after the client's retries. Items in flight keep their outcome (the storm's
    too); the rest, and the item whose own 401, 403 or 404 stopped the job, end ``not_sent``:
    never journaled as finished, they are sent by a resumed run. ``summary.aborted`` says why.

    Args:
        items: Any iterable or async iterable of raw items (rows).
        operation: What to do with each item (validation, request, idempotency rules).
        concurrency: Requests in flight at most (the workers).
        journal: A SQLite file to resume from; a re-run skips finished items. Or a Redis
            journal (`RedisJournal`, or its URL ``"redis://host:6379/0"``): the job is then
            shared by every process that runs it (see the scale-out guide); its rows must be
            JSON (a `CsvSource`'s are).
        retry_failed: With a journal, send items that failed in an earlier run again.
        on_progress: Called with the running summary after every outcome.
        preflight: Run the operation's preflight before reading any item; its
            `PreflightError` comes out of `run` / `stream` with nothing sent.
        wait: Follow each placed call to its end (the operation's ``follow``, one poll for all
            live calls) and report it then, with its final status and talk time.
        poll_interval: Seconds between those polls (``None``: 5, or 30 with ``call_ends``).
        call_ends: With ``wait``, a feed of call ends pushed from outside (webhooks): a call
            whose end is pushed is reported at once; the polls still find the others.
        wait_timeout: Seconds to wait for one call to end (``None``: no limit); a call still
            live then is reported done without a status, counted ``unfinished``.
        reconcile_grace: Seconds after an unclear attempt before the last look at the history
            decides: found, ``done``; not there, ``not_placed``.
        redial_not_placed: On resume, send the items a journal holds as ``not_placed`` again
            (otherwise they are reported from it and left alone).
    """

    def __init__(
        self,
        items: Iterable[Any] | AsyncIterable[Any],
        operation: BulkOperation[P],
        *,
        concurrency: int = 16,
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
    ) -> None:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise InvalidRequestError(
                "concurrency", "must be a whole number of at least 1", value=concurrency
            )
        poll_interval = poll_interval_for(poll_interval, call_ends)
        check_seconds("poll_interval", poll_interval, zero=False)
        if wait_timeout is not None:
            check_seconds("wait_timeout", wait_timeout)
        check_seconds("reconcile_grace", reconcile_grace)
        if wait and operation.follow is None:
            raise InvalidRequestError(
                "wait", "this job cannot follow its items (its operation has no follow)"
            )
        if call_ends is not None and not (wait and isinstance(call_ends, CallEnds)):
            raise InvalidRequestError("call_ends", "takes a CallEnds feed, with wait=True")
        self.items = items
        self.operation = operation
        self.concurrency = concurrency
        self.shared_journal: RedisJournal | None = None
        """The Redis journal of a job shared by many processes (``None``: not shared)."""
        self.journal_path: Path | None = None
        if isinstance(journal, RedisJournal):
            self.shared_journal = journal
        elif is_redis_url(journal):
            assert isinstance(journal, str)
            self.shared_journal = RedisJournal(journal)
        elif journal is not None:
            self.journal_path = Path(journal)
        self.retry_failed = retry_failed
        self.on_progress = on_progress
        self.preflight = preflight
        self.wait = wait
        self.poll_interval = poll_interval
        self.call_ends = call_ends
        self.wait_timeout = wait_timeout
        self.reconcile_grace = reconcile_grace
        self.redial_not_placed = redial_not_placed
        self.summary = BulkSummary()
        self._clock = Clock()
        self._lookup_only = False  # `reconciling`: the journal's unclear items, looked up only
        self._together = False  # hand many items to the workers per turn (`starts_together`)
        self._journal: Journal | RedisJournal | None = None  # one process's, or shared
        self._shared: SharedRows | None = None
        self.complete: bool | None = None
        """A shared job: whether every row of the job had its outcome when this run ended."""
        self.last = False
        """A shared job: this process was the last one working on it (it reports the job)."""
        self.job_summary: BulkSummary | None = None
        """A shared job this process finished last: the job-wide summary (every process's rows)."""
        self._out: MemoryObjectSendStream[ItemOutcome] | None = None
        self._requeue: MemoryObjectSendStream[Work[P]] | None = None
        self._outstanding = 0
        self._input_done = False
        self._stop: JobStop | None = None
        self._follower: Follower | None = None
        self._first_rows = FirstRows()  # where each key first appeared in this input
        self._reconciler: Reconciler[P] | None = None
        self._started = False

    @classmethod
    def reconciling(
        cls,
        operation: BulkOperation[P],
        journal: str | Path,
        *,
        reconcile_grace: float = 60.0,
        on_progress: Callable[[BulkSummary], object] | None = None,
    ) -> BulkJob[P]:
        """
        A job over a journal's unclear items (``unknown`` and ``pending``), each only looked up
        in the platform's history, never sent: found, ``done``; not there once
        ``reconcile_grace`` has passed since its last attempt, ``not_placed``.

        Raises:
            InvalidRequestError: The operation cannot look items up (no ``reconcile``) or
                rebuild them from their journal key (no ``from_key``).
            ConfigurationError: When run: ``journal`` does not exist, or belongs to another job.
        """
        if is_redis_url(journal):
            raise InvalidRequestError(
                "journal", "a Redis job reconciles its unclear items itself: run the job again"
            )
        if operation.reconcile is None or operation.from_key is None:
            raise InvalidRequestError(
                "operation",
                "cannot reconcile a journal: it has no reconcile or no from_key",
                value=operation.name,
            )
        job = cls(
            (),
            operation,
            journal=journal,
            on_progress=on_progress,
            preflight=False,
            reconcile_grace=reconcile_grace,
        )
        job._lookup_only = True
        return job

    def __await__(self) -> Generator[Any, None, BulkSummary]:
        """``await job`` is ``await job.run()``."""
        return self.run().__await__()

    async def run(self) -> BulkSummary:
        """Run to the end and return the summary."""
        async with self.stream() as outcomes:
            async for _ in outcomes:
                pass
        return self.summary

    @asynccontextmanager
    async def stream(self) -> AsyncIterator[AsyncIterator[ItemOutcome]]:
        """Run the job while the block consumes its outcomes; leaving early cancels it cleanly."""
        if self._started:
            raise RuntimeError("a BulkJob runs once; create another for another run")
        self._started = True
        self._stop = JobStop(self.operation.stops_job, on_stop=self._stopped)
        if self.operation.reconcile is not None:
            self._reconciler = Reconciler(
                self.operation.reconcile,
                grace=self.reconcile_grace,
                concurrency=self.concurrency,
                clock=self._clock,
                stop=self._stop,
                finish=self._finish,
            )
        if self.preflight and self.operation.preflight is not None:
            await self.operation.preflight()  # its PreflightError: nothing sent, nothing emitted
        if self._lookup_only and self.journal_path is not None and not self.journal_path.exists():
            raise ConfigurationError("journal", "no such file", value=str(self.journal_path))
        async with AsyncExitStack() as stack:
            if self.shared_journal is not None:
                await self._open_shared(stack, self.shared_journal)
            elif self.journal_path is not None:
                self._journal = await stack.enter_async_context(
                    Journal(self.journal_path, kind=self.operation.name, scope=self.operation.scope)
                )
            send, receive = anyio.create_memory_object_stream[ItemOutcome](self.concurrency * 2)
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._run_all, send)
                if self._shared is not None:
                    tg.start_soon(self._shared.keep_leases)
                try:
                    yield Taken(receive)
                finally:
                    tg.cancel_scope.cancel()  # no-op when the job already finished
                    receive.close()

    async def _open_shared(self, stack: AsyncExitStack, journal: RedisJournal) -> None:
        """Join the shared job: its journal, and this process's share of its rows."""
        fingerprint = ""
        if isinstance(self.items, CsvSource):
            fingerprint = await anyio.to_thread.run_sync(file_digest, self.items.path)
        journal.bind(self.operation.name, self.operation.scope, fingerprint)
        self._journal = await stack.enter_async_context(journal)
        self._shared = SharedRows(
            journal,
            self.items,
            self.operation.prepare,
            batch=self.concurrency,
            emit=lambda ended: self._emit(ended, recorded=True),
            stopped=lambda: self._stopper.is_stopped,
            idle=self._settle,
        )
        stack.push_async_callback(self._give_back)

    async def _give_back(self) -> None:
        """Leaving the job, finished or interrupted (`SharedRows.leave`)."""
        assert self._shared is not None
        self.complete, self.last, self.job_summary = await self._shared.leave()

    # -- the pipeline -----------------------------------------------------------------------

    async def _run_all(self, out: MemoryObjectSendStream[ItemOutcome]) -> None:
        self._out = out
        async with out, anyio.create_task_group() as tg:
            if self.wait and self.operation.follow is not None:
                self._follower = Follower(
                    self.operation.follow,
                    poll_interval=self.poll_interval,
                    wait_timeout=self.wait_timeout,
                    report=lambda ended: self._emit(ended, followed=True),
                    refused=self._stopper.stop_on,
                    call_ends=self.call_ends,
                )
                tg.start_soon(self._follower.run)
            try:
                await self._send_all()
                await self._settle()
            finally:
                if self._follower is not None:
                    self._follower.close()

    async def _settle(self) -> None:
        """The last lookups of the unclear items held back (all of them, so far)."""
        if self._reconciler is not None:
            if self._check_journal():
                await self._reconciler.settle()
            else:  # no last lookup can be recorded: the next run settles them
                await self._reconciler.abandon()

    async def _send_all(self) -> None:
        work_send, work_receive = anyio.create_memory_object_stream[Work[P]](self.concurrency)
        together = self.operation.starts_together
        self._together = together is not None and together()
        self._requeue = work_send.clone()
        try:
            async with anyio.create_task_group() as tg:
                for _ in range(self.concurrency):
                    tg.start_soon(self._worker, work_receive.clone(), tg)
                work_receive.close()
                async with work_send:
                    if self._lookup_only:
                        await self._produce_from_journal(work_send)
                    else:
                        await self._produce(work_send)
                self._input_done = True
                await self._maybe_close_requeue()
        finally:
            if self._requeue is not None:  # cancelled with items still outstanding
                self._requeue.close()
                self._requeue = None

    async def _produce(self, work: MemoryObjectSendStream[Work[P]]) -> None:
        if self._shared is not None:
            await self._shared.produce(lambda chunk: self._dispatch(chunk, work))
            self._check_journal()
            return
        # Sized for the input up front (a CSV counts its lines): growing the table holds the
        # old one and the new one at once (a million rows: 36 MB at the peak, not 24).
        if isinstance(self.items, CsvSource):
            expected = await anyio.to_thread.run_sync(self.items.count_rows)
        else:
            expected = operator.length_hint(self.items, 0)
        self._first_rows = FirstRows(max(expected * 3 // 2 + 1, 1024))
        chunk: list[tuple[int, Any]] = []
        inputs = enumerate_items(self.items, _CHUNK)
        async with aclosing(inputs):  # type: ignore[type-var]  # an async generator
            async for index, raw in inputs:
                chunk.append((index, raw))
                if len(chunk) >= _CHUNK:
                    await self._dispatch(chunk, work)
                    chunk = []
        if chunk:
            await self._dispatch(chunk, work)

    async def _produce_from_journal(self, work: MemoryObjectSendStream[Work[P]]) -> None:
        """The items of `reconciling`: the journal's unclear entries, each to be looked up."""
        assert self._journal is not None
        entries = [*await self._journal.entries("unknown"), *await self._journal.entries("pending")]
        for index, (key, entry) in enumerate(entries):
            if self._stopper.is_stopped:
                await self._emit(aborted(index, key, self._stopper.error))
                continue
            decided = plan_lookup(index, key, entry, self.operation)
            if isinstance(decided, ItemOutcome):
                await self._emit(decided)
            else:
                self._outstanding += 1
                await work.send(decided)

    async def _dispatch(
        self, chunk: list[tuple[int, Any]], work: MemoryObjectSendStream[Work[P]]
    ) -> None:
        ready: list[tuple[int, Prepared[P]]] = []
        for index, raw in chunk:
            try:
                prepared = self.operation.prepare(raw)
            except InvalidRequestError as exc:  # a bad row is reported as such, stopped or not
                await self._emit(invalid(index, exc))
                continue
            if self._stopper.is_stopped:  # named by its key, as a sent row would be
                await self._emit(aborted(index, prepared.key, self._stopper.error))
                continue
            ready.append((index, prepared))
        known: dict[str, JournalEntry] = {}
        if self._journal is not None:
            known = await self._journal.lookup([p.key for _, p in ready])
        for index, prepared in ready:
            item = await self._plan(index, prepared, known.get(prepared.key))
            if item is not None:
                self._outstanding += 1
                if self._together:  # measured at 64 workers on aiohttp: 1.5× the rows/s
                    await put(work, item)
                else:  # one per turn: httpx's pool was 1.6× slower without (64 workers)
                    await work.send(item)

    async def _plan(
        self, index: int, prepared: Prepared[P], entry: JournalEntry | None
    ) -> Work[P] | None:
        """Decide what to do with a valid item; emit its outcome now when nothing is sent."""
        # A shared job's input was deduped job-wide when it was loaded.
        earlier = None if self._shared is not None else self._first_rows.first(prepared.key, index)
        if earlier is not None:
            # Never sent: the 409 of a re-send can then only answer our own earlier attempt.
            await self._emit(repeat(index, prepared.key, earlier))
            return None
        if entry is None:
            return Work(index, prepared)
        decided = plan_known(
            index,
            prepared,
            entry,
            resendable=self._resendable(prepared),
            can_look_up=self._reconciler is not None,
            retry_failed=self.retry_failed,
            redial_not_placed=self.redial_not_placed,
        )
        if isinstance(decided, ItemOutcome):
            await self._emit(decided)
            return None
        return decided

    async def _worker(self, work: MemoryObjectReceiveStream[Work[P]], tg: TaskGroup) -> None:
        async with work:
            async for item in Taken(work) if self._together else work:
                # (One item, handled here rather than in a coroutine of its own: every await of
                # a send passes through each frame.)
                if self._stopper.is_stopped:
                    await self._not_sent(item)
                elif item.reconcile_since is not None:
                    assert self._reconciler is not None
                    since = item.reconcile_since
                    await self._reconciler.look_up(item, since, since, 0, None)
                elif not await self._send(item, tg):
                    continue  # rescheduled: it comes back later
                self._outstanding -= 1
                if self._input_done and self._outstanding == 0:
                    await self._maybe_close_requeue()

    async def _send(self, item: Work[P], tg: TaskGroup) -> bool:
        stop = self._stopper
        attempts = 0
        while True:
            if self._journal is not None:
                try:
                    await self._journal.mark_pending(item.prepared.key, item.index)
                except ClaimLostError:  # another process took the row over: it reports it
                    assert self._shared is not None
                    self._shared.done_with(item.index)
                    return True
                except JournalLostError as exc:
                    stop.stop_on(exc)
                    await self._not_sent(item)
                    return True
                item.marked = True
            attempts += 1
            started = self._clock.wall()
            try:
                resource_id = await self.operation.send(item.prepared.payload)
            except ConflictError as exc:
                if stop.is_job_level(item.prepared, exc):  # e.g. a call to an unpublished agent
                    await self._failed(item, attempts, exc, started)
                    return True
                stop.observe(None)
                if item.resend:  # our own earlier attempt stored it (no other row has its key)
                    await self._finish(outcome(item, Outcome.DONE, attempts, None))
                else:
                    await self._finish(outcome(item, Outcome.SKIPPED, attempts, exc))
                return True
            except OutcomeUnknownError as exc:
                stop.observe(exc)
                item.resend = True
                if self._resendable(item.prepared) and attempts <= MAX_RESENDS:
                    await self._clock.sleep(_resend_delay(attempts))
                    if not stop.is_stopped:
                        continue  # the API dedupes by natural key: sending again is safe
                if self._reconciler is not None:
                    ended = self._clock.wall()
                    await self._reconciler.look_up(item, started, ended, attempts, exc)
                else:
                    await self._finish(outcome(item, Outcome.UNKNOWN, attempts, exc), started)
                return True
            except (RateLimitError, ServiceUnavailableError) as exc:
                if exc.retry_after is not None and item.reschedules < MAX_RESCHEDULES:
                    item.reschedules += 1  # not processed: come back later, free the worker
                    tg.start_soon(self._later, item, exc.retry_after)
                    return False
                await self._failed(item, attempts, exc, started)
                return True
            except TalkkitError as exc:
                await self._failed(item, attempts, exc, started)
                return True
            stop.observe(None)
            await self._finish(outcome(item, Outcome.DONE, attempts, None, resource_id))
            return True

    async def _failed(
        self, item: Work[P], attempts: int, error: TalkkitError, since: float
    ) -> None:
        """A definite error: the item failed, or the whole job stops on it."""
        stop = self._stopper
        if not stop.is_job_level(item.prepared, error):
            stop.observe(error)
            await self._finish(outcome(item, Outcome.FAILED, attempts, error))
            return
        stop.stop_on(error)
        if item.resend:  # an earlier attempt of it may have been processed
            await self._finish(maybe_processed(item, attempts, error), since)
        else:
            await self._not_sent(item, error, attempts)

    async def _later(self, item: Work[P], delay: float) -> None:
        with anyio.move_on_after(min(delay, 3600.0)):
            await self._stopper.stopped.wait()  # a stopped job reports it not sent at once
        assert self._requeue is not None
        await self._requeue.send(item)

    async def _maybe_close_requeue(self) -> None:
        if self._input_done and self._outstanding == 0 and self._requeue is not None:
            await self._requeue.aclose()
            self._requeue = None

    # -- outcomes -------------------------------------------------------------------------------

    def _check_journal(self) -> bool:
        """Whether the shared journal still answers; when it went away, the job stops."""
        lost = self.shared_journal.lost if self.shared_journal is not None else None
        if lost is not None:
            self._stopper.stop_on(lost)
        return lost is None

    @property
    def _stopper(self) -> JobStop:
        assert self._stop is not None
        return self._stop

    def _stopped(self, reason: str) -> None:
        self.summary.aborted = reason

    def _resendable(self, prepared: Prepared[P]) -> bool:
        return self.operation.idempotent_by_key and prepared.resendable

    async def _not_sent(
        self, item: Work[P], error: TalkkitError | None = None, attempts: int = 0
    ) -> None:
        """The job stopped before processing the item (or on its own answer, ``error``)."""
        if item.marked and not item.resend and self._journal is not None:
            # Its request was refused before anything happened: a resumed run sends it.
            await self._journal.forget_pending(item.prepared.key)
        if error is None:
            await self._emit(aborted(item.index, item.prepared.key, self._stopper.error))
        else:
            await self._emit(stopped_on(item, attempts, error))

    async def _finish(self, ended: ItemOutcome, since: float | None = None) -> None:
        """
        Record a processed item's outcome; report it now, or when its call ended. ``since``:
        when the last attempt of an item left unclear began (where a later lookup starts).
        """
        if self._journal is not None and ended.outcome is not Outcome.NOT_SENT:
            await self._journal.record(
                ended.key,
                ended.outcome,
                resource_id=ended.resource_id,
                code=ended.code,
                message=ended.message,
                at=since if ended.outcome is Outcome.UNKNOWN else None,
            )
        if (
            self._follower is not None
            and ended.outcome is Outcome.DONE
            and ended.resource_id is not None
        ):
            self._follower.add(ended)
        else:
            await self._emit(ended)

    async def _emit(
        self, ended: ItemOutcome, *, followed: bool = False, recorded: bool = False
    ) -> None:
        """Report an outcome (``recorded``: a shared job's load already recorded it)."""
        if self._shared is not None and not recorded:
            # The row's job-wide outcome; a row not sent goes back for a later run.
            assert self.shared_journal is not None
            if ended.outcome is Outcome.NOT_SENT:
                await self.shared_journal.release(ended.index)
            else:
                await self.shared_journal.finish_row(ended)
            self._shared.done_with(ended.index)
        self.summary.add(ended, followed=followed)
        if self.on_progress is not None:
            self.on_progress(self.summary)
        assert self._out is not None
        try:
            await put(self._out, ended)
        except anyio.BrokenResourceError:
            # The consumer left ``stream()`` early and the job is being cancelled: the outcome
            # is counted (and journaled), only nobody reads it any more.
            return


def _resend_delay(attempt: int) -> float:
    """Seconds before re-sending after the ``attempt``-th unclear answer (short, then capped)."""
    return min(RESEND_BACKOFF * 2.0 ** (attempt - 1), RESEND_BACKOFF_MAX)
