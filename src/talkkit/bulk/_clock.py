"""
The engine's time: the wall clock and sleeping, in one object so tests can replace both.

Backoffs between re-sends and the grace period before a last lookup are the only waits of a
bulk job measured in more than a poll; a test gives the job a virtual clock (``job._clock``)
whose ``sleep`` advances time at once, so grace periods and backoffs take no real time and their
lengths can be checked without timing anything.
"""

from __future__ import annotations

import math
import time

import anyio

from talkkit.errors import InvalidRequestError

__all__ = ["Clock", "check_seconds"]


class Clock:
    """Real time: ``wall()`` in Unix seconds (what call histories are searched by), real sleep."""

    def wall(self) -> float:
        """Seconds since the Unix epoch (comparable with the journal's timestamps)."""
        return time.time()

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (no wait for zero or less, but still a checkpoint)."""
        await anyio.sleep(max(seconds, 0.0))


def check_seconds(field: str, value: object, *, zero: bool = True) -> None:
    """
    Refuse a setting that is not a number of seconds: finite, not negative (and more than 0
    unless ``zero``), naming ``field``.
    """
    ok = (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and (value >= 0 if zero else value > 0)
    )
    if not ok:
        limit = "at least 0" if zero else "more than 0"
        raise InvalidRequestError(field, f"must be a number of seconds, {limit}", value=value)
