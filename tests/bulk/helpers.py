"""Helpers of the engine tests: a virtual clock, fake operations, collecting a job's outcomes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import anyio

from talkkit.bulk import BulkJob, BulkOperation, CallEnd, ItemOutcome, Prepared
from talkkit.errors import APIConnectionError, OutcomeUnknownError, TalkkitError

J = TypeVar("J", bound=BulkJob[Any])

START = 1_700_000_000.0


class VirtualClock:
    """
    The engine's clock in tests: sleeping advances it at once. Backoffs and grace periods take
    no real time, and how long the engine waited can be read off it (``slept``).
    """

    def __init__(self, start: float = START) -> None:
        self.now = start
        self.slept: list[float] = []

    def wall(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(seconds, 0.0)
        await anyio.lowlevel.checkpoint()


def fast(job: J, clock: VirtualClock | None = None) -> J:
    """``job`` on a virtual clock."""
    job._clock = clock or VirtualClock()  # type: ignore[assignment]  # duck-typed Clock
    return job


async def collect(outcomes: AsyncIterator[ItemOutcome]) -> list[ItemOutcome]:
    return [outcome async for outcome in outcomes]


def by_index(results: list[ItemOutcome]) -> dict[int, ItemOutcome]:
    found = {r.index: r for r in results}
    assert len(found) == len(results), "an item got two outcomes"
    return found


def unclear() -> OutcomeUnknownError:
    """An answer lost after sending."""
    cause = APIConnectionError("dropped", request_sent=True)
    return OutcomeUnknownError(cause=cause, request_id="req_1", idempotency_key=None)


def operation(
    send: Callable[[str], Awaitable[str | None]],
    *,
    by_key: bool = True,
    resendable: bool = True,
    key: Callable[[str], str] = lambda raw: f"item:{raw}",
    reconcile: Callable[[Prepared[str], float], Awaitable[str | None]] | None = None,
    preflight: Callable[[], Awaitable[None]] | None = None,
    stops_job: Callable[[Prepared[str], TalkkitError], bool] | None = None,
    follow: Callable[[Sequence[str]], Awaitable[Mapping[str, CallEnd]]] | None = None,
    from_key: Callable[[str], Any] | None = None,
) -> BulkOperation[str]:
    """A fake operation over string items (``item:<raw>`` keys unless ``key`` says otherwise)."""
    return BulkOperation(
        name="test.items",
        prepare=lambda raw: Prepared(key(raw), raw, resendable=resendable),
        send=send,
        idempotent_by_key=by_key,
        reconcile=reconcile,
        preflight=preflight,
        stops_job=stops_job,
        follow=follow,
        from_key=from_key,
    )
