"""Talkover routes (`/api/v1`), assembled from the per-resource route modules."""

from __future__ import annotations

from starlette.routing import BaseRoute

from talkkit.emulator._talkover_agents import AgentRoutes
from talkkit.emulator._talkover_calls import CallRoutes
from talkkit.emulator._talkover_campaigns import CampaignRoutes
from talkkit.emulator._talkover_state import TalkoverState
from talkkit.emulator._talkover_telephony import TelephonyRoutes
from talkkit.emulator._talkover_webhooks import WebhookRoutes

__all__ = ["talkover_routes"]


def talkover_routes(state: TalkoverState) -> list[BaseRoute]:
    """Every Talkover route, relative to the `/api/v1` mount."""
    groups = (
        AgentRoutes(state),
        CallRoutes(state),
        WebhookRoutes(state, "agent"),
        CampaignRoutes(state),
        WebhookRoutes(state, "campaign"),
        TelephonyRoutes(state),
    )
    return [route for group in groups for route in group.routes()]
