"""Talkturo: the client, its records and the webhook helpers."""

from __future__ import annotations

from talkkit.talkturo import types
from talkkit.talkturo._campaign_dial import CampaignDial
from talkkit.talkturo._client import AsyncTalkturo
from talkkit.talkturo.types import *  # noqa: F403  (the records: listed once, in types)
from talkkit.talkturo.webhooks import WebhookSignatureError

__all__ = ["AsyncTalkturo", "CampaignDial", "WebhookSignatureError"]
__all__ += types.__all__
