"""The Redis limiter store: same semantics as the in-memory one, shared across processes."""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import queue
import socket
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Any

import anyio
import pytest

pytest.importorskip("redis", reason="needs the 'redis' extra: pip install 'talkkit[redis]'")

import redis

from talkkit import AsyncTalkory, ConfigurationError, MemoryLimiterStore, RateLimit
from talkkit.emulator import TALKORY_KEY, Emulator, RateLimitSpec
from talkkit.errors import TalkkitError
from talkkit.middleware import LimiterStore
from talkkit.redis import RedisLimiterStore, RedisRateLimit
from talkkit.testing import capture_logs, running_emulator, talkory_client
from tests.redis_server import RedisServer, free_port

pytestmark = pytest.mark.anyio

MakeStore = Callable[..., RedisLimiterStore]
Op = tuple[Any, ...]
KEY = "talkkit:talkory:0123456789abcdef01234567"

LIMIT = 600  # requests per minute of the emulator key in the multi-process tests
WORKERS = 4
BACKENDS = ("asyncio", "asyncio", "trio", "trio")  # both anyio backends share one key


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One redis-server for the whole session (tests keep apart by key prefix)."""
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def stopped_server() -> Iterator[RedisServer]:
    """A redis-server of this test's own, which the test may stop and restart."""
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
async def make_store(redis_server: RedisServer) -> AsyncIterator[MakeStore]:
    """Build Redis stores on a fresh key prefix; close them after the test."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    stores: list[RedisLimiterStore] = []

    def make(url: str | None = None, **options: Any) -> RedisLimiterStore:
        options.setdefault("prefix", prefix)
        store = RedisLimiterStore(url or redis_server.url, **options)
        stores.append(store)
        return store

    yield make
    for store in stores:
        await store.aclose()


async def _apply(store: LimiterStore, op: Op) -> float | None:
    """Apply one operation; return what reserve and cooldown_remaining answer."""
    name, *args = op
    if name == "reserve":
        return await store.reserve(KEY, *args)
    if name == "remaining":
        return await store.cooldown_remaining(KEY)
    if name == "cooldown":
        await store.cooldown(KEY, *args)
    else:
        remaining, interval, burst, exact = args
        await store.sync_remaining(KEY, remaining, interval, burst, exact=exact)
    return None


class Timeline:
    """When (local clock) each Redis call ran, so results compare without timing flakiness."""

    def __init__(self) -> None:
        self.stamps: list[float] = []
        self.slowest = 0.0

    async def run(self, call: Awaitable[float | None]) -> float | None:
        """Await ``call``, noting the middle of its round trip."""
        before = time.monotonic()
        value = await call
        after = time.monotonic()
        self.stamps.append((before + after) / 2)
        self.slowest = max(self.slowest, after - before)
        return value

    @property
    def tolerance(self) -> float:
        """How far a result may be off: a few ms, more when the machine is slow right now."""
        return 0.01 + 2 * self.slowest


SEQUENCES = {
    "burst then spacing": [("reserve", 1.0, 3)] * 6,
    "cooldown empties the bucket": [
        ("reserve", 1.0, 3),
        ("reserve", 1.0, 3),
        ("cooldown", 0.5, 1.0, 3),
        ("remaining",),
        ("reserve", 1.0, 3),
        ("reserve", 1.0, 3),
        ("cooldown", 2.0, 1.0, 3),
        ("cooldown", 0.5, 1.0, 3),
        ("remaining",),
    ],
    "sync remaining lowers, exact sets": [
        ("reserve", 1.0, 5),
        ("sync", 1, 1.0, 5, False),
        ("reserve", 1.0, 5),
        ("reserve", 1.0, 5),
        ("sync", 5, 1.0, 5, False),
        ("reserve", 1.0, 5),
        ("sync", 5, 1.0, 5, True),
        ("reserve", 1.0, 5),
        ("sync", -3, 1.0, 5, True),
        ("reserve", 1.0, 5),
    ],
    "no interval: only cooldowns": [
        ("reserve", None, 1),
        ("sync", 0, None, 1, True),
        ("cooldown", 0.3, None, 1),
        ("reserve", None, 1),
        ("remaining",),
    ],
}


@pytest.mark.parametrize("ops", SEQUENCES.values(), ids=SEQUENCES.keys())
async def test_semantics_match_the_memory_store(make_store: MakeStore, ops: list[Op]) -> None:
    """The same operations at the same moments give the same waits as MemoryLimiterStore."""
    store, timeline = make_store(), Timeline()
    got = [await timeline.run(_apply(store, op)) for op in ops]
    now = [0.0]
    memory = MemoryLimiterStore(clock=lambda: now[0])
    expected = []
    for op, stamp in zip(ops, timeline.stamps, strict=True):
        now[0] = stamp
        expected.append(await _apply(memory, op))
    assert got == pytest.approx(expected, abs=timeline.tolerance)


async def test_two_stores_interleave_on_one_timeline(make_store: MakeStore) -> None:
    """Two stores (two processes) on one key get distinct slots, even with skewed local clocks."""
    first = make_store()
    skewed = make_store(clock=lambda: time.monotonic() + 3600.0)
    timeline = Timeline()
    waits = [await timeline.run(s.reserve(KEY, 0.5, 1)) for s in (first, skewed, first, skewed)]
    slots = [at + (wait or 0.0) for at, wait in zip(timeline.stamps, waits, strict=True)]
    gaps = [slot - slots[0] for slot in slots]
    assert gaps == pytest.approx([0.0, 0.5, 1.0, 1.5], abs=timeline.tolerance)


async def test_one_stores_cooldown_pauses_the_other(make_store: MakeStore) -> None:
    """A 429 seen by one process pauses every process using the key."""
    first, second = make_store(), make_store()
    timeline = Timeline()
    await timeline.run(first.cooldown(KEY, 0.4, 0.1, 2))
    pause = await timeline.run(second.cooldown_remaining(KEY))
    wait = await timeline.run(second.reserve(KEY, 0.1, 2))
    start, *stamps = timeline.stamps
    ends = [
        at + (seconds or 0.0) - start for at, seconds in zip(stamps, (pause, wait), strict=True)
    ]
    assert ends == pytest.approx([0.4, 0.4], abs=timeline.tolerance)


async def test_keys_expire_and_hold_no_token(redis_server: RedisServer) -> None:
    """A request through a client leaves only expiring keys named by a hash, never the token."""
    limit = RedisRateLimit(redis_server.url, rate="600/min", prefix=f"t{uuid.uuid4().hex[:8]}")
    store = limit.make_store()
    async with talkory_client(Emulator(), rate_limit=limit, limiter_store=store) as client:
        await client.wallet.get()
    await store.aclose()
    inspect = redis.Redis.from_url(redis_server.url)
    try:
        keys = list(inspect.scan_iter(f"{limit.prefix}:*"))
        assert len(keys) == 2  # the state and the participants of the one key
        for name in keys:
            assert 0 < inspect.pttl(name) <= 61_000
            content = repr(name) + repr(inspect.dump(name))
            assert TALKORY_KEY not in content
            assert TALKORY_KEY.removeprefix("tk_live_") not in content
    finally:
        inspect.close()


async def test_unreachable_redis_at_start_is_a_configuration_error(make_store: MakeStore) -> None:
    """Redis that never answered raises ConfigurationError naming the URL without password."""
    port = free_port()
    store = make_store(f"redis://:hunter2@127.0.0.1:{port}/0")
    with pytest.raises(ConfigurationError, match=f"127.0.0.1:{port}") as caught:
        await store.reserve(KEY, 1.0, 1)
    assert "hunter2" not in str(caught.value)
    with pytest.raises(ConfigurationError, match="cannot reach Redis"):
        await store.check()


async def test_redis_that_never_answers_at_start_times_out(make_store: MakeStore) -> None:
    """A server that accepts connections but never answers fails after ``timeout``, not later."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as mute:
        mute.bind(("127.0.0.1", 0))
        mute.listen()
        store = make_store(f"redis://127.0.0.1:{mute.getsockname()[1]}/0", timeout=0.05)
        with anyio.fail_after(2.0), pytest.raises(ConfigurationError, match="cannot reach"):
            await store.cooldown_remaining(KEY)


