"""
The rows of a shared job, as one process's engine sees them: load them (the first process to
arrive, resumably), claim them, keep their leases, give them back.

Loading checks every row (a bad row is finished ``failed`` at once, named as a single run names
it) and dedupes the input job-wide (a repeat is finished ``skipped``); the rows left are queued
in Redis. Every process claims rows in small batches (as its workers have room), renews the
leases of the rows it holds every third of a lease, and ends when no row is left to claim and
none is held by another live process: a process that died leaves its rows leased until their
lease runs out, and the others then take them over.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable
from contextlib import aclosing, suppress
from pathlib import Path
from typing import Any

import anyio

from talkkit.bulk._pipes import enumerate_items
from talkkit.bulk._shared import JournalLostError, RedisJournal
from talkkit.bulk._types import BulkSummary, ItemOutcome, Prepared
from talkkit.bulk._work import invalid, repeat
from talkkit.errors import InvalidRequestError

__all__ = ["SharedRows", "file_digest"]

_log = logging.getLogger("talkkit.bulk")

LOAD_CHUNK = 1_000  # rows committed to Redis at once by the loader
_POLL_MAX = 0.2  # seconds between claims while every open row is leased to another worker


class SharedRows:
    """
    One process's share of a Redis job.

    Args:
        journal: The open Redis journal.
        items: The input (every process reads the same one; only the loader uses it).
        prepare: The operation's ``prepare`` (checks a row and gives its key).
        batch: Rows claimed at once (the workers' count).
        emit: Reports an outcome decided while loading (already recorded job-wide).
        stopped: Whether the job stopped (nothing more is claimed).
        idle: Called while every open row is leased and some to another process: this
            process settles what it holds back meanwhile (its unclear items' last lookups),
            since the other processes may be waiting for those rows too.
    """

    def __init__(
        self,
        journal: RedisJournal,
        items: Iterable[Any] | AsyncIterable[Any],
        prepare: Callable[[Any], Prepared[Any]],
        *,
        batch: int,
        emit: Callable[[ItemOutcome], Awaitable[None]],
        stopped: Callable[[], bool],
        idle: Callable[[], Awaitable[None]],
    ) -> None:
        self.journal = journal
        self.items = items
        self.prepare = prepare
        self.batch = batch
        self.emit = emit
        self.stopped = stopped
        self.idle = idle
        self.held: set[int] = set()
        """The rows this process claimed and has not finished or released."""

    # -- claiming -----------------------------------------------------------------------------

    async def produce(self, dispatch: Callable[[list[tuple[int, Any]]], Awaitable[None]]) -> None:
        """
        Claim rows and hand them to ``dispatch`` until none is left for this process; load the
        input meanwhile when no other process is loading it. Redis going away ends it (the
        journal is then lost).
        """
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._load)
            with suppress(JournalLostError):  # the engine reads `journal.lost`, stops the job
                await self._claim_all(dispatch)
            tg.cancel_scope.cancel()

    async def _claim_all(
        self, dispatch: Callable[[list[tuple[int, Any]]], Awaitable[None]]
    ) -> None:
        poll = min(_POLL_MAX, self.journal.lease / 4)
        while not self.stopped():
            rows, loaded, open_rows, others, next_due = await self.journal.claim(self.batch)
            if rows:
                self.held.update(index for index, _ in rows)
                await dispatch([(index, json.loads(raw)) for index, raw in rows])
                continue
            if loaded and (open_rows == 0 or others == 0):
                return  # finished, or every open row is this process's own
            if loaded:
                await self.idle()
            await anyio.sleep(min(poll, max(next_due, 0.05)) if loaded else 0.05)

    async def keep_leases(self) -> None:
        """Renew the held rows' leases (and this process's heartbeat) until cancelled."""
        while True:
            await anyio.sleep(self.journal.lease / 3)
            try:
                lost = await self.journal.renew(sorted(self.held))
            except JournalLostError:
                return
            if lost:
                _log.warning("%d rows were taken over by another worker (lease ran out)", len(lost))

    async def leave(self) -> tuple[bool | None, bool, BulkSummary | None]:
        """
        Leave the job, finished or interrupted: free the rows still held (other processes
        take them at once) and leave it. ``(complete, last, the job's summary)``: the last
        process to finish a complete job reads its summary (``None`` otherwise).
        """
        journal = self.journal
        complete, last, summary = None, False, None
        with anyio.CancelScope(shield=True), suppress(JournalLostError):
            for index in sorted(self.held):
                await journal.release(index)
            self.held.clear()
            await journal.flush()
            if journal.lost is None:
                complete, last = await journal.leave()
                if complete and last:
                    summary = (await journal.status()).summary
        return complete, last, summary

    def done_with(self, index: int) -> None:
        """The row has its outcome (or was given back): its lease is no longer renewed."""
        self.held.discard(index)

    # -- loading ------------------------------------------------------------------------------

    async def _load(self) -> None:
        """Load the input when no live process is loading it (takes over a dead loader's load)."""
        while not self.stopped():
            try:
                loaded, cursor, mine = await self.journal.take_loader()
                if loaded:
                    return
                if mine:
                    if await self._load_from(cursor):
                        return
                    continue
            except JournalLostError:
                return
            await anyio.sleep(self.journal.lease / 2)

    async def _load_from(self, cursor: int) -> bool:
        """Load every row from ``cursor`` on; ``False`` when another loader took over."""
        chunk: list[tuple[int, Any]] = []
        start = cursor
        inputs = enumerate_items(self.items, 256)
        async with aclosing(inputs):  # type: ignore[type-var]  # an async generator
            async for index, raw in inputs:
                if index < cursor:
                    continue
                chunk.append((index, raw))
                if len(chunk) >= LOAD_CHUNK:
                    if not await self._commit(start, chunk, final=False):
                        return False
                    start, chunk = start + len(chunk), []
                    if self.stopped():
                        return True
        return await self._commit(start, chunk, final=True)

    async def _commit(self, start: int, chunk: list[tuple[int, Any]], *, final: bool) -> bool:
        decided: list[ItemOutcome] = []
        valid: list[tuple[int, str, Any]] = []
        for index, raw in chunk:
            try:
                prepared = self.prepare(raw)
            except InvalidRequestError as exc:
                decided.append(invalid(index, exc))
                continue
            valid.append((index, prepared.key, raw))
        earlier = await self.journal.owners([(key, index) for index, key, _ in valid])
        queued: list[tuple[int, str]] = []
        for (index, key, raw), first in zip(valid, earlier, strict=True):
            if first is None:
                queued.append((index, json.dumps(raw, separators=(",", ":"))))
            else:
                decided.append(repeat(index, key, first))
        end = start + len(chunk)
        if not await self.journal.commit(start, end, queued, decided, final=final):
            return False
        for outcome in decided:
            await self.emit(outcome)
        return True


def file_digest(path: Path) -> str:
    """The input file's content digest: part of a shared job's default name."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()
