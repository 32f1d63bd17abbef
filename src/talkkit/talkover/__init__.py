"""Talkover: the client and its records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from talkkit.talkover import types
from talkkit.talkover._client import AsyncTalkover
from talkkit.talkover.types import *  # noqa: F403  (the records: listed once, in types)

__all__ = ["AsyncTalkover"]
if not TYPE_CHECKING:  # the records' names are not visible to type checkers (see types)
    __all__ += types.__all__
