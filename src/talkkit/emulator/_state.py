"""What every platform's in-memory state shares: the runtime and record timestamps."""

from __future__ import annotations

from typing import Any

import attrs

from talkkit.emulator._env import Env
from talkkit.emulator._errors import JSONDict
from talkkit.emulator._wire import iso

__all__ = ["PlatformState"]


@attrs.define
class PlatformState:
    """Base of a platform's state: `env` gives ids and the clock, `stamp` times records."""

    env: Env

    def stamp(self, record: JSONDict, digits: int = 0, **changes: Any) -> JSONDict:
        """
        Apply changes and refresh `updated_at` (and set `created_at` on new records).

        `digits` is how many fractional second digits the timestamps keep.
        """
        now = iso(self.env.now(), digits)
        record.update(changes)
        record.setdefault("created_at", now)
        record["updated_at"] = now
        return record
