"""
Layer 3 (per attempt): proactive pacing per API key, learned from the server, with a shared
429 cooldown.

Where the rate comes from, in order: what the user configured (``rate_limit=``); what the server
says (``X-RateLimit-Limit`` replaces the platform default as soon as a response carries it);
the platform's documented default. ``X-RateLimit-Remaining`` lowers the allowance (never raises
it), ``Remaining: 0`` pauses until the window can have refilled, and any 429 pauses every task
using the key for its ``Retry-After``. Tasks that had reserved a slot re-check the cooldown
after waking, so nobody sends during it.

Where the pacing state lives (this process, a store the caller shares, or Redis) is chosen
once per client by `choose_store` (in `talkkit.middleware._store_choice`).
"""

from __future__ import annotations

import hashlib

import anyio
import httpx

from talkkit._config import RateLimit
from talkkit._headers import parse_rate_limit
from talkkit.errors import APIError, RateLimitError
from talkkit.middleware._limiter import LimiterStore, MemoryLimiterStore
from talkkit.middleware._store_choice import choose_store
from talkkit.typing import Handler

__all__ = ["RateLimitMiddleware", "choose_store", "key_for_token"]

_DEFAULT_429_PAUSE = 1.0  # a 429 without Retry-After pauses the key this long


def key_for_token(platform: str, base_url: str, token: str) -> str:
    """The limiter key of an API key: a hash, so the token itself is never stored."""
    digest = hashlib.sha256(f"{platform}\0{base_url}\0{token}".encode()).hexdigest()
    return f"talkkit:{platform}:{digest[:24]}"


class RateLimitMiddleware:
    """Pace attempts for one key; learn from ``X-RateLimit-*``; share 429 cooldowns."""

    def __init__(
        self,
        *,
        key: str,
        store: LimiterStore | None = None,
        configured: RateLimit | None = None,
        default: RateLimit | None = None,
        period: float = 60.0,
        max_cooldown_wait: float | None = None,
    ) -> None:
        self.key = key
        self.store: LimiterStore = store if store is not None else MemoryLimiterStore()
        self.configured = configured
        self.period = period
        self._interval: float | None = None  # the rate as the store takes it (see `rate`)
        self._burst = 1
        self.rate = configured or default
        # The in-memory store needs no I/O: its state is read and written without awaiting
        # (a subclass may override the async methods, so only the class itself).
        self._memory = self.store if type(self.store) is MemoryLimiterStore else None
        self._in_flight = 0  # our requests sent and not answered yet: the server's count lags
        self.max_cooldown_wait = max_cooldown_wait

    @property
    def rate(self) -> RateLimit | None:
        """The rate paced at (``None``: no pacing, only cooldowns)."""
        return self._rate

    @rate.setter
    def rate(self, rate: RateLimit | None) -> None:
        self._rate = rate
        self._interval, self._burst = (rate.interval, rate.burst) if rate is not None else (None, 1)

    def __repr__(self) -> str:
        return f"RateLimitMiddleware(rate={self.rate!r}, store={type(self.store).__name__})"

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        memory = self._memory
        if memory is None:
            await self.acquire()
        else:  # `acquire`, without awaiting unless there is a wait
            if self.max_cooldown_wait is not None:
                self._check_cooldown(memory.cooldown_remaining_now(self.key))
            delay = memory.reserve_now(self.key, self._interval, self._burst)
            if delay > 0:
                await self._wait(delay)
        self._in_flight += 1
        try:
            response = await call_next(request)
        except APIError as exc:
            self._in_flight -= 1
            await self.observe(exc.headers, exc.status, exc.retry_after)
            raise
        except BaseException:
            self._in_flight -= 1
            raise
        self._in_flight -= 1  # before observing: the server's count includes this request
        if memory is None:
            await self.observe(response.headers, response.status_code, None)
        else:
            self._apply_now(memory, self._learn(response.headers, response.status_code, None))
        return response

    async def acquire(self) -> None:
        """
        Wait for this key's next slot (and out any cooldown).

        Raises:
            RateLimitError: The key is cooling down for longer than ``max_cooldown_wait``
                (the retry policy's inline cap): raised without sending, with
                ``retry_after``, so the caller can reschedule instead of hanging.
        """
        if self.max_cooldown_wait is not None:
            self._check_cooldown(await self.store.cooldown_remaining(self.key))
        delay = await self._reserve()
        if delay > 0:
            await self._wait(delay)

    def _check_cooldown(self, pause: float) -> None:
        """Refuse to wait out a cooldown longer than ``max_cooldown_wait`` (see `acquire`)."""
        if self.max_cooldown_wait is not None and pause > self.max_cooldown_wait:
            raise RateLimitError(
                f"the key is cooling down for {pause:.0f}s after the server's limit was "
                f"reached; not waiting longer than {self.max_cooldown_wait:g}s inline",
                status=429,
                code="client_cooldown",
                retry_after=pause,
            )

    async def _reserve(self) -> float:
        return await self.store.reserve(self.key, self._interval, self._burst)

    async def _wait(self, delay: float) -> None:
        """Sleep ``delay``, then until a slot comes that no 429 seen meanwhile holds back."""
        while True:
            await anyio.sleep(delay)
            # A 429 seen while we slept pauses everyone, including slots reserved before it.
            if await self.store.cooldown_remaining(self.key) <= 0:
                return
            delay = await self._reserve()
            if delay <= 0:
                return

    def _learn(
        self, headers: httpx.Headers | object, status: int, retry_after: float | None
    ) -> tuple[float | None, int | None]:
        """
        Take the rate from a response's headers; return what the store must hear of it:
        ``(pause, None)`` for a cooldown, ``(None, remaining)`` for the server's count (ours
        in flight deducted), or ``(None, None)``.
        """
        limit, remaining, reset = parse_rate_limit(headers)  # type: ignore[arg-type]
        if limit is not None and limit > 0 and self.configured is None:
            rate = self._rate
            if rate is None or rate.limit != limit:
                self.rate = RateLimit(limit, self.period, burst=max(int(limit), 1))
        if status == 429:
            return (retry_after if retry_after is not None else (reset or _DEFAULT_429_PAUSE)), None
        if remaining is None:
            return None, None
        if remaining <= 0:
            return (reset if reset is not None else (self._interval or _DEFAULT_429_PAUSE)), None
        return None, remaining - self._in_flight

    def _apply_now(
        self, memory: MemoryLimiterStore, learned: tuple[float | None, int | None]
    ) -> None:
        """Tell the in-memory store what `_learn` found."""
        pause, remaining = learned
        if pause is not None:
            memory.cooldown_now(self.key, pause, self._interval, self._burst)
        elif remaining is not None:
            # The server's Remaining is the truth for a learned or documented rate (it knows
            # its window; we only guessed it), so it may raise the allowance too. A rate the
            # user configured is only ever lowered.
            memory.sync_remaining_now(
                self.key, remaining, self._interval, self._burst, exact=self.configured is None
            )

    async def observe(
        self, headers: httpx.Headers | object, status: int, retry_after: float | None
    ) -> None:
        """Learn from a response (or an error response) of this key."""
        pause, remaining = self._learn(headers, status, retry_after)
        if self._memory is not None:
            self._apply_now(self._memory, (pause, remaining))
        elif pause is not None:
            await self.store.cooldown(self.key, pause, self._interval, self._burst)
        elif remaining is not None:
            await self.store.sync_remaining(
                self.key, remaining, self._interval, self._burst, exact=self.configured is None
            )
