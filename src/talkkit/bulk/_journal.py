"""
The resume journal: one SQLite file recording every item's state by its stable key.

States: ``pending`` (a request is about to be sent — committed *before* sending), then ``done``,
``skipped``, ``failed``, ``unknown`` or ``not_placed`` (an unclear call the history did not
show after the grace period). An item the job stopped before processing (``not_sent``) is never
recorded: a pending mark of its own refused request is withdrawn (`Journal.forget_pending`), so
the key reads as never attempted and a resumed run sends it.

The file's layout is the one of the first version: ``not_placed`` is a new value of the
``state`` column, nothing else changed, so journals written before it are read as they are. An
older talkkit reading a journal with ``not_placed`` entries treats them like ``pending`` ones:
looked up, never sent again. The file is written by one task that group-commits
batches in a worker thread (SQLite never runs on the event loop); a worker that marks an item
pending waits until that mark is durable, so a run killed at any instant can tell "maybe sent"
(pending) from "never sent" (absent). WAL mode with ``synchronous=NORMAL`` keeps every commit
through a process kill (SIGKILL included); the database stays valid because SQLite commits are
atomic.

A finished state is never overwritten by a weaker one, and a journal made for one job (its
kind and scope: team, agent...) refuses to be reused for another.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import anyio
import attrs
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from talkkit.bulk._pipes import batches
from talkkit.bulk._types import Outcome
from talkkit.errors import ConfigurationError

__all__ = ["Journal", "JournalEntry"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    resource_id TEXT,
    code TEXT,
    message TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL
);
"""
_FINAL = ("done", "skipped")
# Upsert that never weakens a finished state: done/skipped stay as they are.
_UPSERT = """
INSERT INTO items (key, state, resource_id, code, message, attempts, updated)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(key) DO UPDATE SET
    state = excluded.state, resource_id = COALESCE(excluded.resource_id, items.resource_id),
    code = excluded.code, message = excluded.message,
    attempts = items.attempts + excluded.attempts, updated = excluded.updated
WHERE items.state NOT IN ('done', 'skipped')
"""
_FORGET = "DELETE FROM items WHERE key = ? AND state = 'pending'"
_LOOKUP_CHUNK = 500


@attrs.frozen
class JournalEntry:
    """
    What an earlier run recorded for one key; ``updated`` is when (Unix seconds) — for a
    ``pending`` or ``unknown`` entry, when its last attempt began.
    """

    state: str
    resource_id: str | None
    code: str | None
    message: str | None
    updated: float


@attrs.define
class _Write:
    row: tuple[str, str, str | None, str | None, str | None, int, float]
    durable: anyio.Event | None = None
    forget: bool = False  # withdraw the key's pending mark instead (`Journal.forget_pending`)


