"""
Unclear items of operations that can look them up: once right away, once more at the end.

An answer lost after sending (a dropped connection, a 5xx) cannot say whether a call was
placed; the platform's history can. The item is looked up at once — a call stored before the
answer was lost shows up there — and, when it is not there yet, once more at the end of the
job, after ``grace`` seconds from its last attempt (a history may show a call late). Found:
``done``, with its id. Still not there: ``not_placed`` — it did not happen, and it is not sent
again unless the user asks. The history unreadable: ``unknown``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import anyio
import attrs

from talkkit.bulk._clock import Clock
from talkkit.bulk._stop import JobStop, refuses_credentials
from talkkit.bulk._types import ItemOutcome, Outcome, Prepared
from talkkit.bulk._work import Work, error_text, outcome, reconciled
from talkkit.errors import TalkkitError

__all__ = ["Reconciler"]

P = TypeVar("P")


@attrs.define
class _Held(Generic[P]):
    """An unclear item the history did not show yet."""

    work: Work[P]
    since: float  # Unix seconds before its last attempt: where its lookup starts
    due: float  # Unix seconds at which its grace period has passed
    attempts: int
    cause: TalkkitError | None  # the unclear answer (``None``: left unclear by an earlier run)


class Reconciler(Generic[P]):
    """
    Looks unclear items up in the platform's history and ends each of them.

    Args:
        reconcile: The operation's lookup: the item's resource id, or ``None`` when absent.
        grace: Seconds after an item's last attempt before a miss means ``not_placed``.
        concurrency: Lookups in flight at most at the end of the job.
        clock: The wall clock and sleep (a virtual one in tests).
        stop: The job's stop: refused credentials stop the job and end the lookups.
        finish: Records and reports an item's outcome (and, for an unclear one, when its
            last attempt began).
    """

    def __init__(
        self,
        reconcile: Callable[[Prepared[P], float], Awaitable[str | None]],
        *,
        grace: float,
        concurrency: int,
        clock: Clock,
        stop: JobStop,
        finish: Callable[[ItemOutcome, float | None], Awaitable[None]],
    ) -> None:
        self._reconcile = reconcile
        self._grace = grace
        self._concurrency = concurrency
        self._clock = clock
        self._stop = stop
        self._finish = finish
        self._held: list[_Held[P]] = []

    async def look_up(
        self, item: Work[P], since: float, last: float, attempts: int, cause: TalkkitError | None
    ) -> None:
        """
        Look ``item`` up now (``since``: before its last attempt; ``last``: when that ended).
        Not found while its grace period runs, it waits for `settle`.
        """
        found, error = await self._find(item, since)
        if found is not None:
            await self._finish(reconciled(item, found, attempts), None)
            return
        held = _Held(item, since, last + self._grace, attempts, cause)
        if error is None and self._clock.wall() >= held.due:
            await self._finish(self._not_placed(held), None)
        elif self._stop.credentials:  # lookups are refused too: no last one
            await self._finish(_unclear(held, error), held.since)
        else:
            self._held.append(held)

    async def settle(self) -> None:
        """
        The end of the job: each waiting item is looked up once more when its grace period
        has passed (earliest first, ``concurrency`` at a time).
        """
        held, self._held = sorted(self._held, key=lambda h: h.due), []
        if not held:
            return
        slots = anyio.Semaphore(self._concurrency)
        async with anyio.create_task_group() as tg:
            for each in held:
                await self._clock.sleep(each.due - self._clock.wall())
                await slots.acquire()
                tg.start_soon(self._last_look_up, each, slots)

    async def abandon(self) -> None:
        """The job cannot record a last lookup (its journal went away): end them unknown."""
        held, self._held = self._held, []
        for each in held:
            await self._finish(_unclear(each, self._stop.error), each.since)

    async def _last_look_up(self, held: _Held[P], slots: anyio.Semaphore) -> None:
        try:
            if self._stop.credentials:  # refused meanwhile: left unclear in the journal
                found, error = None, self._stop.error
            else:
                found, error = await self._find(held.work, held.since)
        finally:
            slots.release()
        if found is not None:
            await self._finish(reconciled(held.work, found, held.attempts), None)
        elif error is None:
            await self._finish(self._not_placed(held), None)
        else:
            await self._finish(_unclear(held, error), held.since)

    async def _find(self, item: Work[P], since: float) -> tuple[str | None, TalkkitError | None]:
        """The id found (or ``None``), or why the history could not be read."""
        try:
            return await self._reconcile(item.prepared, since), None
        except TalkkitError as exc:
            if refuses_credentials(exc):
                self._stop.stop_on(exc)
            return None, exc

    def _not_placed(self, held: _Held[P]) -> ItemOutcome:
        return outcome(
            held.work,
            Outcome.NOT_PLACED,
            held.attempts,
            None,
            code="not_in_history",
            message=f"not in the platform's history {self._grace:g} s after its last attempt: "
            "it did not happen; not sent again unless asked (redial_not_placed)",
        )


def _unclear(held: _Held[Any], error: TalkkitError | None) -> ItemOutcome:
    """Still unclear: the history could not be read (``error``)."""
    if error is None:
        why = "not found in the platform's history yet"
    else:
        why = f"the platform's history could not be read ({error_text(error)})"
    return outcome(
        held.work,
        Outcome.UNKNOWN,
        held.attempts,
        held.cause or error,
        message=f"may have happened: {why}; check before retrying",
    )
