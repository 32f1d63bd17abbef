"""
In-memory emulator of the Talkturo, Talkover and Talkory APIs.

Use it in-process through `Emulator().transport()`, or serve it with
`talkkit emulator serve` / `python -m talkkit.emulator` / `serve()`. It needs the
`emulator` extra: `pip install 'talkkit[emulator]'`.
"""

from __future__ import annotations

try:
    import starlette  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "talkkit.emulator needs the 'emulator' extra: pip install 'talkkit[emulator]'"
    ) from exc

from talkkit.emulator._constants import (
    TALKORY_KEY,
    TALKOVER_TOKEN,
    TALKTURO_ACCOUNT_SLUG,
    TALKTURO_TEAM_ID,
    TALKTURO_TOKEN,
)
from talkkit.emulator._deliveries import WebhookDelivery
from talkkit.emulator._emulator import Emulator
from talkkit.emulator._faults import FaultRule
from talkkit.emulator._limits import RateLimitSpec
from talkkit.emulator._records import CallFate, LoggedRequest, PlacedCall, token_hash
from talkkit.emulator._serve import banner, environment, serve

__all__ = [
    "TALKORY_KEY",
    "TALKOVER_TOKEN",
    "TALKTURO_ACCOUNT_SLUG",
    "TALKTURO_TEAM_ID",
    "TALKTURO_TOKEN",
    "CallFate",
    "Emulator",
    "FaultRule",
    "LoggedRequest",
    "PlacedCall",
    "RateLimitSpec",
    "WebhookDelivery",
    "banner",
    "environment",
    "serve",
    "token_hash",
]
