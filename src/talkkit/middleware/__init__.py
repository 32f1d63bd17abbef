"""
The request pipeline's built-in layers, outermost first.

| # | layer | runs | job |
|---|-------|------|-----|
| 1 | `RequestIdMiddleware` | once per call | ``X-Request-Id``; ``Idempotency-Key`` on unsafe calls |
| 2 | `RetryMiddleware` | once per call | retries by the safety rule; Retry-After; deadline |
| – | your middleware | per attempt | whatever you add with ``middleware=[...]`` |
| 3 | `RateLimitMiddleware` | per attempt | per-key pacing, header feedback, 429 cooldown |
| 4 | `BearerAuth` | per attempt | ``Authorization`` header |
| 5 | `ErrorDecoderMiddleware` | per attempt | non-2xx -> typed `APIError` |
|   | transport | per attempt | httpx transport; transport errors -> `APIConnectionError` |

The order is fixed by the client; a test records it.
"""

from __future__ import annotations

from talkkit.middleware._limiter import LimiterStore, MemoryLimiterStore, SharedRateLimit
from talkkit.middleware.auth import BearerAuth
from talkkit.middleware.errors import ErrorDecoderMiddleware
from talkkit.middleware.rate_limit import RateLimitMiddleware
from talkkit.middleware.request_id import RequestIdMiddleware
from talkkit.middleware.retry import RetryMiddleware

__all__ = [
    "BearerAuth",
    "ErrorDecoderMiddleware",
    "LimiterStore",
    "MemoryLimiterStore",
    "RateLimitMiddleware",
    "RequestIdMiddleware",
    "RetryMiddleware",
    "SharedRateLimit",
]
