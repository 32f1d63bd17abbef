"""Fixed credentials and identifiers that exist in every fresh emulator."""

from __future__ import annotations

__all__ = [
    "OTHER_ACCOUNT_SLUG",
    "OTHER_TEAM_ID",
    "TALKORY_KEY",
    "TALKOVER_TOKEN",
    "TALKTURO_ACCOUNT_SLUG",
    "TALKTURO_TEAM_ID",
    "TALKTURO_TOKEN",
]

TALKTURO_TOKEN = "tk_test_emulator_talkturo"
"""Bearer token the emulator accepts for Talkturo by default."""

TALKOVER_TOKEN = "talq_emulator_talkover_token"
"""Environment token the emulator accepts for Talkover by default."""

TALKORY_KEY = "tk_live_emulatortalkorykey0123456789abcd"
"""API key the emulator accepts for Talkory by default (`tk_live_` + 32 lowercase alphanumerics)."""

TALKTURO_ACCOUNT_SLUG = "acme"
"""Slug of the Talkturo account that every configured Talkturo token belongs to."""

TALKTURO_TEAM_ID = "team_01emulator"
"""Team owned by `TALKTURO_ACCOUNT_SLUG`."""

OTHER_ACCOUNT_SLUG = "globex"
"""A second Talkturo account that no configured token belongs to (for 403 tests)."""

OTHER_TEAM_ID = "team_01other"
"""Team owned by `OTHER_ACCOUNT_SLUG`; using it with the default token gives 403."""