async def test_two_clients_pace_together_through_redis(redis_server: RedisServer) -> None:
    """Two clients with one key and separate Redis stores share its 50/s: 4 requests span 3 slots."""
    emu = Emulator()
    limit = RedisRateLimit(redis_server.url, rate="50/s", prefix=f"t{uuid.uuid4().hex[:8]}")
    stores = [limit.make_store(), limit.make_store()]
    clients = [talkory_client(emu, rate_limit=limit, limiter_store=s) for s in stores]
    try:
        async with anyio.create_task_group() as tg:
            for client in clients * 2:
                tg.start_soon(client.wallet.get)
    finally:
        for client, store in zip(clients, stores, strict=True):
            await client.aclose()
            await store.aclose()
    arrivals = [entry.at for entry in emu.request_log]
    assert len(arrivals) == 4
    assert (max(arrivals) - min(arrivals)).total_seconds() >= 3 * 0.02 - 0.01


async def test_client_sends_nothing_when_redis_is_down_at_start() -> None:
    """A client whose Redis is unreachable raises ConfigurationError before sending anything."""
    emu = Emulator()
    limit = RedisRateLimit(f"redis://127.0.0.1:{free_port()}/0")
    store = limit.make_store()
    async with talkory_client(emu, rate_limit=limit, limiter_store=store) as client:
        with pytest.raises(ConfigurationError, match="cannot reach Redis"):
            await client.wallet.get()
    await store.aclose()
    assert emu.request_log == []


