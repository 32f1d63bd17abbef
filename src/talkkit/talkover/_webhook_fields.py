"""The write rules of agent and campaign webhooks (create-webhook, create-campaign-webhook)."""

from __future__ import annotations

from talkkit.talkover import _fields as f

__all__ = ["AGENT_WEBHOOK", "CAMPAIGN_WEBHOOK", "REQUIRED"]

AGENT_WEBHOOK: dict[str, f.Check] = {
    "name": f.text(min_len=1, max_len=255),
    "webhook_url": f.url(max_len=500),
    "webhook_secret": f.text(min_len=1, max_len=255),
    # Not checked against the known names: the documented list is truncated.
    "events": f.strings(min_items=1),
    "timeout": f.integer(5, 120),
    "max_retries": f.integer(0, 10),
    "enabled": f.flag,
    "http_method": f.choice(("POST", "PUT", "PATCH")),
    "authorization_scheme": f.choice(f.SCHEMES),
    "custom_headers": f.headers,
}

CAMPAIGN_WEBHOOK: dict[str, f.Check] = {
    **AGENT_WEBHOOK,
    "include_call_events": f.flag,
    "event_templates": f.mapping,  # INFERRED name of the per-event template overrides
}

REQUIRED = ("name", "webhook_url", "events")
"""Required on create; every field is optional on update (``None`` leaves it unchanged)."""
