"""
How a placed call moves through its statuses: a seeded script per call, read lazily.

Talkover calls and the calls a Talkturo campaign places share these scripts (`CallBook`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import attrs

from talkkit.emulator._records import CallFate

if TYPE_CHECKING:
    from talkkit.emulator._env import Env

__all__ = [
    "DEFAULT_CALL_MIX",
    "FINAL_CALL_STATUSES",
    "CallBook",
    "CallScript",
    "Moved",
    "check_call_mix",
    "check_time_scale",
    "script_call",
]

FINAL_CALL_STATUSES = ("completed", "busy", "no-answer", "failed")
"""The statuses a call ends in (documented on list-calls; `answered` is the talking phase)."""

DEFAULT_CALL_MIX: Mapping[str, float] = {
    "completed": 0.6,
    "no-answer": 0.2,
    "busy": 0.1,
    "failed": 0.1,
}
"""How often calls end in each final status (INFERRED: a plausible outbound mix)."""

# Phase lengths in call seconds (INFERRED: plausible telephony timings). A call rings
# 1-3 s after it is placed (after its `delay_seconds`); the earliest end is 3 s after that.
_RING = (1.0, 3.0)
_ANSWER_AFTER = (4.0, 15.0)
_TALK = (15, 240)
_ENDS_AFTER = {"no-answer": (20.0, 40.0), "busy": (3.0, 8.0), "failed": (2.0, 10.0)}


def check_time_scale(value: float) -> float:
    """Return `value` if it is a valid call time scale (`0` to `math.inf`), else raise."""
    if math.isnan(value) or value < 0:
        raise ValueError(f"call_time_scale must be 0 or more (or math.inf), got {value!r}")
    return float(value)


def check_call_mix(mix: Mapping[str, float]) -> dict[str, float]:
    """Return the mix as a dict if every key is a final status and the weights make sense."""
    unknown = set(mix) - set(FINAL_CALL_STATUSES)
    if unknown:
        raise ValueError(
            f"call_mix keys must be final statuses {FINAL_CALL_STATUSES}, got {sorted(unknown)}"
        )
    if any(not math.isfinite(w) or w < 0 for w in mix.values()) or sum(mix.values()) <= 0:
        raise ValueError(f"call_mix weights must be finite, not negative, not all 0: {mix!r}")
    return dict(mix)


@attrs.frozen
class CallScript:
    """
    Everything that will happen to one call, fixed when it is placed.

    `steps` are `(offset, status)` pairs in call seconds from `placed_at`, starting with
    `(0, "initiated")` and ending with the final status; `scale` real seconds pass per call
    second (`0`: the call is over at once; `math.inf`: it never leaves `initiated`).
    `duration` is the talk time in whole call seconds (0 unless answered).
    """

    placed_at: datetime
    scale: float
    steps: tuple[tuple[float, str], ...]
    duration: int

    @property
    def status(self) -> str:
        """The status the call ends in."""
        return self.steps[-1][1]

    @property
    def ends_at(self) -> datetime | None:
        """When the call ends on the emulator's clock (`None`: never, with an infinite scale)."""
        return self.moment(self.steps[-1][0])

    def moment(self, offset: float) -> datetime | None:
        """The clock time `offset` call seconds after placing (`None` if never reached)."""
        if offset == 0:
            return self.placed_at
        real = offset * self.scale
        return self.placed_at + timedelta(seconds=real) if math.isfinite(real) else None

    def reached(self, offset: float) -> datetime:
        """The clock time of a step the call reached (so its moment is finite)."""
        moment = self.moment(offset)
        assert moment is not None  # a step reached has a finite moment
        return moment

    def step_at(self, now: datetime) -> int:
        """Index in `steps` of where the call is at `now`."""
        elapsed = max((now - self.placed_at).total_seconds(), 0.0)
        reached = 0
        for index, (offset, _status) in enumerate(self.steps):
            if offset == 0 or offset * self.scale <= elapsed:
                reached = index
        return reached

    @classmethod
    def finished(cls, status: str, duration: int, now: datetime) -> CallScript:
        """The script of a call forced to end `now` (`complete_calls`)."""
        return cls(now, 0.0, ((0.0, status),), duration)


