"""Talkturo: the client, its records and the webhook helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from talkkit.talkturo import types
from talkkit.talkturo._campaign_dial import CampaignDial
from talkkit.talkturo._client import AsyncTalkturo
from talkkit.talkturo.types import *  # noqa: F403  (the records: listed once, in types)
from talkkit.talkturo.webhooks import WebhookSignatureError

__all__ = ["AsyncTalkturo", "CampaignDial", "WebhookSignatureError"]
if not TYPE_CHECKING:  # the records' names are not visible to type checkers (see types)
    __all__ += types.__all__
