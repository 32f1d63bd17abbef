"""
Share an API key's rate limit across processes and hosts through Redis.

A rate limit belongs to an API key, not to a process: four workers importing with one key must
stay under the key's limit together. Give every client that uses the key a `RedisRateLimit`::

    from talkkit import AsyncTalkory
    from talkkit.redis import RedisRateLimit

    talkory = AsyncTalkory(rate_limit=RedisRateLimit("redis://localhost:6379/0", rate="600/min"))

Pacing decisions and 429 cooldowns then live in Redis (one atomic Lua script each, on Redis'
clock), so one worker's 429 pauses all of them. Needs the ``redis`` extra:
``pip install 'talkkit[redis]'``. Works under asyncio and trio.
"""

from __future__ import annotations

import os

import attrs

from talkkit._config import RateLimit
from talkkit._constants import REDIS_URL_ENV
from talkkit._redis_url import check_url, redact_url, require_redis
from talkkit.errors import ConfigurationError
from talkkit.middleware import RedisLimiterStore

__all__ = ["REDIS_URL_ENV", "RedisLimiterStore", "RedisRateLimit"]


def _resolve_url(url: str | None) -> str:
    require_redis()
    if url is None:
        url = os.environ.get(REDIS_URL_ENV, "").strip() or None
    if url is None:
        raise ConfigurationError(
            "redis_url",
            f"no Redis URL: pass RedisRateLimit(url=...) or set {REDIS_URL_ENV}",
        )
    return check_url(url)


def _shown(url: str) -> str:
    return repr(redact_url(url))


def _parse_rate(rate: RateLimit | str | None) -> RateLimit | None:
    return RateLimit.parse(rate) if isinstance(rate, str) else rate


@attrs.frozen
class RedisRateLimit:
    """
    A ``rate_limit=`` value whose pacing state lives in Redis, shared by every process using
    the same API key (the token is hashed; it never reaches Redis).

    Args:
        url: ``redis://[user:password@]host:port/db`` (or ``rediss://``, ``unix://``);
            default ``TALKKIT_REDIS_URL``. Shown without its password in ``repr`` and errors.
        rate: The key's limit (`RateLimit` or ``"600/min"``), if known; ``None``: the
            platform's documented default, then the server's ``X-RateLimit-*`` headers.
        prefix: Prefix of the Redis keys (separate deployments sharing one Redis).
        fallback: Processes assumed to share the key while Redis is down, each pacing at
            ``1/fallback`` of the rate (``None``: as many as Redis last saw).

    Raises:
        ConfigurationError: No URL given and ``TALKKIT_REDIS_URL`` unset, or not a Redis URL.
            Redis that cannot be reached raises it on the client's first request.
        ImportError: The ``redis`` extra is not installed.

    Example::

        limit = RedisRateLimit("redis://redis.internal:6379/0", rate="600/min")
        async with AsyncTalkory(rate_limit=limit) as talkory:
            ...

    .. versionadded:: 0.1
    """

    url: str = attrs.field(default=None, converter=_resolve_url, repr=_shown)
    rate: RateLimit | None = attrs.field(default=None, converter=_parse_rate, kw_only=True)
    prefix: str = attrs.field(default="talkkit", kw_only=True)
    fallback: int | None = attrs.field(default=None, kw_only=True)

    def make_store(self) -> RedisLimiterStore:
        """A new `RedisLimiterStore` for one client (the client calls this once)."""
        return RedisLimiterStore(self.url, prefix=self.prefix, fallback=self.fallback)
