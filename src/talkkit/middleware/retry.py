"""
Layer 2 (once per call, around every attempt): retries on tenacity, with the safety rule.

**Safe and idempotent** calls are retried on 408/429/500/502/503/504, connection errors and
timeouts. **Unsafe** calls (create, charge, dial) are retried only when the failure proves the
server did not process them: a connection failure before sending, 429, or 503 with
``Retry-After``. Any other failure after sending raises `OutcomeUnknownError` — the request is
never sent a second time. 409 is never retried.

Waits: ``Retry-After`` (seconds, HTTP-date or ``retry-after-ms``) when the server sent it,
otherwise full-jitter exponential backoff. A ``Retry-After`` longer than the policy's
``retry_after_cap`` is not slept: the error is raised with ``retry_after`` so that a caller
(the bulk engine) can reschedule the item. No retry starts and no sleep ends past the deadline.

The first attempt runs without touching tenacity, so a call that succeeds costs nothing here.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, NoReturn

import anyio
import httpx

from talkkit._config import RetryEvent, RetryPolicy
from talkkit._log import logger
from talkkit._request import CallContext, Safety, context_of
from talkkit.errors import APIConnectionError, APIError, OutcomeUnknownError, TalkkitError
from talkkit.typing import Handler

if TYPE_CHECKING:  # tenacity loads with the first client, not with ``import talkkit``
    from tenacity import RetryCallState

__all__ = ["RetryMiddleware", "set_testing"]

_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_zero_waits = False


def set_testing(*, no_waits: bool) -> None:
    """Turn every retry sleep into zero (for tests). `talkkit.testing.no_backoff` wraps this."""
    global _zero_waits
    _zero_waits = no_waits


class RetryMiddleware:
    """Retry one logical call according to a `RetryPolicy` and the request's `Safety`."""

    __slots__ = ("_backoff", "policy")

    def __init__(self, policy: RetryPolicy) -> None:
        from tenacity import wait_random_exponential

        self.policy = policy
        self._backoff = wait_random_exponential(
            multiplier=policy.backoff_base, max=policy.backoff_max
        )

    def __repr__(self) -> str:
        return f"RetryMiddleware({self.policy!r})"

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        ctx = context_of(request)
        ctx.attempt = 1
        try:
            return await call_next(request)
        except TalkkitError as exc:
            if self.policy.max_retries == 0 or not self._retryable(exc, ctx):
                self._give_up(exc, ctx, request)
            first = exc

        pending: list[TalkkitError] = [first]

        async def attempt() -> httpx.Response:
            if pending:  # replay the first attempt's failure so tenacity counts it
                raise pending.pop()
            ctx.attempt += 1
            return await call_next(request)

        from tenacity import AsyncRetrying, retry_if_exception  # loaded by `__init__`: a lookup

        retrying = AsyncRetrying(
            stop=lambda state: self._stop(state, ctx),
            wait=self._wait,
            retry=retry_if_exception(lambda exc: self._retryable(exc, ctx)),
            sleep=anyio.sleep,
            before_sleep=lambda state: self._before_sleep(state, request),
            reraise=True,
        )
        try:
            return await retrying(attempt)
        except TalkkitError as exc:
            self._give_up(exc, ctx, request)

    def _retryable(self, exc: BaseException, ctx: CallContext) -> bool:
        if isinstance(exc, APIError):
            if exc.retry_after is not None and exc.retry_after > self.policy.retry_after_cap:
                return False  # too long to sleep inline: the caller reschedules
            if ctx.safety is Safety.UNSAFE:
                return exc.status == 429 or (exc.status == 503 and exc.retry_after is not None)
            return exc.status in _RETRY_STATUSES
        if isinstance(exc, APIConnectionError):
            return ctx.safety is not Safety.UNSAFE or not exc.request_sent
        return False

    def _stop(self, state: RetryCallState, ctx: CallContext) -> bool:
        if state.attempt_number > self.policy.max_retries:
            return True
        deadline = self.policy.deadline
        if deadline is None:
            return False
        upcoming = state.upcoming_sleep
        return time.monotonic() - ctx.started + upcoming > deadline

    def _wait(self, state: RetryCallState) -> float:
        if _zero_waits:
            return 0.0
        exc = state.outcome.exception() if state.outcome is not None else None
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            return float(retry_after)
        return float(self._backoff(state))

    def _before_sleep(self, state: RetryCallState, request: httpx.Request) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        assert exc is not None  # tenacity only sleeps after a failure
        delay = state.upcoming_sleep
        status = getattr(exc, "status", None)
        logger.info(
            "retrying %s %s after attempt %d (%s): sleeping %.3fs",
            request.method,
            request.url.path,
            state.attempt_number,
            status if status is not None else type(exc).__name__,
            delay,
        )
        hook = self.policy.on_retry
        if hook is not None:
            hook(
                RetryEvent(
                    attempt=state.attempt_number,
                    cause=exc,
                    status=status,
                    delay=delay,
                    method=request.method,
                    url=str(request.url.copy_with(query=None)),
                )
            )

    def _give_up(self, exc: TalkkitError, ctx: CallContext, request: httpx.Request) -> NoReturn:
        """Raise the final error: `OutcomeUnknownError` when an unsafe call may have run."""
        if ctx.safety is Safety.UNSAFE and _maybe_processed(exc):
            raise OutcomeUnknownError(
                cause=exc,
                request_id=ctx.request_id,
                idempotency_key=ctx.idempotency_key,
                method=request.method,
                url=str(request.url.copy_with(query=None)),
            ) from exc
        raise exc


def _maybe_processed(exc: TalkkitError) -> bool:
    """Could the server have acted on the request that failed this way?"""
    if isinstance(exc, APIConnectionError):
        return exc.request_sent
    if isinstance(exc, APIError):
        if exc.status == 503 and exc.retry_after is not None:
            return False  # the server says: not now, come back later
        return exc.status >= 500 or exc.status == 408
    return False