class Journal:
    """
    A resume journal for one bulk job. Use ``async with Journal(path, ...)``.

    Args:
        path: The SQLite file (created if missing).
        kind: The job's name (``contacts.import``); must match an existing journal's.
        scope: Parameters that must match too (``{"team_id": ...}``).
    """

    def __init__(
        self, path: str | Path, *, kind: str, scope: Mapping[str, str] | None = None
    ) -> None:
        self.path = Path(path)
        self.kind = kind
        self.scope = dict(scope or {})
        self._writer: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._send: MemoryObjectSendStream[_Write] | None = None
        self._receive: MemoryObjectReceiveStream[_Write] | None = None
        self._task_group: anyio.abc.TaskGroup | None = None

    # -- lifecycle ------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        self._writer, self._reader = await anyio.to_thread.run_sync(self._open)
        self._send, self._receive = anyio.create_memory_object_stream[_Write](10_000)
        self._task_group = anyio.create_task_group()
        await self._task_group.__aenter__()
        self._task_group.start_soon(self._write_loop, self._receive)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._send is not None
        assert self._task_group is not None
        self._send.close()  # the writer drains what is queued, then ends (it is shielded)
        try:
            await self._task_group.__aexit__(exc_type, exc, tb)
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self._close)

    def _open(self) -> tuple[sqlite3.Connection, sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        writer = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("PRAGMA synchronous=NORMAL")
        writer.executescript(_SCHEMA)
        meta = dict(writer.execute("SELECT name, value FROM meta").fetchall())
        wanted = {"kind": self.kind, "scope": json.dumps(self.scope, sort_keys=True)}
        if meta and (meta.get("kind"), meta.get("scope")) != (wanted["kind"], wanted["scope"]):
            writer.close()
            raise ConfigurationError(
                "journal",
                f"{self.path} belongs to another job ({meta.get('kind')} {meta.get('scope')}); "
                f"this is {wanted['kind']} {wanted['scope']}: use another journal file",
            )
        if not meta:
            writer.executemany("INSERT INTO meta VALUES (?, ?)", list(wanted.items()))
        reader = sqlite3.connect(self.path, check_same_thread=False)
        return writer, reader

    def _close(self) -> None:
        for conn in (self._writer, self._reader):
            if conn is not None:
                conn.close()

    # -- reading --------------------------------------------------------------------------

    async def lookup(self, keys: Sequence[str]) -> dict[str, JournalEntry]:
        """What earlier runs recorded for these keys (absent keys were never attempted)."""
        if not keys:
            return {}
        return await anyio.to_thread.run_sync(self._lookup, list(keys))

    def _lookup(self, keys: list[str]) -> dict[str, JournalEntry]:
        assert self._reader is not None
        found: dict[str, JournalEntry] = {}
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = keys[start : start + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._reader.execute(
                f"SELECT key, state, resource_id, code, message, updated FROM items WHERE key IN ({marks})",
                chunk,
            )
            for key, state, resource_id, code, message, updated in rows:
                found[key] = JournalEntry(state, resource_id, code, message, updated)
        return found

    async def counts(self) -> dict[str, int]:
        """How many keys are in each state."""
        rows = await anyio.to_thread.run_sync(
            lambda: self._query("SELECT state, COUNT(*) FROM items GROUP BY state")
        )
        return {str(state): int(n) for state, n in rows}

    async def entries(self, state: str) -> list[tuple[str, JournalEntry]]:
        """All keys in ``state`` (e.g. ``unknown``, for reconciliation reports)."""
        rows = await anyio.to_thread.run_sync(
            lambda: self._query(
                "SELECT key, state, resource_id, code, message, updated FROM items WHERE state = ? ORDER BY key",
                (state,),
            )
        )
        return [(key, JournalEntry(s, r, c, m, u)) for key, s, r, c, m, u in rows]

    def _query(self, sql: str, params: Iterable[object] = ()) -> list[tuple[Any, ...]]:
        assert self._reader is not None
        return list(self._reader.execute(sql, tuple(params)))

    # -- writing --------------------------------------------------------------------------

    async def mark_pending(self, key: str, index: int | None = None) -> None:
        """
        Record that ``key``'s request is about to be sent; returns once that is durable
        (``index``, the row, matters to a shared journal only).
        """
        durable = anyio.Event()
        await self._queue(_Write((key, "pending", None, None, None, 1, time.time()), durable))
        await durable.wait()

    async def record(
        self,
        key: str,
        outcome: Outcome,
        *,
        resource_id: str | None = None,
        code: str | None = None,
        message: str | None = None,
        at: float | None = None,
    ) -> None:
        """
        Record a final outcome (batched: durable soon, and at the latest on exit).

        ``at`` (Unix seconds, default now) is the time the entry keeps as ``updated``: for an
        ``unknown`` outcome, when its last attempt began, so that a later lookup searches the
        history from there (a lookup from the time of recording could miss the call).
        """
        when = time.time() if at is None else at
        await self._queue(_Write((key, outcome.value, resource_id, code, message, 0, when)))

    async def forget_pending(self, key: str) -> None:
        """
        Withdraw ``key``'s pending mark: its request was refused before the server acted on it
        (401, 403, the job's parent not found) and no earlier attempt may have been processed,
        so the key reads as never attempted. A finished or unknown state is left as it is.
        """
        await self._queue(_Write((key, "", None, None, None, 0, 0.0), forget=True))

    async def _queue(self, write: _Write) -> None:
        if self._send is None:
            raise RuntimeError("use 'async with Journal(...)'")
        await self._send.send(write)

    async def _write_loop(self, receive: MemoryObjectReceiveStream[_Write]) -> None:
        # Shielded: on Ctrl-C / cancellation the queue is still written out; the loop ends
        # when the send side is closed (always, in __aexit__).
        with anyio.CancelScope(shield=True), receive:
            async for batch in batches(receive, 2_000):  # group commit: all that is queued
                await anyio.to_thread.run_sync(self._commit, batch)
                for write in batch:
                    if write.durable is not None:
                        write.durable.set()

    def _commit(self, batch: list[_Write]) -> None:
        assert self._writer is not None
        self._writer.execute("BEGIN IMMEDIATE")
        try:
            start = 0
            while start < len(batch):  # runs of upserts and of withdrawals, in queue order
                end = start
                while end < len(batch) and batch[end].forget == batch[start].forget:
                    end += 1
                if batch[start].forget:
                    self._writer.executemany(_FORGET, [(w.row[0],) for w in batch[start:end]])
                else:
                    self._writer.executemany(_UPSERT, [w.row for w in batch[start:end]])
                start = end
        except BaseException:
            self._writer.execute("ROLLBACK")
            raise
        self._writer.execute("COMMIT")


def is_final(state: str) -> bool:
    """Whether a journal state means "finished, do not send again"."""
    return state in _FINAL