async def test_redis_dying_mid_run_falls_back_then_recovers(stopped_server: RedisServer) -> None:
    """Redis going away: one warning, local pacing at 1/N of the rate, shared again once back."""
    now = [1000.0]
    first = RedisLimiterStore(stopped_server.url, clock=lambda: now[0], retry_interval=2.0)
    second = RedisLimiterStore(stopped_server.url, clock=lambda: now[0])
    try:
        # Two stores share the key; the shared queue ends 3 s ahead when Redis dies.
        for store in (first, second, first):
            await store.reserve(KEY, 1.0, 1)
        stopped_server.stop()
        with capture_logs(logging.INFO) as records:
            local = [await first.reserve(KEY, 1.0, 1) for _ in range(3)]
            await first.cooldown(KEY, 0.5, 1.0, 1)
            assert await first.cooldown_remaining(KEY) == pytest.approx(0.5)
            stopped_server.start()
            await first.sync_remaining(KEY, 1, 1.0, 1, exact=True)  # not probed yet: local
            now[0] += 2.0  # the probe is due: Redis answers, with a fresh state
            shared = await first.reserve(KEY, 1.0, 1)
        # After the shared queue (3 s, less the time the calls took), at a random phase: one
        # request per 2 s, 1/N of the rate with N = 2 stores seen.
        assert 2.5 <= local[0] < 5.0
        assert [b - a for a, b in itertools.pairwise(local)] == pytest.approx([2.0, 2.0])
        assert shared == pytest.approx(0.0, abs=0.05)
        messages = [(r.levelno, r.getMessage()) for r in records]
        assert [level for level, _ in messages] == [logging.WARNING, logging.INFO]
        assert f"127.0.0.1:{stopped_server.port}" in messages[0][1]
        assert "1/2 of the rate" in messages[0][1]
        assert "answers again" in messages[1][1]
    finally:
        await first.aclose()
        await second.aclose()


async def test_redis_restart_between_calls_is_retried_not_a_fallback(
    stopped_server: RedisServer,
) -> None:
    """A restart between two calls costs one immediate retry on a fresh connection, no fallback."""
    store = RedisLimiterStore(stopped_server.url)
    try:
        await store.reserve(KEY, 0.5, 1)
        stopped_server.stop()
        stopped_server.start()
        with capture_logs(logging.INFO) as records:
            assert await store.reserve(KEY, 0.5, 1) == pytest.approx(0.0, abs=0.05)
        assert records == []
    finally:
        await store.aclose()


async def test_fallback_share_can_be_fixed(stopped_server: RedisServer) -> None:
    """fallback=4 paces at a quarter of the rate whatever Redis last saw."""
    now = [50.0]
    store = RedisLimiterStore(stopped_server.url, fallback=4, clock=lambda: now[0])
    try:
        await store.reserve(KEY, 0.5, 1)
        stopped_server.stop()
        with capture_logs(logging.WARNING) as records:
            waits = [await store.reserve(KEY, 0.5, 1) for _ in range(3)]
            assert await store.cooldown_remaining(KEY) == 0.0
        assert 0.4 <= waits[0] < 2.5
        assert [b - a for a, b in itertools.pairwise(waits)] == pytest.approx([2.0, 2.0])
        assert len(records) == 1
    finally:
        await store.aclose()


