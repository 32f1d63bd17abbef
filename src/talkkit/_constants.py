"""Named defaults used across talkkit (one place to read and change them)."""

from __future__ import annotations

import httpx

__all__ = [
    "CONTEXT_KEY",
    "DEFAULT_BACKOFF_BASE",
    "DEFAULT_BACKOFF_MAX",
    "DEFAULT_DEADLINE",
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_RETRY_AFTER_CAP",
    "DEFAULT_TIMEOUT",
    "IDEMPOTENCY_KEY_HEADER",
    "LOGGER_NAME",
    "LOG_ENV",
    "REDIS_URL_ENV",
    "REQUEST_ID_HEADER",
    "USER_AGENT",
]

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=256, max_keepalive_connections=64)

DEFAULT_MAX_RETRIES = 2
DEFAULT_BACKOFF_BASE = 0.5  # seconds; attempt n waits up to base * 2**n (full jitter)
DEFAULT_BACKOFF_MAX = 8.0
DEFAULT_RETRY_AFTER_CAP = 60.0  # a longer Retry-After is raised to the caller, not slept
DEFAULT_DEADLINE = 120.0  # no retry starts, and no backoff sleeps, past this many seconds

REQUEST_ID_HEADER = "X-Request-Id"
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
LOGGER_NAME = "talkkit"
LOG_ENV = "TALKKIT_LOG"
REDIS_URL_ENV = "TALKKIT_REDIS_URL"  # set: every client shares its key's limit through Redis
CONTEXT_KEY = "talkkit"  # key of the per-call context in httpx.Request.extensions

USER_AGENT = "talkkit-python"
