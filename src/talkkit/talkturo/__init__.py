"""Talkturo: the client and its records."""

from __future__ import annotations

from talkkit.talkturo._client import AsyncTalkturo

__all__ = ["AsyncTalkturo"]