def test_rate_limit_reads_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without url=, RedisRateLimit takes TALKKIT_REDIS_URL and parses the rate."""
    monkeypatch.setenv("TALKKIT_REDIS_URL", "redis://cache.internal:6380/2")
    limit = RedisRateLimit(rate="600/min")
    assert limit.url == "redis://cache.internal:6380/2"
    assert limit.rate == RateLimit(600, 60.0)
    assert isinstance(limit.make_store(), RedisLimiterStore)


def test_fallback_must_be_positive() -> None:
    """fallback=0 (no process may send while Redis is down) is refused at construction."""
    with pytest.raises(ConfigurationError, match="fallback"):
        RedisLimiterStore("redis://localhost:6379/0", fallback=0)


def test_rate_limit_without_url_is_a_configuration_error() -> None:
    """No url= and no TALKKIT_REDIS_URL raises ConfigurationError naming both."""
    with pytest.raises(ConfigurationError, match="TALKKIT_REDIS_URL"):
        RedisRateLimit()


def test_rate_limit_rejects_urls_that_are_not_redis() -> None:
    """An http:// URL is refused, and the message never shows the password."""
    with pytest.raises(ConfigurationError, match="redis://") as caught:
        RedisRateLimit("http://user:hunter2@example.com")
    assert "hunter2" not in str(caught.value)


def test_rate_limit_repr_hides_the_password() -> None:
    """The repr of a RedisRateLimit and its store shows the URL without its password."""
    limit = RedisRateLimit("redis://app:hunter2@cache:6379/0?password=hunter2")
    assert "hunter2" not in repr(limit)
    assert "redis://app@cache:6379/0" in repr(limit)
    assert "hunter2" not in repr(limit.make_store())


def test_missing_extra_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without redis-py installed, RedisRateLimit says which extra to install."""
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ImportError, match=r"pip install 'talkkit\[redis\]'"):
        RedisRateLimit("redis://localhost:6379/0")


# -- several OS processes against one served emulator ---------------------------------------


def _worker_loop(backend: str, barrier: Any, jobs: Any, results: Any) -> None:
    """Entry point of one worker process: run import jobs until told to stop."""
    while (job := jobs.get()) is not None:
        base_url, redis_url, rows = job
        results.put(anyio.run(_import_rows, base_url, redis_url, rows, barrier, backend=backend))


async def _import_rows(
    base_url: str, redis_url: str, rows: list[str], barrier: Any
) -> dict[str, Any]:
    ok: list[tuple[str, str, float]] = []
    failed: list[tuple[str, str]] = []
    limit = RedisRateLimit(redis_url, rate=f"{LIMIT}/min")
    store = limit.make_store()
    with capture_logs(logging.WARNING) as records:
        async with AsyncTalkory(
            TALKORY_KEY, base_url=base_url, rate_limit=limit, limiter_store=store
        ) as client:
            await store.check()  # fail fast (and connect) before the start signal
            await anyio.to_thread.run_sync(barrier.wait, 60.0)
            pending = iter(rows)

            async def drain() -> None:
                for row in pending:
                    try:
                        started = await client.queries.create(row)
                    except TalkkitError as exc:  # anything untyped crashes the worker
                        failed.append((row, type(exc).__name__))
                    else:
                        ok.append((row, started.id, time.time()))

            async with anyio.create_task_group() as tg:
                for _ in range(4):
                    tg.start_soon(drain)
        await store.aclose()
    notes = [r.getMessage() for r in records if "Redis" in r.getMessage()]
    return {"ok": ok, "failed": failed, "redis_warnings": notes}


class WorkerPool:
    """Four worker processes (two on asyncio, two on trio), spawned once for both tests."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")  # no fork: the emulator thread is running
        self.barrier = ctx.Barrier(WORKERS + 1)
        self.jobs = [ctx.Queue() for _ in BACKENDS]
        self.results = ctx.Queue()
        self.processes = [
            ctx.Process(
                target=_worker_loop, args=(backend, self.barrier, jobs, self.results), daemon=True
            )
            for backend, jobs in zip(BACKENDS, self.jobs, strict=True)
        ]
        for process in self.processes:
            process.start()

    def run(
        self,
        base_url: str,
        redis_url: str,
        rows: list[list[str]],
        during: Callable[[], None] | None = None,
    ) -> tuple[list[dict[str, Any]], float]:
        """Import one row list per worker, started together; return the reports and the start."""
        for jobs, chunk in zip(self.jobs, rows, strict=True):
            jobs.put((base_url, redis_url, chunk))
        self.barrier.wait(60.0)
        started = time.time()
        if during is not None:
            during()
        reports: list[dict[str, Any]] = []
        deadline = time.monotonic() + 60.0
        while len(reports) < len(self.processes):
            try:
                reports.append(self.results.get(timeout=0.5))
            except queue.Empty:  # check that nobody died
                crashed = [p.exitcode for p in self.processes if p.exitcode is not None]
                assert not crashed, f"a worker crashed (exit codes {crashed})"
                assert time.monotonic() < deadline, "workers did not finish in 60 s"
        return reports, started

    def close(self) -> None:
        """Stop the workers; each must exit cleanly."""
        for jobs in self.jobs:
            jobs.put(None)
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
        assert [p.exitcode for p in self.processes] == [0] * WORKERS


