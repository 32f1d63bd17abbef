"""Webhook records (Talkover calls you): agent webhooks and campaign webhooks."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from talkkit.talkover.types._base import TalkoverModel
from talkkit.talkover.types._common import CustomHeader

__all__ = [
    "AgentWebhook",
    "AgentWebhookList",
    "CampaignWebhook",
    "WebhookStatus",
    "WebhookTestResult",
]


class WebhookStatus(enum.StrEnum):
    """Whether a webhook delivers events."""

    ACTIVE = "active"
    DISABLED = "disabled"


@attrs.frozen(kw_only=True)
class _Webhook(TalkoverModel):
    """What agent and campaign webhooks share."""

    id: str
    name: str | None = None
    webhook_url: str | None = None
    events: list[str] = attrs.field(factory=list)
    timeout: int | None = None
    max_retries: int | None = None
    enabled: bool | None = None
    http_method: str | None = None
    authorization_scheme: str | None = None
    custom_headers: list[CustomHeader] = attrs.field(factory=list)
    events_count: int | None = None
    status: WebhookStatus | str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class AgentWebhook(_Webhook):
    """A webhook receiving an agent's events (``event_phone_call_ended``…)."""

    agent_id: str | None = None


@attrs.frozen
class AgentWebhookList(TalkoverModel):
    """An agent's webhooks, and the events a webhook can subscribe to (name → description)."""

    webhooks: list[AgentWebhook] = attrs.field(factory=list)
    available_events: dict[str, str] = attrs.field(factory=dict)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class CampaignWebhook(_Webhook):
    """
    A webhook receiving a campaign's events (``campaign.started``, ``campaign_call.failed``…).

    A toggle returns only ``id`` and ``enabled``.
    """

    campaign_id: str | None = None
    include_call_events: bool | None = None
    event_templates: dict[str, Any] | None = None


@attrs.frozen
class WebhookTestResult(TalkoverModel):
    """How your endpoint answered a test delivery: its HTTP status and latency (ms)."""

    status_code: int | None = None
    response_time: float | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)
