"""Talkover: the client and its records."""

from __future__ import annotations

from talkkit.talkover import types
from talkkit.talkover._client import AsyncTalkover
from talkkit.talkover.types import *  # noqa: F403  (the records: listed once, in types)

__all__ = ["AsyncTalkover"]
__all__ += types.__all__
