"""Talkover: the client and its records."""

from __future__ import annotations

from talkkit.talkover._client import AsyncTalkover

__all__ = ["AsyncTalkover"]
