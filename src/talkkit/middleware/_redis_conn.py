"""
Talking to Redis for the limiter store: the Lua scripts and one connection class per event
loop flavour (the URL checks are in `talkkit._redis_url`).

Each script is atomic and reads the **server's** clock (``redis.call('TIME')``), so hosts whose
clocks disagree still pace on one timeline. The state of a limiter key is a hash ``{tat, cd}``
(GCRA theoretical arrival time and cooldown deadline, in server seconds) with a TTL that runs
out shortly after the state stops mattering; the scripts mirror `MemoryLimiterStore` line for
line.

redis-py's asyncio client only runs on asyncio. Under trio the same scripts run through
redis-py's synchronous client in a worker thread (``anyio.to_thread``): the hop costs less
than redis-py's asyncio machinery does (both well under a millisecond per decision), nothing
next to the pacing intervals a shared limit exists for, and it keeps talkkit's promise that
everything works on both backends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import anyio

if TYPE_CHECKING:
    import redis as redis_sync
    import redis.asyncio as redis_asyncio

__all__ = ["SCRIPTS", "AsyncioConnection", "ThreadConnection", "redis_error"]

# Shared by every script: the server's clock, the key's state, the TTL rule. Every script
# answers a list ending with the seconds until the key's tat: where the shared queue ends,
# which is where local pacing starts if Redis goes away (see RedisLimiterStore._seed).
_PRELUDE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tat', 'cd')
local tat = tonumber(state[1]) or 0
local cd = tonumber(state[2]) or 0
local function f(x) return string.format('%.6f', x) end
local function keep(slack)
  local ms = math.ceil((math.max(tat, cd, now) - now + slack) * 1000)
  redis.call('PEXPIRE', KEYS[1], ms)
end
"""

# KEYS: state, participants. ARGV: interval ('' = none), burst, member, window, slack.
# Returns {seconds to wait, active participants, tat}. Mirrors MemoryLimiterStore.reserve_now.
_RESERVE = (
    _PRELUDE
    + """
local window = tonumber(ARGV[4])
redis.call('ZADD', KEYS[2], f(now), ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', f(now - window))
redis.call('PEXPIRE', KEYS[2], math.ceil(window * 1000))
local n = redis.call('ZCARD', KEYS[2])
local start = math.max(now, cd)
if ARGV[1] == '' then return {f(start - now), n, f(tat - now)} end
local interval = tonumber(ARGV[1])
tat = math.max(tat, start) + interval
redis.call('HSET', KEYS[1], 'tat', f(tat))
keep(tonumber(ARGV[5]))
local allowed = math.max(tat - tonumber(ARGV[2]) * interval, start)
return {f(math.max(allowed - now, 0)), n, f(tat - now)}
"""
)

# ARGV: seconds, interval ('' = none), burst, slack. Returns {pause left, tat}.
_COOLDOWN = (
    _PRELUDE
    + """
cd = math.max(cd, now + tonumber(ARGV[1]))
redis.call('HSET', KEYS[1], 'cd', f(cd))
if ARGV[2] ~= '' then
  tat = math.max(tat, cd + (tonumber(ARGV[3]) - 1) * tonumber(ARGV[2]))
  redis.call('HSET', KEYS[1], 'tat', f(tat))
end
keep(tonumber(ARGV[4]))
return {f(cd - now), f(tat - now)}
"""
)

_COOLDOWN_REMAINING = _PRELUDE + "return {f(math.max(cd - now, 0)), f(tat - now)}\n"

# ARGV: remaining, interval, burst, exact ('1'/'0'), slack.
_SYNC_REMAINING = (
    _PRELUDE
    + """
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local left = math.min(math.max(tonumber(ARGV[1]), 0), burst)
local new = now + (burst - left) * interval
if ARGV[4] == '1' or new > tat then
  tat = new
  redis.call('HSET', KEYS[1], 'tat', f(tat))
  keep(tonumber(ARGV[5]))
end
return {f(tat - now)}
"""
)

SCRIPTS = {
    "reserve": _RESERVE,
    "cooldown": _COOLDOWN,
    "cooldown_remaining": _COOLDOWN_REMAINING,
    "sync_remaining": _SYNC_REMAINING,
}


class AsyncioConnection:
    """redis-py's asyncio client, recreated if the store moves to another event loop."""

    def __init__(self, make: Callable[[], redis_asyncio.Redis]) -> None:
        self._make = make
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: redis_asyncio.Redis | None = None
        self._scripts: dict[str, Any] = {}

    def _bind(self, loop: asyncio.AbstractEventLoop) -> redis_asyncio.Redis:
        if self._client is None or self._loop is not loop:
            self._client = self._make()
            self._scripts = {n: self._client.register_script(s) for n, s in SCRIPTS.items()}
            self._loop = loop
        return self._client

    async def run(self, name: str, keys: Sequence[str], args: Sequence[str]) -> Any:
        self._bind(asyncio.get_running_loop())
        return await self._scripts[name](keys=keys, args=args)

    async def ping(self) -> None:
        await self._bind(asyncio.get_running_loop()).ping()

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()


class ThreadConnection:
    """redis-py's synchronous client, called from worker threads (trio has no redis-py)."""

    def __init__(self, client: redis_sync.Redis) -> None:
        self._client = client
        self._scripts = {n: client.register_script(s) for n, s in SCRIPTS.items()}

    async def run(self, name: str, keys: Sequence[str], args: Sequence[str]) -> Any:
        return await anyio.to_thread.run_sync(partial(self._scripts[name], keys, args))

    async def ping(self) -> None:
        await anyio.to_thread.run_sync(self._client.ping)

    async def aclose(self) -> None:
        self._client.close()


def redis_error() -> type[Exception]:
    """redis-py's base exception (imported late: the extra may be missing)."""
    from redis.exceptions import RedisError

    return RedisError
