"""Scripted, seeded faults: latency, 5xx, 429, dropped connections and dropped streams."""

from __future__ import annotations

import enum
import fnmatch
import random
from typing import Any

import attrs

__all__ = ["FaultDecision", "FaultRule", "FaultSet", "Outcome"]


def _rate(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be within [0, 1], got {value!r}")


def _non_negative(_instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value!r}")


def _server_status(_instance: object, _attribute: attrs.Attribute[Any], value: int) -> None:
    if not 500 <= value <= 599:
        raise ValueError(f"error_status must be a 5xx status, got {value!r}")


@attrs.frozen
class FaultRule:
    """
    One scripted misbehaviour, applied to requests whose `"METHOD /full/path"` matches `route`.

    Each matching request draws once from the emulator's seeded generator; the draw picks at
    most one outcome, in this order: `drop_rate`, `commit_drop_rate`, `error_rate`,
    `throttle_rate` (so their sum must not exceed 1). A rule *fires* when the draw picks an
    outcome or when it has `latency`; rules are tried in the order they were added and the
    first that fires wins. `times` caps how often a rule fires. `stream_drop_after` applies to
    `text/event-stream` responses only: the stream is cut after that many events.

    Args:
        route: fnmatch pattern such as `"POST /api/crm/contacts"` or `"* /v1/*"`.
        latency: Seconds to sleep before handling the request.
        error_rate: Probability of answering `error_status` without processing.
        error_status: The 5xx status used by `error_rate`.
        throttle_rate: Probability of answering 429 with `Retry-After: retry_after`.
        retry_after: Seconds announced by throttled answers: ``Retry-After`` in whole seconds
            (rounded up), plus ``retry-after-ms`` when it has a fraction.
        drop_rate: Probability of dropping the connection before processing.
        commit_drop_rate: Probability of processing fully, then dropping instead of answering.
        stream_drop_after: Cut event streams after this many events.
        times: Fire at most this many times.
    """

    route: str = "*"
    latency: float = attrs.field(default=0.0, kw_only=True, validator=_non_negative)
    error_rate: float = attrs.field(default=0.0, kw_only=True, validator=_rate)
    error_status: int = attrs.field(default=500, kw_only=True, validator=_server_status)
    throttle_rate: float = attrs.field(default=0.0, kw_only=True, validator=_rate)
    retry_after: float = attrs.field(default=1, kw_only=True, validator=_non_negative)
    drop_rate: float = attrs.field(default=0.0, kw_only=True, validator=_rate)
    commit_drop_rate: float = attrs.field(default=0.0, kw_only=True, validator=_rate)
    stream_drop_after: int | None = attrs.field(default=None, kw_only=True, validator=_non_negative)
    times: int | None = attrs.field(default=None, kw_only=True, validator=_non_negative)

    def __attrs_post_init__(self) -> None:
        total = self.drop_rate + self.commit_drop_rate + self.error_rate + self.throttle_rate
        if total > 1.0 + 1e-9:
            raise ValueError(f"fault rates add up to {total}, more than 1")

    def matches(self, route: str) -> bool:
        """Tell whether `route` (`"METHOD /path"`) falls under this rule."""
        return fnmatch.fnmatchcase(route, self.route)


class Outcome(enum.Enum):
    """What a fired rule does to the request."""

    DROP = "drop"
    COMMIT_DROP = "commit_drop"
    ERROR = "error"
    THROTTLE = "throttle"


@attrs.frozen
class FaultDecision:
    """The fault chosen for one request: the rule, its outcome (if any) and its latency."""

    rule: FaultRule
    outcome: Outcome | None

    @property
    def label(self) -> str:
        """Name of the fault for the request log."""
        return "latency" if self.outcome is None else self.outcome.value


@attrs.define
class _Entry:
    rule: FaultRule
    fired: int = 0

    @property
    def spent(self) -> bool:
        return self.rule.times is not None and self.fired >= self.rule.times


class FaultSet:
    """
    The emulator's fault script (`emu.faults`): an ordered list of `FaultRule`.

    All draws come from one `random.Random` seeded with the emulator's seed, so the same
    seed and the same request sequence give the same faults.
    """

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._entries: list[_Entry] = []
        self._rng = random.Random(seed)

    def add(self, rule: FaultRule) -> FaultRule:
        """Append a rule (it is tried after the rules already present) and return it."""
        self._entries.append(_Entry(rule))
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        self._entries.clear()

    @property
    def rules(self) -> tuple[FaultRule, ...]:
        """The rules in the order they are tried."""
        return tuple(entry.rule for entry in self._entries)

    def fired(self, rule: FaultRule) -> int:
        """How many times `rule` has fired so far."""
        return sum(entry.fired for entry in self._entries if entry.rule is rule)

    def reset(self) -> None:
        """Keep the rules, forget how often they fired and reseed the generator."""
        for entry in self._entries:
            entry.fired = 0
        self._rng = random.Random(self._seed)

    def decide(self, route: str) -> FaultDecision | None:
        """Pick the fault for a request before it is processed, or `None`."""
        for entry in self._entries:
            rule = entry.rule
            if entry.spent or not rule.matches(route):
                continue
            outcome = self._draw(rule)
            if outcome is None and rule.latency == 0:
                continue
            entry.fired += 1
            return FaultDecision(rule, outcome)
        return None

    def _draw(self, rule: FaultRule) -> Outcome | None:
        rates = (
            (Outcome.DROP, rule.drop_rate),
            (Outcome.COMMIT_DROP, rule.commit_drop_rate),
            (Outcome.ERROR, rule.error_rate),
            (Outcome.THROTTLE, rule.throttle_rate),
        )
        if not any(rate for _, rate in rates):
            return None
        point = self._rng.random()
        for outcome, rate in rates:
            if point < rate:
                return outcome
            point -= rate
        return None

    def decide_stream(self, route: str) -> int | None:
        """For an event stream about to start: after how many events to cut it, or `None`."""
        for entry in self._entries:
            after = entry.rule.stream_drop_after
            if after is not None and not entry.spent and entry.rule.matches(route):
                entry.fired += 1
                return after
        return None
