"""Server-side rate limits: one token bucket per (platform, credential)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import attrs

__all__ = ["DEFAULT_RATE_LIMITS", "RateLimitSpec", "RateLimiter", "Verdict"]


def _positive(_instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and value <= 0:
        raise ValueError(f"{attribute.name} must be positive, got {value!r}")


@attrs.frozen
class RateLimitSpec:
    """
    A token bucket: `limit` requests refill evenly over `period` seconds.

    The bucket holds at most `burst` tokens (default: `limit`), so a fresh credential may
    send `burst` requests at once and then `limit` per `period`.

    Args:
        limit: Requests allowed per period; reported as `X-RateLimit-Limit`.
        period: Length of the period in seconds.
        burst: Bucket capacity; defaults to `limit`.
    """

    limit: int = attrs.field(validator=_positive)
    period: float = attrs.field(default=60.0, validator=_positive)
    burst: int | None = attrs.field(default=None, validator=_positive)

    @property
    def capacity(self) -> int:
        """How many tokens a full bucket holds."""
        return self.limit if self.burst is None else self.burst


DEFAULT_RATE_LIMITS: Mapping[str, RateLimitSpec | None] = {
    "talkory": RateLimitSpec(30, 60.0),  # documented: 30 requests/minute per key
    "talkover": RateLimitSpec(100, 60.0),  # documented Standard plan: 100 requests/minute
    "talkturo": None,  # nothing published (the docs repo mentions 1000/hour)
}


@attrs.frozen
class Verdict:
    """The limiter's answer for one request."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: int


@attrs.define
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """
    Token buckets per (platform, credential) with an injectable monotonic clock.

    Args:
        specs: Platform name to spec; `None` (or a missing name) means unlimited.
        clock: Returns seconds; `time.monotonic` in real use, a fake in tests.
    """

    def __init__(
        self, specs: Mapping[str, RateLimitSpec | None], clock: Callable[[], float]
    ) -> None:
        self.specs = dict(specs)
        self.clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    def reset(self) -> None:
        """Refill every bucket."""
        self._buckets.clear()

    def _bucket(self, spec: RateLimitSpec, platform: str, key: str) -> _Bucket:
        now = self.clock()
        bucket = self._buckets.get((platform, key))
        if bucket is None:
            bucket = self._buckets[platform, key] = _Bucket(float(spec.capacity), now)
        rate = spec.limit / spec.period
        bucket.tokens = min(spec.capacity, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        return bucket

    def take(self, platform: str, key: str) -> Verdict | None:
        """Spend one token for `key`; `None` when the platform is unlimited."""
        spec = self.specs.get(platform)
        if spec is None:
            return None
        bucket = self._bucket(spec, platform, key)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict(True, spec.limit, math.floor(bucket.tokens), 0)
        wait = (1 - bucket.tokens) * spec.period / spec.limit
        return Verdict(False, spec.limit, 0, max(1, math.ceil(wait)))

    def peek(self, platform: str, key: str | None) -> Verdict | None:
        """Report the state of `key`'s bucket without spending; `None` when unlimited."""
        spec = self.specs.get(platform)
        if spec is None:
            return None
        if key is None:
            return Verdict(True, spec.limit, spec.capacity, 0)
        remaining = math.floor(self._bucket(spec, platform, key).tokens)
        return Verdict(remaining >= 1, spec.limit, remaining, 0)
