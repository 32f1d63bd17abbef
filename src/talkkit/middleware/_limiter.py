"""
Limiter stores: where the pacing state of an API key lives.

The state of a key is a GCRA "theoretical arrival time" plus a cooldown deadline. Reserving is
one atomic step (trivially, in one event loop; a Lua script in Redis), so concurrent workers
each get their own slot instead of waking together and racing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

import attrs

from talkkit._config import RateLimit

__all__ = ["LimiterStore", "MemoryLimiterStore", "SharedRateLimit"]


class LimiterStore(Protocol):
    """
    Pacing state shared by everything that uses one API key.

    Implement this to share a key's limit beyond one process (the Redis store does).
    """

    async def reserve(self, key: str, interval: float | None, burst: int) -> float:
        """
        Reserve the next slot for ``key``; return seconds to wait before sending (0: now).

        ``interval`` is seconds per request (``None``: no pacing, only cooldowns apply);
        ``burst`` how many may go back to back.
        """
        ...

    async def cooldown(self, key: str, seconds: float, interval: float | None, burst: int) -> None:
        """Pause ``key`` for ``seconds`` (a 429 or ``Remaining: 0``); drop later reservations."""
        ...

    async def cooldown_remaining(self, key: str) -> float:
        """Seconds left in ``key``'s cooldown (0 when none)."""
        ...

    async def sync_remaining(
        self, key: str, remaining: int, interval: float | None, burst: int, *, exact: bool
    ) -> None:
        """
        The server says ``remaining`` requests are left (ours in flight already deducted).

        ``exact``: make the bucket hold exactly that (the server's count is the truth, also
        when it is more than we assumed); otherwise only lower the allowance.
        """
        ...


class SharedRateLimit(Protocol):
    """
    A ``rate_limit=`` value that brings its own store (e.g. ``RedisRateLimit(url=...)``), so
    that every process using the key paces together.

    Attributes:
        rate: The key's limit if known (``None``: the platform default, then the headers).
    """

    @property
    def rate(self) -> RateLimit | None: ...

    def make_store(self) -> LimiterStore:
        """The store the client's limiter will use (called once per client)."""
        ...


@attrs.define
class _KeyState:
    tat: float = 0.0  # when the bucket will be full again (GCRA theoretical arrival time)
    cooldown_until: float = 0.0


class MemoryLimiterStore:
    """The default store: state in this process, shared by every task using the client."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._keys: dict[str, _KeyState] = {}

    def _state(self, key: str) -> _KeyState:
        state = self._keys.get(key)
        if state is None:
            state = self._keys[key] = _KeyState()
        return state

    # The synchronous methods run on every request: conditional expressions rather than
    # `max`, the state read straight from the table (`_state` makes it the first time).

    async def reserve(self, key: str, interval: float | None, burst: int) -> float:
        return self.reserve_now(key, interval, burst)

    def reserve_now(self, key: str, interval: float | None, burst: int) -> float:
        """Synchronous `reserve` (the in-memory store needs no I/O)."""
        now = self._clock()
        state = self._keys.get(key) or self._state(key)
        until = state.cooldown_until
        start = until if until > now else now
        if interval is None:
            return start - now
        tat = state.tat
        state.tat = tat = (tat if tat > start else start) + interval
        allowed_at = tat - burst * interval
        if allowed_at < start:
            allowed_at = start
        return allowed_at - now if allowed_at > now else 0.0

    async def cooldown(self, key: str, seconds: float, interval: float | None, burst: int) -> None:
        self.cooldown_now(key, seconds, interval, burst)

    def cooldown_now(self, key: str, seconds: float, interval: float | None, burst: int) -> None:
        """Synchronous `cooldown`."""
        now = self._clock()
        state = self._state(key)
        until = now + seconds
        if until > state.cooldown_until:
            state.cooldown_until = until
        if interval is not None:
            # After the pause the bucket starts empty: one request, then the steady rate. Never
            # earlier than slots already handed out: their holders still send after the pause.
            state.tat = max(state.tat, state.cooldown_until + (burst - 1) * interval)

    async def cooldown_remaining(self, key: str) -> float:
        return self.cooldown_remaining_now(key)

    def cooldown_remaining_now(self, key: str) -> float:
        """Synchronous `cooldown_remaining`."""
        state = self._keys.get(key) or self._state(key)
        left = state.cooldown_until - self._clock()
        return left if left > 0.0 else 0.0

    async def sync_remaining(
        self, key: str, remaining: int, interval: float | None, burst: int, *, exact: bool
    ) -> None:
        self.sync_remaining_now(key, remaining, interval, burst, exact=exact)

    def sync_remaining_now(
        self, key: str, remaining: int, interval: float | None, burst: int, *, exact: bool
    ) -> None:
        """Synchronous `sync_remaining`."""
        if interval is None:
            return
        state = self._keys.get(key) or self._state(key)
        held = burst if remaining <= 0 else burst - remaining if remaining < burst else 0
        tat = self._clock() + held * interval
        if exact or tat > state.tat:
            state.tat = tat
