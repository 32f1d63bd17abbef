"""
An event store in Redis, shared by every receiver process (the ``redis`` extra).

One ``SET key 1 NX PX ttl`` per event: atomic, so two processes that get the same redelivery
at once cannot both take it. Under asyncio it uses redis-py's asyncio client (one per event
loop); under trio, redis-py's synchronous client in a worker thread, as the shared rate limit
does.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import anyio

from talkkit._constants import REDIS_URL_ENV
from talkkit._redis_url import check_url, redact_url, require_redis
from talkkit.errors import ConfigurationError

__all__ = ["RedisEventStore"]


class RedisEventStore:
    """
    Event keys kept in Redis for ``ttl`` seconds.

    Args:
        url: ``redis://[user:password@]host:port/db`` (or ``rediss://``, ``unix://``);
            default ``TALKKIT_REDIS_URL``. Shown without its password in ``repr``.
        prefix: Prefix of the Redis keys.
        ttl: Seconds a key is kept: longer than the sender keeps redelivering (a day by
            default).

    Raises:
        ConfigurationError: No URL, or not a Redis URL.
        ImportError: The ``redis`` extra is not installed.
    """

    def __init__(
        self, url: str | None = None, *, prefix: str = "talkkit:webhooks", ttl: float = 86400
    ) -> None:
        require_redis()
        url = url or os.environ.get(REDIS_URL_ENV, "").strip() or None
        if url is None:
            raise ConfigurationError(
                "redis_url", f"no Redis URL: pass RedisEventStore(url) or set {REDIS_URL_ENV}"
            )
        if not ttl > 0:
            raise ConfigurationError("ttl", "must be a number of seconds > 0")
        self.url = check_url(url)
        self.prefix = prefix
        self.ttl_ms = max(1, round(ttl * 1000))
        self._async: dict[int, Any] = {}  # id(event loop) -> redis.asyncio client
        self._sync: Any = None

    def __repr__(self) -> str:
        return f"RedisEventStore({redact_url(self.url)!r}, prefix={self.prefix!r})"

    async def _call(self, command: str, *args: Any, **options: Any) -> Any:
        try:
            loop = id(asyncio.get_running_loop())
        except RuntimeError:  # trio: redis-py's synchronous client, in a worker thread
            loop = None
        if loop is not None:
            import redis.asyncio

            if loop not in self._async:
                self._async[loop] = redis.asyncio.Redis.from_url(self.url)
            return await getattr(self._async[loop], command)(*args, **options)
        if self._sync is None:
            import redis

            self._sync = redis.Redis.from_url(self.url)
        method = getattr(self._sync, command)
        return await anyio.to_thread.run_sync(lambda: method(*args, **options))

    async def add(self, key: str) -> bool:
        """Remember ``key`` for ``ttl``; ``True`` if it was new."""
        return bool(await self._call("set", f"{self.prefix}:{key}", b"1", nx=True, px=self.ttl_ms))

    async def discard(self, key: str) -> None:
        """Forget ``key``."""
        await self._call("delete", f"{self.prefix}:{key}")

    async def aclose(self) -> None:
        """Close the connections."""
        clients, self._async = list(self._async.values()), {}
        for client in clients:
            await client.aclose()
        if self._sync is not None:
            self._sync.close()
            self._sync = None
