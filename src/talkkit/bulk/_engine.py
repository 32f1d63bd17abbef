"""
The bulk engine shared by every bulk helper (contact and company imports, call dialing).

One producer reads the input (any iterable or async iterable, never all of it at once),
validates each item and checks the journal in chunks; ``concurrency`` workers take items from a
bounded stream and send them through the client, whose rate limiter and 429 cooldown pace all
of them together. Every input item gets exactly one `ItemOutcome`, streamed to the caller and
counted in the `BulkSummary`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterable, AsyncIterator, Callable, Generator, Iterable
from contextlib import AsyncExitStack, aclosing, asynccontextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

import anyio
import attrs
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from talkkit.bulk._journal import Journal, JournalEntry
from talkkit.bulk._types import BulkOperation, BulkSummary, ItemOutcome, Outcome, Prepared
from talkkit.errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
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
T = TypeVar("T")

MAX_RESENDS = 3  # re-sends of a key-idempotent item after unclear failures
MAX_RESCHEDULES = 20  # long Retry-After waits before an item is given up as failed
_CHUNK = 256  # input items validated and looked up in the journal together


@attrs.define
class _Work(Generic[P]):
    index: int
    prepared: Prepared[P]
    resend: bool = False  # an earlier attempt (this run or a killed one) may have created it
    reconcile_since: float | None = None  # set: look it up instead of sending
    reschedules: int = 0


class BulkJob(Generic[P]):
    """
    A bulk job over many items: run it, or stream its outcomes as they happen.

    ::

        summary = await job.run()

        async with job.stream() as outcomes:
            async for outcome in outcomes:
                ...

    Args:
        items: Any iterable or async iterable of raw items (rows).
        operation: What to do with each item (validation, request, idempotency rules).
        concurrency: Requests in flight at most (the workers).
        journal: A SQLite file to resume from; a re-run skips finished items.
        retry_failed: With a journal, send items that failed in an earlier run again.
        on_progress: Called with the running summary after every outcome.
    """

    def __init__(
        self,
        items: Iterable[Any] | AsyncIterable[Any],
        operation: BulkOperation[P],
        *,
        concurrency: int = 16,
        journal: str | Path | None = None,
        retry_failed: bool = False,
        on_progress: Callable[[BulkSummary], object] | None = None,
    ) -> None:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise InvalidRequestError(
                "concurrency", "must be a whole number of at least 1", value=concurrency
            )
        self.items = items
        self.operation = operation
        self.concurrency = concurrency
        self.journal_path = Path(journal) if journal is not None else None
        self.retry_failed = retry_failed
        self.on_progress = on_progress
        self.summary = BulkSummary()
        self._journal: Journal | None = None
        self._out: MemoryObjectSendStream[ItemOutcome] | None = None
        self._requeue: MemoryObjectSendStream[_Work[P]] | None = None
        self._outstanding = 0
        self._input_done = False
        self._aborted: TalkkitError | None = None
        self._abort_outcome: ItemOutcome | None = None
        self._seen: set[str] = set()  # keys of items the server cannot dedupe, this run
        self._started = False

    def __await__(self) -> Generator[Any, None, BulkSummary]:
        """``await job`` is ``await job.run()``."""
        return self.run().__await__()

    async def run(self) -> BulkSummary:
        """Run to the end and return the summary."""
        async with self.stream() as outcomes:
            assert isinstance(outcomes, MemoryObjectReceiveStream)
            while True:
                try:
                    await _take(outcomes)
                except anyio.EndOfStream:
                    break
        return self.summary

    @asynccontextmanager
    async def stream(self) -> AsyncIterator[AsyncIterator[ItemOutcome]]:
        """Run the job while the block consumes its outcomes; leaving early cancels it cleanly."""
        if self._started:
            raise RuntimeError("a BulkJob runs once; create another for another run")
        self._started = True
        async with AsyncExitStack() as stack:
            if self.journal_path is not None:
                self._journal = await stack.enter_async_context(
                    Journal(self.journal_path, kind=self.operation.name, scope=self.operation.scope)
                )
            send, receive = anyio.create_memory_object_stream[ItemOutcome](self.concurrency * 2)
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._run_all, send)
                try:
                    yield receive  # a memory stream is itself an async iterator of outcomes
                finally:
                    tg.cancel_scope.cancel()  # no-op when the job already finished
                    receive.close()

    # -- the pipeline -----------------------------------------------------------------------

    async def _run_all(self, out: MemoryObjectSendStream[ItemOutcome]) -> None:
        work_send, work_receive = anyio.create_memory_object_stream[_Work[P]](self.concurrency)
        self._out = out
        self._requeue = work_send.clone()
        try:
            async with out, anyio.create_task_group() as tg:
                for _ in range(self.concurrency):
                    tg.start_soon(self._worker, work_receive.clone(), tg)
                work_receive.close()
                async with work_send:
                    await self._produce(work_send)
                self._input_done = True
                await self._maybe_close_requeue()
        finally:
            if self._requeue is not None:  # cancelled with items still outstanding
                self._requeue.close()
                self._requeue = None

    async def _produce(self, work: MemoryObjectSendStream[_Work[P]]) -> None:
        chunk: list[tuple[int, Any]] = []
        inputs = _enumerate(self.items)
        async with aclosing(inputs):  # type: ignore[type-var]  # an async generator
            async for index, raw in inputs:
                chunk.append((index, raw))
                if len(chunk) >= _CHUNK:
                    await self._dispatch(chunk, work)
                    chunk = []
        if chunk:
            await self._dispatch(chunk, work)

    async def _dispatch(
        self, chunk: list[tuple[int, Any]], work: MemoryObjectSendStream[_Work[P]]
    ) -> None:
        ready: list[tuple[int, Prepared[P]]] = []
        for index, raw in chunk:
            if self._aborted is not None:
                await self._emit(self._aborted_outcome(index, ""))
                continue
            try:
                ready.append((index, self.operation.prepare(raw)))
            except InvalidRequestError as exc:
                await self._emit(
                    ItemOutcome(
                        index=index,
                        key=_row_key(index),
                        outcome=Outcome.FAILED,
                        code="invalid_input",
                        message=str(exc),
                        field=exc.field,
                    )
                )
        known: dict[str, JournalEntry] = {}
        if self._journal is not None:
            known = await self._journal.lookup([p.key for _, p in ready])
        for index, prepared in ready:
            item = await self._plan(index, prepared, known.get(prepared.key))
            if item is not None:
                self._outstanding += 1
                # A yield per item here, unlike `_put`: without it httpx's connection pool
                # served some requests seconds late (measured: 4× slower at 64 workers).
                await work.send(item)

    async def _plan(
        self, index: int, prepared: Prepared[P], entry: JournalEntry | None
    ) -> _Work[P] | None:
        """Decide what to do with a valid item; emit its outcome now when nothing is sent."""
        key = prepared.key
        resendable = self.operation.idempotent_by_key and prepared.resendable
        if not resendable:
            if key in self._seen:
                await self._emit(
                    ItemOutcome(
                        index=index,
                        key=key,
                        outcome=Outcome.SKIPPED,
                        code="duplicate_in_input",
                        message="the same item appears earlier in the input: not sent twice",
                    )
                )
                return None
            self._seen.add(key)
        if entry is None:
            return _Work(index, prepared)
        state = entry.state
        if state in ("done", "skipped") or (state == "failed" and not self.retry_failed):
            await self._emit(
                ItemOutcome(
                    index=index,
                    key=key,
                    outcome=Outcome(state),
                    resource_id=entry.resource_id,
                    code=entry.code,
                    message=entry.message,
                    from_journal=True,
                )
            )
            return None
        if state == "failed":
            return _Work(index, prepared)
        if state in ("pending", "unknown") and resendable:
            # Maybe stored by an earlier run (sent before a crash, or its answer was lost):
            # the API dedupes by natural key, so send it again; a 409 then means it was ours.
            return _Work(index, prepared, resend=True)
        # unknown or pending, never to be repeated (a call, a company): look it up or report it
        if self.operation.reconcile is not None:
            return _Work(index, prepared, reconcile_since=entry.updated)
        await self._record_and_emit(
            ItemOutcome(
                index=index,
                key=key,
                outcome=Outcome.UNKNOWN,
                code=entry.code or "outcome_unknown",
                message=entry.message
                or "may have been sent by an earlier run: check before retrying",
                from_journal=True,
            )
        )
        return None

    async def _worker(self, work: MemoryObjectReceiveStream[_Work[P]], tg: TaskGroup) -> None:
        async with work:
            async for item in work:
                outcome = await self._handle(item, tg)
                if outcome is not None:
                    await self._record_and_emit(outcome)
                    self._outstanding -= 1
                    await self._maybe_close_requeue()

    async def _handle(self, item: _Work[P], tg: TaskGroup) -> ItemOutcome | None:
        """Process one item; ``None`` when it was rescheduled."""
        key = item.prepared.key
        if self._aborted is not None:
            return self._aborted_outcome(item.index, key)
        if item.reconcile_since is not None:
            return await self._reconcile(item, item.reconcile_since, attempts=0)
        attempts = 0
        resend = item.resend
        while True:
            if self._journal is not None:
                await self._journal.mark_pending(key)
            attempts += 1
            started = anyio.current_time()
            try:
                resource_id = await self.operation.send(item.prepared.payload)
            except ConflictError as exc:
                outcome = Outcome.DONE if resend else Outcome.SKIPPED
                return self._outcome(
                    item, outcome, attempts, exc if outcome is Outcome.SKIPPED else None
                )
            except OutcomeUnknownError as exc:
                if (
                    self.operation.idempotent_by_key
                    and item.prepared.resendable
                    and attempts <= MAX_RESENDS
                ):
                    resend = True  # the API dedupes by natural key: sending again is safe
                    continue
                if self.operation.reconcile is not None:
                    return await self._reconcile(item, started, attempts, exc)
                return self._outcome(item, Outcome.UNKNOWN, attempts, exc)
            except (RateLimitError, ServiceUnavailableError) as exc:
                if exc.retry_after is not None and item.reschedules < MAX_RESCHEDULES:
                    item.reschedules += 1  # not processed: come back later, free the worker
                    tg.start_soon(self._later, item, exc.retry_after)
                    return None
                return self._outcome(item, Outcome.FAILED, attempts, exc)
            except (AuthenticationError, ConfigurationError) as exc:
                self._abort(exc)
                self._abort_outcome = self._outcome(item, Outcome.FAILED, attempts, exc)
                return self._abort_outcome
            except (APIError, APIConnectionError, TalkkitError) as exc:
                return self._outcome(item, Outcome.FAILED, attempts, exc)
            return self._outcome(item, Outcome.DONE, attempts, None, resource_id)

    async def _reconcile(
        self, item: _Work[P], since: float, attempts: int, cause: TalkkitError | None = None
    ) -> ItemOutcome:
        assert self.operation.reconcile is not None
        try:
            found = await self.operation.reconcile(item.prepared, since)
        except TalkkitError as exc:
            found, cause = None, cause or exc
        if found is not None:
            return ItemOutcome(
                index=item.index,
                key=item.prepared.key,
                outcome=Outcome.DONE,
                resource_id=found,
                attempts=attempts,
                code="reconciled",
                message="confirmed in the platform's history after an unclear answer",
            )
        return self._outcome(
            item,
            Outcome.UNKNOWN,
            attempts,
            cause,
            message=(
                "may have happened: not found in the platform's history yet; check before retrying"
            ),
        )

    async def _later(self, item: _Work[P], delay: float) -> None:
        await anyio.sleep(min(delay, 3600.0))
        assert self._requeue is not None
        await self._requeue.send(item)

    async def _maybe_close_requeue(self) -> None:
        if self._input_done and self._outstanding == 0 and self._requeue is not None:
            await self._requeue.aclose()
            self._requeue = None

    # -- outcomes -------------------------------------------------------------------------------

    def _outcome(
        self,
        item: _Work[P],
        outcome: Outcome,
        attempts: int,
        error: TalkkitError | None,
        resource_id: str | None = None,
        message: str | None = None,
    ) -> ItemOutcome:
        code = getattr(error, "code", None) or (type(error).__name__ if error is not None else None)
        if isinstance(error, OutcomeUnknownError):
            code = "outcome_unknown"
        text = message or (
            getattr(error, "message", None) or str(error) if error is not None else None
        )
        return ItemOutcome(
            index=item.index,
            key=item.prepared.key,
            outcome=outcome,
            resource_id=resource_id,
            code=code,
            message=text,
            attempts=attempts,
        )

    def _abort(self, error: TalkkitError) -> None:
        if self._aborted is None:
            self._aborted = error
            self.summary.aborted = f"stopped: {error} (nothing more was sent)"

    def _aborted_outcome(self, index: int, key: str) -> ItemOutcome:
        return ItemOutcome(
            index=index,
            key=key or _row_key(index),
            outcome=Outcome.FAILED,
            code="aborted",
            message=f"not sent: the job stopped ({self._aborted})",
        )

    async def _record_and_emit(self, outcome: ItemOutcome) -> None:
        # Not journaled: rows the job never sent ("aborted") and the one whose 401/403 stopped
        # it — after fixing the token, a re-run must send them without --retry-failed.
        final = outcome.code != "aborted" and not outcome.from_journal
        if self._journal is not None and final and outcome is not self._abort_outcome:
            await self._journal.record(
                outcome.key,
                outcome.outcome,
                resource_id=outcome.resource_id,
                code=outcome.code,
                message=outcome.message,
            )
        await self._emit(outcome)

    async def _emit(self, outcome: ItemOutcome) -> None:
        self.summary.add(outcome)
        if self.on_progress is not None:
            self.on_progress(self.summary)
        assert self._out is not None
        # BrokenResourceError: the consumer left ``stream()`` early and the job is being
        # cancelled; the outcome is counted (and journaled, above), only nobody reads it any more.
        with contextlib.suppress(anyio.BrokenResourceError):
            await _put(self._out, outcome)


# The hand-offs from the workers to the consumer of outcomes. anyio's ``send`` and ``receive``
# yield to the event loop on every call, even when the item can move at once; these yield only
# when they have to wait (the producer's and the workers' hand-offs keep their yields: see
# `_dispatch` and `_worker`).


async def _put(stream: MemoryObjectSendStream[T], item: T) -> None:
    try:
        stream.send_nowait(item)
    except anyio.WouldBlock:
        await stream.send(item)


async def _take(stream: MemoryObjectReceiveStream[T]) -> T:
    """The next item; raises `anyio.EndOfStream` when every sender is closed and it is empty."""
    try:
        item = stream.receive_nowait()
    except anyio.WouldBlock:
        return await stream.receive()
    return item


async def _enumerate(items: Iterable[Any] | AsyncIterable[Any]) -> AsyncIterator[tuple[int, Any]]:
    index = 0
    if isinstance(items, AsyncIterable):
        iterator = aiter(items)
        try:
            async for raw in iterator:
                yield index, raw
                index += 1
        finally:
            close = getattr(iterator, "aclose", None)
            if close is not None:  # the caller's async generator: close it now, not in GC
                with anyio.CancelScope(shield=True):
                    await close()
        return
    for raw in items:
        yield index, raw
        index += 1
        if index % _CHUNK == 0:
            await anyio.lowlevel.checkpoint()  # a huge sync input must not starve the workers


def _row_key(index: int) -> str:
    return f"row:{index + 1}"
