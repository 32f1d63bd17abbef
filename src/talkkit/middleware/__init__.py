"""
The request pipeline's built-in layers, outermost first.

| # | layer | runs | job |
|---|-------|------|-----|
| 1 | `RequestIdMiddleware` | once per call | ``X-Request-Id``; ``Idempotency-Key`` on unsafe calls |
| – | `CallTracingMiddleware` | once per call | ``otel`` extra: one span per call |
| 2 | `RetryMiddleware` | once per call | retries by the safety rule; Retry-After; deadline |
| – | your middleware | per attempt | whatever you add with ``middleware=[...]`` |
| 3 | `RateLimitMiddleware` | per attempt | per-key pacing, header feedback, 429 cooldown |
| – | `AttemptTracingMiddleware` | per attempt | ``otel`` extra: one CLIENT span per attempt |
| 4 | `BearerAuth` | per attempt | ``Authorization`` header |
| 5 | `ErrorDecoderMiddleware` | per attempt | non-2xx -> typed `APIError` |
|   | transport | per attempt | httpx transport; transport errors -> `APIConnectionError` |

The order is fixed by the client; a test records it. The two tracing layers are there only
when the ``otel`` extra (OpenTelemetry's API) is installed.

Limiter stores hold the pacing state of `RateLimitMiddleware`: `MemoryLimiterStore` (the
default, this process) or `RedisLimiterStore` (every process using the key; the ``redis``
extra, see `talkkit.redis`); any `LimiterStore` will do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from talkkit.middleware._limiter import LimiterStore, MemoryLimiterStore, SharedRateLimit
from talkkit.middleware.attempt_tracing import AttemptTracingMiddleware
from talkkit.middleware.auth import BearerAuth
from talkkit.middleware.errors import ErrorDecoderMiddleware
from talkkit.middleware.rate_limit import RateLimitMiddleware
from talkkit.middleware.request_id import RequestIdMiddleware
from talkkit.middleware.retry import RetryMiddleware
from talkkit.middleware.tracing import CallTracingMiddleware

if TYPE_CHECKING:
    from talkkit.middleware._redis_store import RedisLimiterStore

__all__ = [
    "AttemptTracingMiddleware",
    "BearerAuth",
    "CallTracingMiddleware",
    "ErrorDecoderMiddleware",
    "LimiterStore",
    "MemoryLimiterStore",
    "RateLimitMiddleware",
    "RedisLimiterStore",
    "RequestIdMiddleware",
    "RetryMiddleware",
    "SharedRateLimit",
]


def __getattr__(name: str) -> object:
    # The Redis store (and the asyncio it imports) loads on first use, not with talkkit.
    if name == "RedisLimiterStore":
        from talkkit.middleware._redis_store import RedisLimiterStore

        return RedisLimiterStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
