"""Shared runtime of one emulator: ids, clocks, faults, limits and the records tests read."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import attrs

from talkkit.emulator._faults import FaultSet
from talkkit.emulator._ids import IdFactory
from talkkit.emulator._limits import RateLimiter
from talkkit.emulator._records import LoggedRequest, PlacedCall
from talkkit.emulator._talkover_lifecycle import DEFAULT_CALL_MIX

__all__ = ["Env", "restore_defaults"]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@attrs.define
class Env:
    """
    Everything the pipeline and the platform handlers share.

    `now` gives wall-clock timestamps for records and moves calls along; the limiter has its
    own monotonic clock. `seed`, `refuse_duplicates`, `call_time_scale` and `call_mix` are
    configuration, not state: `reset` keeps them.
    """

    ids: IdFactory
    faults: FaultSet
    limiter: RateLimiter
    now: Callable[[], datetime] = _utcnow
    request_log: list[LoggedRequest] = attrs.Factory(list)
    placed_calls: list[PlacedCall] = attrs.Factory(list)
    throttled: int = 0
    refuse_duplicates: bool = True
    seed: int = 0
    call_time_scale: float = 1.0
    call_mix: Mapping[str, float] = DEFAULT_CALL_MIX

    def reset(self) -> None:
        """Forget every record and rewind the seeded generators."""
        self.ids.reset()
        self.faults.reset()
        self.limiter.reset()
        self.request_log.clear()
        self.placed_calls.clear()
        self.throttled = 0


def restore_defaults(state: attrs.AttrsInstance) -> None:
    """
    Put an attrs state object back to how a fresh one starts, in place.

    Fields without a default (such as the shared `Env`) are kept; every other field gets a
    fresh default, and `__attrs_post_init__` seeds the initial data again. References that
    tests hold to the state object stay valid.
    """
    cls = type(state)
    kept = {
        f.alias: getattr(state, f.name)
        for f in attrs.fields(cls)
        if f.init and f.default is attrs.NOTHING
    }
    fresh = cls(**kept)
    for f in attrs.fields(cls):
        object.__setattr__(state, f.name, getattr(fresh, f.name))
