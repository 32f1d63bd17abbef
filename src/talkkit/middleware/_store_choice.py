"""
Where a client's pacing state lives: the shared-limit choice, made once per client.

A rate limit belongs to an API key, not to a process. A client paces in this process by
default; a store the caller passes is shared with whoever else holds it; a shared limit
(``RedisRateLimit(url=...)``) brings a Redis store, and so does ``TALKKIT_REDIS_URL`` when the
client is given neither, so that every process using the key paces together.
"""

from __future__ import annotations

import os

from talkkit._config import UNSET, RateLimit, Unset
from talkkit._constants import REDIS_URL_ENV
from talkkit.middleware._limiter import LimiterStore, MemoryLimiterStore, SharedRateLimit

__all__ = ["choose_store"]


def choose_store(
    rate_limit: RateLimit | str | SharedRateLimit | Unset | None, store: LimiterStore | None
) -> tuple[RateLimit | str | Unset | None, LimiterStore, bool]:
    """
    A client's limiter store: ``(rate_limit, store, owned)``, ``owned`` if the client closes it.

    - a ``store`` given is used as is (shared with whoever passed it);
    - a shared limit (``RedisRateLimit(url=...)``) brings its own store, and gives its rate;
    - with ``TALKKIT_REDIS_URL`` set, the key's limit is shared through Redis (unless pacing
      is off: ``rate_limit=None``);
    - otherwise the state lives in this process.

    The rate comes back as given (a string is parsed with the rest of the configuration),
    ``UNSET`` when a shared limit names none (the platform default, then the headers).

    Raises:
        ConfigurationError: ``TALKKIT_REDIS_URL`` is not a Redis URL.
        ImportError: ``TALKKIT_REDIS_URL`` is set but the ``redis`` extra is not installed.
    """
    if rate_limit is None or isinstance(rate_limit, RateLimit | str | Unset):
        if store is not None:
            return rate_limit, store, False
        shared = os.environ.get(REDIS_URL_ENV, "").strip()
        if not shared or rate_limit is None:
            return rate_limit, MemoryLimiterStore(), False
        # The key's limit, shared via Redis (a string rate is parsed first, as a shared
        # limit's would be). Imported here: the Redis store costs `import talkkit` ~10 ms.
        from talkkit.middleware._redis_store import RedisLimiterStore

        rate = RateLimit.parse(rate_limit) if isinstance(rate_limit, str) else rate_limit
        return rate, RedisLimiterStore(shared), True
    rate = rate_limit.rate if rate_limit.rate is not None else UNSET
    if store is not None:
        return rate, store, False
    return rate, rate_limit.make_store(), True
