"""Deterministic identifiers: the same seed gives the same ids in the same order."""

from __future__ import annotations

import random
import uuid

__all__ = ["IdFactory"]

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


class IdFactory:
    """
    Seeded id generator with separate streams for resources and request ids.

    Separate streams keep resource ids stable no matter how many read-only requests a test
    makes in between.
    """

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self.reset()

    def reset(self) -> None:
        """Rewind every stream to the start of the seed."""
        self._resources = random.Random(f"talkkit-emulator:{self._seed}:resources")
        self._requests = random.Random(f"talkkit-emulator:{self._seed}:requests")

    def ulid(self, prefix: str) -> str:
        """Return a ULID-looking id such as `camp_01j…` (prefix, `01j`, 23 base32 chars)."""
        tail = "".join(self._resources.choice(_CROCKFORD) for _ in range(23))
        return f"{prefix}_01j{tail}"

    def uuid(self) -> str:
        """Return a random-looking version 4 UUID string."""
        return str(uuid.UUID(int=self._resources.getrandbits(128), version=4))

    def alnum(self, length: int) -> str:
        """Return `length` lowercase alphanumeric characters."""
        return "".join(self._resources.choice(_ALNUM) for _ in range(length))

    def hex(self, length: int) -> str:
        """Return `length` lowercase hex digits."""
        return f"{self._resources.getrandbits(4 * length):0{length}x}"

    def request_id(self) -> str:
        """Return a server-side request id (`req_` + 16 hex digits)."""
        return f"req_{self._requests.getrandbits(64):016x}"
