"""
The Redis limiter store: one key's pacing state shared by every process and host using it.

Every operation is one atomic Lua script on Redis' clock (see `_redis_conn`). The key passed
in is already a hash of the token, so no credential ever reaches Redis.

If Redis stops answering mid-run, the store logs one warning and paces locally (see
`RedisLimiterStore`) until a periodic probe finds Redis again; a Redis failure never reaches
the caller's request. Only if Redis has never answered does it raise `ConfigurationError`.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from talkkit._log import logger
from talkkit._redis_url import check_url, redact_url, require_redis
from talkkit.errors import ConfigurationError
from talkkit.middleware._limiter import MemoryLimiterStore
from talkkit.middleware._redis_conn import AsyncioConnection, ThreadConnection, redis_error

__all__ = ["RedisLimiterStore"]

_STATE_SLACK = 60.0  # seconds a state key outlives the moment it stops mattering
_PARTICIPANT_WINDOW = 30.0  # a store that reserved within this many seconds counts as active


class _LocalStore(MemoryLimiterStore):
    """
    The stand-in while Redis is down. Unlike the in-memory store, a cooldown never pulls the
    queue earlier: tasks holding later slots still send at them, so new slots go after those.
    """

    async def cooldown(self, key: str, seconds: float, interval: float | None, burst: int) -> None:
        queued = self._state(key).tat
        await super().cooldown(key, seconds, interval, burst)
        self.queue_until(key, queued)

    def queue_until(self, key: str, tat: float) -> None:
        """Let the next slot of ``key`` come no earlier than ``tat`` (local clock)."""
        state = self._state(key)
        state.tat = max(state.tat, tat)


class RedisLimiterStore:
    """
    A `LimiterStore` in Redis: every process and host using one API key paces together, and
    one worker's 429 pauses all of them. Same semantics as `MemoryLimiterStore`.

    **If Redis fails mid-run**, the store logs one warning on the ``talkkit`` logger and paces
    locally: each process takes ``1/N`` of the rate with no burst, where ``N`` is ``fallback``
    or, by default, the number of stores Redis last saw using the key (within 30 s). Local
    pacing starts after the shared queue's end (estimated from Redis' last answer) at a random
    phase, so slots already handed out are not doubled and the processes do not fire in step;
    a cooldown we knew of carries over. Every ``retry_interval`` seconds one call probes Redis;
    when it answers, shared pacing resumes (logged at INFO). A request never fails because
    Redis did.

    Args:
        url: ``redis://[user:password@]host:port/db``, ``rediss://…`` or ``unix://…``.
        prefix: Prefix of every Redis key this store writes.
        fallback: Processes assumed to share the key while Redis is down (``None``: as many
            as Redis last saw).
        timeout: Seconds to connect and to wait for one answer before treating Redis as down.
        retry_interval: Seconds between probes while Redis is down.
        clock: Local monotonic clock (bookkeeping of the fallback only; pacing uses Redis'
            clock).

    Raises:
        ConfigurationError: ``url`` is not a Redis URL. The first call also raises it, naming
            the URL without its password, when Redis cannot be reached at all.
        ImportError: The ``redis`` extra is not installed.

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "talkkit",
        fallback: int | None = None,
        timeout: float = 1.0,
        retry_interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        require_redis()
        if fallback is not None and fallback < 1:
            raise ConfigurationError("fallback", "must be at least 1", value=fallback)
        self.url = check_url(url)
        self.prefix = prefix
        self.fallback = fallback
        self.timeout = timeout
        self.retry_interval = retry_interval
        self._clock = clock
        self._member = os.urandom(8).hex()  # this store's name in the participants set
        self._asyncio: AsyncioConnection | None = None
        self._thread: ThreadConnection | None = None
        self._started = False  # Redis has answered at least once
        self._down = False
        self._probing = False
        self._next_probe = 0.0
        self._local = _LocalStore(clock)
        self._seeded: set[str] = set()  # keys whose cooldown went local this outage
        self._seeded_slots: set[str] = set()  # keys whose last shared slot went local
        self._queues: dict[str, float] = {}  # key -> seconds from now to tat, last we saw
        self._down_at = 0.0
        self._pauses: dict[str, float] = {}  # key -> local time the last cooldown we saw ends
        self._participants: dict[str, int] = {}

    def __repr__(self) -> str:
        state = "down" if self._down else "up" if self._started else "not connected"
        return f"RedisLimiterStore(url={redact_url(self.url)!r}, prefix={self.prefix!r}, {state})"

    # -- LimiterStore ---------------------------------------------------------------------

    async def reserve(self, key: str, interval: float | None, burst: int) -> float:
        keys = self._keys(key)
        args = [_num(interval), str(burst), self._member, str(_PARTICIPANT_WINDOW)]
        reply = await self._run(key, "reserve", keys, [*args, str(_STATE_SLACK)])
        if reply is None:
            await self._seed(key, interval, burst)
            return await self._local.reserve(key, self._share(key, interval), 1)
        self._participants[key] = int(reply[1])
        return float(reply[0])

    async def cooldown(self, key: str, seconds: float, interval: float | None, burst: int) -> None:
        args = [_num(seconds), _num(interval), str(burst), str(_STATE_SLACK)]
        reply = await self._run(key, "cooldown", self._keys(key), args)
        if reply is None:
            await self._seed(key, interval, burst)
            await self._local.cooldown(key, seconds, self._share(key, interval), 1)
        else:
            self._note_pause(key, float(reply[0]))

    async def cooldown_remaining(self, key: str) -> float:
        reply = await self._run(key, "cooldown_remaining", self._keys(key), [])
        if reply is None:
            await self._seed(key, None, 1)
            return await self._local.cooldown_remaining(key)
        pause = float(reply[0])
        self._note_pause(key, pause)
        return pause

    async def sync_remaining(
        self, key: str, remaining: int, interval: float | None, burst: int, *, exact: bool
    ) -> None:
        if interval is None:
            return
        args = [str(remaining), _num(interval), str(burst), "1" if exact else "0"]
        reply = await self._run(key, "sync_remaining", self._keys(key), [*args, str(_STATE_SLACK)])
        if reply is None:  # locally only ever lower the allowance: we guess the others' use
            await self._seed(key, interval, burst)
            share = self._share(key, interval)
            await self._local.sync_remaining(key, remaining, share, 1, exact=False)

    # -- lifecycle ------------------------------------------------------------------------

    async def check(self) -> None:
        """
        Ping Redis now (fail fast before starting a job, e.g. in a CLI).

        Raises:
            ConfigurationError: Redis cannot be reached; the URL is named without password.
        """
        try:
            await self._connection().ping()
        except (OSError, redis_error()) as exc:
            raise self._unreachable(exc) from exc
        self._started = True

    async def aclose(self) -> None:
        """Close the connections to Redis. Safe to call twice."""
        for conn in (self._asyncio, self._thread):
            if conn is not None:
                await conn.aclose()
        self._asyncio = self._thread = None

    # -- internals ------------------------------------------------------------------------

    def _keys(self, key: str) -> list[str]:
        # The {hash tag} keeps both keys in one Redis Cluster slot, as a script needs.
        state = f"{self.prefix}:limiter:{{{key}}}"
        return [state, state + ":procs"]

    def _connection(self) -> AsyncioConnection | ThreadConnection:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # trio (or another non-asyncio loop): sync client in a thread
            if self._thread is None:
                import redis
                from redis.retry import Retry

                options = self._options(Retry)
                self._thread = ThreadConnection(redis.Redis.from_url(self.url, **options))
            return self._thread
        if self._asyncio is None:
            import redis.asyncio
            from redis.asyncio.retry import Retry as AsyncRetry

            url, options = self.url, self._options(AsyncRetry)
            self._asyncio = AsyncioConnection(lambda: redis.asyncio.Redis.from_url(url, **options))
        return self._asyncio

    def _options(self, retry: Callable[[Any, int], object]) -> dict[str, Any]:
        from redis.backoff import NoBackoff
        from redis.exceptions import ConnectionError as RedisConnectionError

        # One immediate retry (a pooled connection may be stale after a Redis restart); no
        # backoff: a down Redis must send us to the fallback now, not in seconds. Each client
        # gets its own Retry class: the sync one given to the asyncio client never awaits the
        # attempt, so it retries nothing (newer redis-py converts it with a warning). redis-py
        # 5 retries a command only on the errors named in `retry_on_error`.
        return {
            "socket_timeout": self.timeout,
            "socket_connect_timeout": self.timeout,
            "retry": retry(NoBackoff(), 1),
            "retry_on_error": [RedisConnectionError],
        }

    async def _run(self, key: str, name: str, keys: Sequence[str], args: Sequence[str]) -> Any:
        """Run a script for ``key``; ``None`` when Redis is down (then pace locally)."""
        if self._down and (self._probing or self._clock() < self._next_probe):
            return None
        probing = self._probing = self._down
        try:
            reply = await self._connection().run(name, keys, args)
        except (OSError, redis_error()) as exc:
            if not self._started:
                raise self._unreachable(exc) from exc
            self._went_down(exc)
            return None
        finally:
            if probing:
                self._probing = False
        self._started = True
        if self._down:
            self._down = False
            logger.info("Redis at %s answers again: shared pacing resumed", redact_url(self.url))
        self._queues[key] = float(reply[-1])
        return reply

    def _went_down(self, exc: BaseException) -> None:
        self._next_probe = self._clock() + self.retry_interval
        if self._down:
            return
        self._down = True
        self._down_at = self._clock()
        self._local = _LocalStore(self._clock)  # a fresh local state per outage
        self._seeded.clear()
        self._seeded_slots.clear()
        logger.warning(
            "Redis at %s stopped answering (%s: %s); pacing locally at 1/%d of the rate "
            "until it answers again (probing every %gs)",
            redact_url(self.url),
            type(exc).__name__,
            exc,
            self._fallback_share(None),
            self.retry_interval,
        )

    def _unreachable(self, exc: BaseException) -> ConfigurationError:
        return ConfigurationError(
            "redis_url",
            f"cannot reach Redis at {redact_url(self.url)} ({type(exc).__name__}: {exc}); "
            "is it running, and is the URL right?",
        )

    def _note_pause(self, key: str, seconds: float) -> None:
        until = self._clock() + seconds
        if seconds > 0 and until > self._pauses.get(key, 0.0):
            self._pauses[key] = until

    def _share(self, key: str, interval: float | None) -> float | None:
        """The local interval while Redis is down: ``N`` times the shared one."""
        if interval is None:
            return None
        return interval * self._fallback_share(key)

    def _fallback_share(self, key: str | None) -> int:
        """``N``: the configured number, else the stores Redis last saw using the key."""
        if self.fallback is not None:
            return self.fallback
        seen = self._participants.get(key) if key is not None else None
        return seen or max(self._participants.values(), default=1)

    async def _seed(self, key: str, interval: float | None, burst: int) -> None:
        """
        Start local pacing of ``key`` where the shared state left it: a cooldown we knew of
        goes on, and our first local slot comes after the end of the shared queue (as a
        reservation, not a pause: a long queue must not look like a 429 cooldown).
        """
        if key not in self._seeded:
            self._seeded.add(key)
            pause = self._pauses.get(key, 0.0) - self._clock()
            if pause > 0:
                await self._local.cooldown(key, pause, None, 1)
        if interval is None or key in self._seeded_slots:
            return  # the slot needs the rate: seeded by the first call that knows it
        self._seeded_slots.add(key)
        # Under load the shared queue's length moves with the clock, so it ends about as far
        # beyond the outage as it reached beyond our last answer.
        end = self._down_at + self._queues.get(key, 0.0) - (burst - 1) * interval
        # A random phase within one local period: the processes saw the same queue end and
        # must not all fire their local slots together, N requests at a time.
        share = interval * self._fallback_share(key)
        self._local.queue_until(key, end + share * random.random())


def _num(value: float | None) -> str:
    return "" if value is None else repr(float(value))