def _pick(rng: random.Random, mix: Mapping[str, float]) -> str:
    """A final status drawn with the mix's weights."""
    point = rng.random() * sum(mix.values())
    for status in FINAL_CALL_STATUSES:
        weight = mix.get(status, 0.0)
        if weight > 0 and point < weight:
            return status
        point -= weight
    return max(mix, key=lambda s: mix[s])  # rounding left the point past the last weight


def script_call(
    seed: int,
    to: str,
    nth: int,
    *,
    mix: Mapping[str, float],
    scale: float,
    placed_at: datetime,
    delay: float = 0.0,
) -> CallScript:
    """
    Draw the script of the `nth` call (from 0) to `to`.

    The draw depends only on the seed, the number and how often it was called before, so
    the same calls get the same fates whatever order concurrent clients place them in.
    """
    rng = random.Random(f"talkkit-emulator:{seed}:call:{to}:{nth}")
    status = _pick(rng, mix)
    ring = delay + rng.uniform(*_RING)
    steps: list[tuple[float, str]] = [(0.0, "initiated"), (ring, "ringing")]
    duration = 0
    if status == "completed":
        answer = ring + rng.uniform(*_ANSWER_AFTER)
        duration = rng.randint(*_TALK)
        steps += [(answer, "answered"), (answer + duration, "completed")]
    else:
        steps.append((ring + rng.uniform(*_ENDS_AFTER[status]), status))
    return CallScript(placed_at, scale, tuple(steps), duration)


@attrs.frozen
class Moved:
    """
    A live call that moved on (`CallBook.advance`).

    `status` is the step it shows now, reached at `moment`; `passed` every status it went
    through since the last look, with when (the last one is `status`); `final` whether it
    ended.
    """

    call_id: str
    status: str
    moment: datetime
    passed: tuple[tuple[str, datetime], ...]
    final: bool
    duration: int


@attrs.define
class CallBook:
    """
    The scripts of placed calls, how far each live call is shown, and how often each number
    was dialled (which, with the seed, draws how a call ends).
    """

    scripts: dict[str, CallScript] = attrs.Factory(dict)
    live: dict[str, int] = attrs.Factory(dict)  # call id -> index of its step shown
    dialed: dict[str, int] = attrs.Factory(dict)  # number -> calls placed to it

    def place(
        self, call_id: str, to: str, env: Env, placed_at: datetime, delay: float = 0.0
    ) -> CallScript:
        """
        Draw the script of a new call to `to` with the emulator's seed and call settings,
        and follow it from `initiated`.
        """
        nth = self.dialed.get(to, 0)
        self.dialed[to] = nth + 1
        script = script_call(
            env.seed,
            to,
            nth,
            mix=env.call_mix,
            scale=env.call_time_scale,
            placed_at=placed_at,
            delay=delay,
        )
        self.scripts[call_id] = script
        self.live[call_id] = 0
        return script

    def advance(self, now: datetime) -> list[Moved]:
        """Move every live call to where its script is at `now`; return those that moved."""
        moved = []
        for call_id, shown in list(self.live.items()):
            script = self.scripts[call_id]
            step = script.step_at(now)
            if step == shown:
                continue
            passed = tuple(
                (status, script.reached(offset))
                for offset, status in script.steps[shown + 1 : step + 1]
            )
            final = step == len(script.steps) - 1
            if final:
                del self.live[call_id]
            else:
                self.live[call_id] = step
            status, moment = passed[-1]
            moved.append(Moved(call_id, status, moment, passed, final, script.duration))
        return moved

    def fate(
        self, call_id: str, to: str, agent_id: str | None, campaign_id: str | None
    ) -> CallFate | None:
        """How a placed call ends (`None` for a call this book does not know)."""
        script = self.scripts.get(call_id)
        if script is None:
            return None
        return CallFate(
            call_id=call_id,
            to=to,
            agent_id=agent_id,
            campaign_id=campaign_id,
            status=script.status,
            duration=script.duration,
            ends_at=script.ends_at,
        )

    def finish(self, call_id: str, status: str, duration: int, now: datetime) -> None:
        """End a call now with `status` (`complete_calls`)."""
        self.scripts[call_id] = CallScript.finished(status, duration, now)
        self.live.pop(call_id, None)
