"""Talkory: the client and its records."""

from __future__ import annotations

from talkkit.talkory import types
from talkkit.talkory._client import AsyncTalkory
from talkkit.talkory._stream import QueryEvent, QueryStream
from talkkit.talkory.types import *  # noqa: F403  (the records: listed once, in types)

__all__ = ["AsyncTalkory", "QueryEvent", "QueryStream"]
__all__ += types.__all__
