"""Where a receiver remembers the events it has taken: in memory by default, or your own."""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol, runtime_checkable

__all__ = ["EventStore", "MemoryEventStore"]


@runtime_checkable
class EventStore(Protocol):
    """
    Remembers event keys so a redelivered event is handled once.

    A store shared by several receiver processes (`RedisEventStore`) makes "once" hold
    across them.
    """

    async def add(self, key: str) -> bool:
        """Remember ``key``; return ``True`` if it was new, ``False`` if already there."""
        ...

    async def discard(self, key: str) -> None:
        """Forget ``key`` (the event could not be queued: let its redelivery through)."""
        ...


class MemoryEventStore:
    """
    The last ``max_size`` event keys of one process (oldest forgotten first).

    Providers redeliver within minutes to hours; size it above the events you receive in
    that time. Memory stays bounded whatever arrives.

    Args:
        max_size: How many keys to keep.
    """

    def __init__(self, max_size: int = 100_000) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self.max_size = max_size
        self._keys: OrderedDict[str, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._keys)

    async def add(self, key: str) -> bool:
        """Remember ``key``; ``True`` if it was new."""
        if key in self._keys:
            return False
        self._keys[key] = None
        if len(self._keys) > self.max_size:
            self._keys.popitem(last=False)
        return True

    async def discard(self, key: str) -> None:
        """Forget ``key``."""
        self._keys.pop(key, None)