@pytest.fixture(scope="module")
def workers() -> Iterator[WorkerPool]:
    """The worker processes of the multi-process tests (spawning costs seconds: do it once)."""
    pool = WorkerPool()
    yield pool
    pool.close()


def _limited_emulator() -> Emulator:
    # A 2-second bucket (20 requests), not the default full minute (600): with that, four
    # unshared workers would run ~20 s before the first 429, and this test could not fail.
    # (Unshared, they exhaust 20 in well under a second.) 2 s absorbs the senders' jitter on
    # a loaded machine: the clients pace at exactly the limit, so lateness is never regained.
    emu = Emulator(rate_limits={"talkory": RateLimitSpec(LIMIT, period=60.0, burst=20)})
    emu.talkory.balance = Decimal("1000000")
    return emu


def _rows(per_worker: int) -> list[list[str]]:
    return [[f"worker{w}-row{i:03d}" for i in range(per_worker)] for w in range(WORKERS)]


def test_four_processes_share_one_limit(
    workers: WorkerPool, redis_server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Four worker processes on one key stay under its 600/min and use at least 90 % of it."""
    emu = _limited_emulator()
    rows = _rows(40)  # 160 requests: 16 s at 600/min
    with running_emulator(emu) as served:
        reports, started = workers.run(served.url, _fresh_db(redis_server), rows)
    done = [item for report in reports for item in report["ok"]]
    assert [r["failed"] for r in reports] == [[]] * WORKERS
    assert sorted(row for row, _, _ in done) == sorted(itertools.chain(*rows))
    elapsed = max(at for _, _, at in done) - started
    per_minute = len(done) / elapsed * 60.0
    with capsys.disabled():
        print(
            f"\nbenchmark: {WORKERS} processes sharing one key through Redis: {len(done)} "
            f"requests in {elapsed:.1f} s = {per_minute:.0f}/min, {per_minute / LIMIT:.1%} "
            f"of {LIMIT}/min; the emulator throttled {emu.throttled}"
        )
    assert emu.throttled == 0
    assert per_minute >= 0.9 * LIMIT


def test_killing_redis_mid_run_loses_nothing(
    workers: WorkerPool, stopped_server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Redis killed while four workers import: they fall back, finish, and no row is lost or doubled."""
    emu = _limited_emulator()
    rows = _rows(12)  # about 5 s at 600/min; Redis dies after 1.5 s

    killed_at: list[float] = []

    def kill_redis_soon() -> None:
        time.sleep(1.5)
        stopped_server.stop()
        killed_at.append(time.time())

    with running_emulator(emu) as served:
        reports, _ = workers.run(served.url, stopped_server.url, rows, during=kill_redis_soon)
    assert not stopped_server.running
    done = [row for report in reports for row, _, _ in report["ok"]]
    after_kill = [at for report in reports for _, _, at in report["ok"] if at > killed_at[0]]
    assert len(after_kill) >= 10  # the import went on without Redis
    # A row may end in a typed error (e.g. 429 after every retry on a loaded machine): the
    # caller then knows it and can retry it. Untyped errors crash the worker (run() checks).
    failed = {row: error for report in reports for row, error in report["failed"]}
    assert sorted([*done, *failed]) == sorted(itertools.chain(*rows))  # one outcome per row
    received = Counter(query.prompt for query in emu.talkory.queries.values())
    assert max(received.values()) == 1  # nothing doubled
    assert set(done) <= set(received)  # nothing reported done is missing
    unprocessed = {row for row, error in failed.items() if error != "OutcomeUnknownError"}
    assert not unprocessed & set(received)  # and what was reported failed did not happen
    for report in reports:
        assert len(report["redis_warnings"]) == 1
        assert "pacing locally at 1/4 of the rate" in report["redis_warnings"][0]
    with capsys.disabled():
        print(
            f"\nbenchmark: Redis killed mid-run: {len(done)} rows done, {len(failed)} failed "
            f"with a typed error; the emulator throttled {emu.throttled}"
        )


def _fresh_db(server: RedisServer) -> str:
    """The server's URL after emptying it, so an earlier test's key state cannot interfere."""
    client = redis.Redis.from_url(server.url)
    try:
        client.flushdb()
    finally:
        client.close()
    return server.url
