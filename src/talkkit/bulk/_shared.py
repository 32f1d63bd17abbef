"""
A job's journal in Redis: one bulk job shared by any number of processes and hosts.

The rows are loaded once, by the first process to arrive (a loader's lease and a cursor make the
load resumable and exactly-once); each row is then claimed by one worker at a time, with a lease
renewed while it is worked on; its outcome is recorded job-wide. The per-key journal is the same
as the SQLite one's (pending before sending; done, skipped, failed, unknown, not_placed; a
finished state never weakened), with one more rule: marking an item pending succeeds only while
the worker still holds the row's lease, on Redis' clock. A worker that died (or stalled past its
lease) therefore never sends after another took its row over, and the one that took it over
reads ``pending`` and reconciles the item (calls: the call history) or re-sends it when the API
dedupes it by natural key (contacts) — never a blind second send. See `talkkit.bulk._shared_scripts`
for why the scripts are Lua and the keys they use.

Writes are queued and applied by one task in batches (one atomic script per batch), as the
SQLite journal group-commits; a worker that marks an item pending waits for that batch. When
Redis goes away, the journal is *lost*: a pending mark raises `JournalLostError` (nothing is
sent), later writes are dropped (a re-run finds those rows still pending or open and settles
them), and the job stops.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import anyio
import attrs
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from talkkit._redis_url import check_url, redact_url, require_redis
from talkkit.bulk._journal import JournalEntry
from talkkit.bulk._pipes import batches
from talkkit.bulk._shared_scripts import KEYS, SCRIPTS
from talkkit.bulk._types import BulkSummary, ItemOutcome, Outcome
from talkkit.errors import ConfigurationError, TalkkitError

if TYPE_CHECKING:
    import redis.asyncio as redis_asyncio

__all__ = ["DEFAULT_LEASE", "JobStatus", "JournalLostError", "RedisJournal", "is_redis_url"]

DEFAULT_LEASE = 30.0
"""Seconds a claim lasts unless renewed (``--lease``)."""
_SCHEMES = ("redis://", "rediss://", "unix://")
_SOCKET_TIMEOUT = 10.0  # seconds: a Redis that stopped answering is gone
_BATCH = 2_000


def is_redis_url(journal: object) -> bool:
    """Whether a ``journal`` argument names a Redis journal (``redis://…``) rather than a file."""
    return isinstance(journal, str) and journal.lower().startswith(_SCHEMES)


class JournalLostError(TalkkitError):
    """
    The job's journal (Redis) went away mid-job: nothing more is sent. Every row it had not
    recorded as finished is settled by the next run (a call looked up, never re-sent blindly).
    """


class ClaimLostError(Exception):
    """This worker's lease on a row ran out and another took the row over: do not send it."""


@attrs.frozen
class JobStatus:
    """
    Where a shared job stands.

    Attributes:
        job: Its name.
        kind: The job's kind (``contacts.import``…) and ``scope`` its parameters.
        loaded: Every input row is in Redis; ``total`` is then their number.
        open: Rows without an outcome yet; ``leased`` of them are being worked on.
        workers: Processes working on it now (live heartbeats).
        summary: The job-wide counts (and the failures) of the rows finished so far.
    """

    job: str
    kind: str
    scope: Mapping[str, str]
    loaded: bool
    total: int | None
    open: int
    leased: int
    workers: int
    summary: BulkSummary

    @property
    def complete(self) -> bool:
        """Every row has its outcome."""
        return self.loaded and self.open == 0


@attrs.define
class _Op:
    fields: tuple[str, ...]  # op code and six fields
    done: anyio.Event | None = None
    result: int = 1


class RedisJournal:
    """
    A bulk job's journal in Redis, shared by every process that runs the same job.

    Pass it (or just the URL, ``journal="redis://host:6379/0"``) as a job's ``journal``; every
    process given the same job name works on the same rows.

    Args:
        url: ``redis://[user:password@]host:port/db`` (or ``rediss://``, ``unix://``).
        job: The job's name. ``None``: derived from the job's kind, its parameters and the
            content of its input file (the rows must then be a `CsvSource`), so that the same
            command on several hosts joins the same job.
        lease: Seconds a claim on a row lasts unless renewed (renewed every third of it while
            the row is worked on); a worker that died loses its rows after this long.
        prefix: Prefix of the Redis keys.

    Raises:
        ConfigurationError: Not a Redis URL, or a lease under one second.
        ImportError: The ``redis`` extra is not installed.
    """

    def __init__(
        self,
        url: str,
        *,
        job: str | None = None,
        lease: float = DEFAULT_LEASE,
        prefix: str = "talkkit",
    ) -> None:
        require_redis()
        self.url = check_url(url)
        if not isinstance(lease, int | float) or isinstance(lease, bool) or lease < 1:
            raise ConfigurationError("lease", "must be at least 1 second", value=lease)
        self.job = job
        self.lease = float(lease)
        self.prefix = prefix
        self.kind = ""
        self.scope: dict[str, str] = {}
        self.fingerprint = ""
        self.worker = f"{uuid.uuid4().hex[:12]}"
        self.lost: TalkkitError | None = None
        """Why Redis went away mid-job (``None`` while it answers)."""
        self._client: redis_asyncio.Redis | None = None
        self._scripts: dict[str, Any] = {}
        self._keys: list[str] = []
        self._send: MemoryObjectSendStream[_Op] | None = None
        self._task_group: anyio.abc.TaskGroup | None = None

    def __repr__(self) -> str:
        return f"RedisJournal({redact_url(self.url)!r}, job={self.job!r}, lease={self.lease:g})"

    def bind(self, kind: str, scope: Mapping[str, str], fingerprint: str) -> None:
        """
        Name the job it journals (the engine does this): ``fingerprint`` is the input's
        content hash (``""``: unknown), from which the job's name is derived unless given.
        """
        self.kind = kind
        self.scope = dict(scope)
        self.fingerprint = fingerprint
        if self.job is None:
            if not fingerprint:
                raise ConfigurationError(
                    "journal",
                    "a Redis journal needs the job's name (RedisJournal(url, job=...)) when the "
                    "rows are not read from a file",
                )
            self.job = derive_name(kind, self.scope, fingerprint)

    # -- lifecycle ------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        await self.connect()
        assert self.job is not None
        found = await self._run("open", self.kind, _dumps(self.scope), self.fingerprint, self.lease)
        if _text(found[0]) != "ok":
            await self.aclose()
            kind, scope, fingerprint = (_text(x) for x in found[1:4])
            why = f"another job ({kind} {scope})"
            if (kind, scope) == (self.kind, _dumps(self.scope)) and fingerprint != self.fingerprint:
                why = "the same job over another input file"
            raise ConfigurationError(
                "job",
                f"the job {self.job!r} in Redis is {why}; this is {self.kind} "
                f"{_dumps(self.scope)}: name another job (--job)",
            )
        self._send, receive = anyio.create_memory_object_stream[_Op](10_000)
        self._task_group = anyio.create_task_group()
        await self._task_group.__aenter__()
        self._task_group.start_soon(self._write_loop, receive)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._send is not None:
                self._send.close()
            if self._task_group is not None:
                await self._task_group.__aexit__(exc_type, exc, tb)
        finally:
            with anyio.CancelScope(shield=True):
                await self.aclose()

    async def connect(self) -> None:
        """Connect (once) and check that Redis answers."""
        if self._client is not None:
            return
        import sniffio

        if sniffio.current_async_library() != "asyncio":
            raise ConfigurationError("journal", "a Redis journal runs under asyncio only")
        import redis.asyncio as redis_asyncio

        assert self.job is not None, "bind() the journal to its job first"
        client = redis_asyncio.Redis.from_url(
            self.url, socket_timeout=_SOCKET_TIMEOUT, socket_connect_timeout=_SOCKET_TIMEOUT
        )
        self._client = client
        self._scripts = {name: client.register_script(s) for name, s in SCRIPTS.items()}
        self._keys = [f"{self.prefix}:bulk:{{{self.job}}}:{name}" for name in KEYS]
        try:
            await client.ping()
        except Exception as exc:
            await self.aclose()
            raise ConfigurationError(
                "journal", f"cannot reach Redis at {redact_url(self.url)}: {exc}"
            ) from exc

    async def aclose(self) -> None:
        """Close the connection."""
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def _run(self, script: str, *args: object) -> Any:
        """Run one of the job's scripts; a Redis that went away makes the journal lost."""
        return await self._call(
            lambda: self._scripts[script](keys=self._keys, args=[str(a) for a in args])
        )

    async def _call(self, command: Callable[[], Awaitable[Any]]) -> Any:
        if self.lost is not None:
            raise self.lost
        from redis.exceptions import ConnectionError as Unreachable
        from redis.exceptions import RedisError
        from redis.exceptions import TimeoutError as Unanswered

        try:
            return await command()
        except (TimeoutError, RedisError, OSError) as exc:
            gone = isinstance(exc, TimeoutError | OSError | Unreachable | Unanswered)
            what = "went away" if gone else "refused a command"  # e.g. out of memory
            self.lost = JournalLostError(
                f"the Redis journal at {redact_url(self.url)} {what} ({exc or type(exc).__name__})"
            )
            raise self.lost from exc

    # -- what the engine asks of any journal (as of the SQLite `Journal`) ------------------

    async def lookup(self, keys: Sequence[str]) -> dict[str, JournalEntry]:
        """What earlier attempts recorded for these keys (absent keys were never attempted)."""
        if not keys:
            return {}
        values = await self._call(lambda: self._redis.hmget(self._keys[5], list(keys)))
        return {k: _entry(v) for k, v in zip(keys, values, strict=True) if v is not None}

    async def counts(self) -> dict[str, int]:
        """How many keys are in each state."""
        found: dict[str, int] = {}
        async for _, raw in self._scan(self._keys[5]):
            state = _entry(raw).state
            found[state] = found.get(state, 0) + 1
        return found

    async def entries(self, state: str) -> list[tuple[str, JournalEntry]]:
        """All keys in ``state``."""
        listed = [(key, _entry(raw)) async for key, raw in self._scan(self._keys[5])]
        return sorted((k, e) for k, e in listed if e.state == state)

    async def mark_pending(self, key: str, index: int | None = None) -> None:
        """
        Record that ``key``'s request (row ``index``) is about to be sent; returns once durable.

        Raises:
            ClaimLostError: This worker no longer holds the row: do not send.
            JournalLostError: Redis went away: do not send.
        """
        op = _Op(("P", str(index), key, repr(time.time()), "", "", ""), anyio.Event())
        await self._queue(op)
        assert op.done is not None
        await op.done.wait()
        if self.lost is not None:
            raise self.lost
        if op.result == 0:
            raise ClaimLostError(key)

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
        """Record a key's final outcome (batched; dropped once the journal is lost)."""
        when = time.time() if at is None else at
        fields = ("R", key, outcome.value, resource_id or "", code or "", message or "", repr(when))
        await self._queue(_Op(fields))

    async def forget_pending(self, key: str) -> None:
        """Withdraw ``key``'s pending mark (its request was refused before anything happened)."""
        await self._queue(_Op(("F", key, "", "", "", "", "")))

    # -- rows: loading, claiming, finishing -------------------------------------------------

    async def take_loader(self) -> tuple[bool, int, bool]:
        """``(loaded, cursor, this worker loads)``: the loader's lease, taken or renewed."""
        loaded, cursor, got = await self._run("loader", self.worker, self.lease)
        return bool(loaded), int(cursor), bool(got)

    async def owners(self, pairs: Sequence[tuple[str, int]]) -> list[int | None]:
        """Each ``(key, row)``'s earlier row with that key (``None``: this row owns it)."""
        if not pairs:
            return []
        found = await self._run("dedupe", *(x for pair in pairs for x in pair))
        return [None if int(v) < 0 else int(v) for v in found]

    async def commit(
        self,
        start: int,
        end: int,
        queued: Sequence[tuple[int, str]],
        decided: Sequence[ItemOutcome],
        *,
        final: bool,
    ) -> bool:
        """Add rows ``start``…``end - 1``: ``queued`` to be worked on, ``decided`` finished."""
        args: list[object] = [self.worker, self.lease, start, end, int(final), len(queued)]
        for index, raw in queued:
            args += [index, raw]
        for outcome in decided:
            args += [outcome.index, outcome.outcome.value, outcome_json(outcome)]
        return bool(await self._run("commit", *args))

    async def claim(self, count: int) -> tuple[list[tuple[int, str]], bool, int, int, float]:
        """
        Up to ``count`` rows for this worker: ``(rows, loaded, open, leased to others,
        seconds to the earliest lease deadline)``.
        """
        res = await self._run("claim", self.worker, count, self.lease)
        rows = [(int(res[n]), _text(res[n + 1])) for n in range(4, len(res), 2)]
        return rows, bool(res[0]), int(res[1]), int(res[2]), float(res[3])

    async def renew(self, rows: Sequence[int]) -> list[int]:
        """Extend this worker's leases (and heartbeat); the rows it no longer holds."""
        lost = await self._run("renew", self.worker, self.lease, *rows)
        return [int(i) for i in lost]

    async def finish_row(self, outcome: ItemOutcome) -> None:
        """Record a row's job-wide outcome and end its claim (batched)."""
        value = outcome.outcome.value
        await self._queue(_Op(("O", str(outcome.index), value, outcome_json(outcome), "", "", "")))

    async def release(self, index: int) -> None:
        """Free a row this worker holds without an outcome (batched)."""
        await self._queue(_Op(("X", str(index), "", "", "", "", "")))

    async def flush(self) -> None:
        """Wait until every write queued so far is applied (or the journal is lost)."""
        op = _Op(("-", "", "", "", "", "", ""), anyio.Event())
        await self._queue(op)
        assert op.done is not None
        await op.done.wait()

    async def leave(self) -> tuple[bool, bool]:
        """``(complete, last)``: leave the job; ``last``: no other worker is left on it."""
        complete, last = await self._run("leave", self.worker)
        return bool(complete), bool(last)

    async def status(self) -> JobStatus:
        """Where the job stands, with its job-wide summary so far."""
        meta_flat, open_rows, leased, workers = await self._run("status")
        meta = {_text(meta_flat[n]): _text(meta_flat[n + 1]) for n in range(0, len(meta_flat), 2)}
        summary = BulkSummary()
        async for outcome in self.outcomes():
            summary.add(outcome, followed=outcome.status is not None)
        loaded = meta.get("loaded") == "1"
        return JobStatus(
            job=self.job or "",
            kind=meta.get("kind", ""),
            scope=json.loads(meta.get("scope") or "{}"),
            loaded=loaded,
            total=int(meta["total"]) if loaded else None,
            open=int(open_rows),
            leased=int(leased),
            workers=int(workers),
            summary=summary,
        )

    async def outcomes(self) -> AsyncIterator[ItemOutcome]:
        """Every finished row's outcome, in row order."""
        found = [outcome_from_json(raw) async for _, raw in self._scan(self._keys[6])]
        found.sort(key=lambda o: o.index)
        for outcome in found:
            yield outcome

    async def exists(self) -> bool:
        """Whether the job is in Redis at all."""
        return bool(await self._call(lambda: self._redis.exists(self._keys[0])))

    # -- plumbing -------------------------------------------------------------------------

    @property
    def _redis(self) -> redis_asyncio.Redis:
        if self._client is None:
            raise RuntimeError("use 'async with RedisJournal(...)'")
        return self._client

    async def _scan(self, key: str) -> AsyncIterator[tuple[str, str]]:
        cursor = 0
        while True:
            cursor, chunk = await self._call(partial(self._redis.hscan, key, cursor, None, 5_000))
            for field, value in chunk.items():
                yield _text(field), _text(value)
            if int(cursor) == 0:
                return

    async def _queue(self, op: _Op) -> None:
        if self._send is None:
            raise RuntimeError("use 'async with RedisJournal(...)'")
        if self.lost is not None:  # dropped: the next run settles what it would have said
            if op.done is not None:
                op.done.set()
            return
        await self._send.send(op)

    async def _write_loop(self, receive: MemoryObjectReceiveStream[_Op]) -> None:
        # Shielded, like the SQLite journal's: on Ctrl-C the queue is still written out.
        with anyio.CancelScope(shield=True), receive:
            async for batch in batches(receive, _BATCH):
                await self._apply(batch)

    async def _apply(self, batch: list[_Op]) -> None:
        ops = [op for op in batch if op.fields[0] != "-"]
        try:
            if ops and self.lost is None:
                args = [self.worker, *(x for op in ops for x in op.fields)]
                for op, result in zip(ops, await self._run("apply", *args), strict=True):
                    op.result = int(result)
        except JournalLostError:
            pass  # every waiter sees `lost`
        finally:
            for op in batch:
                if op.done is not None:
                    op.done.set()


def derive_name(kind: str, scope: Mapping[str, str], fingerprint: str) -> str:
    """A job's default name: its kind and a digest of its parameters and input content."""
    import hashlib

    digest = hashlib.sha256(f"{kind}\n{_dumps(dict(scope))}\n{fingerprint}".encode()).hexdigest()
    return f"{kind}-{digest[:16]}"


def outcome_json(outcome: ItemOutcome) -> str:
    """A row's outcome as the job's ``out`` hash keeps it."""
    return json.dumps(attrs.asdict(outcome), separators=(",", ":"))


def outcome_from_json(raw: str) -> ItemOutcome:
    """The inverse of `outcome_json`."""
    data = json.loads(raw)
    data["outcome"] = Outcome(data["outcome"])
    return ItemOutcome(**data)


def _entry(raw: bytes | str) -> JournalEntry:
    state, rid, code, message, _attempts, updated = json.loads(raw)
    return JournalEntry(state, rid or None, code or None, message or None, float(updated))


def _dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True)


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
