"""
What Talkover delivers when a call changes status: event names, bodies and signatures.

INFERRED throughout: Talkover documents the event names and the test payload, not the call
event bodies nor the signature header. The emulator sends ``{"event", "event_id",
"timestamp", "agent_id", "campaign_id", "webhook_id", "call": {...}, "context"}`` with the
hex HMAC-SHA256 of the body (keyed with the webhook's ``webhook_secret``) in
``X-Talkover-Signature``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from talkkit.emulator._deliveries import Outbox
from talkkit.emulator._errors import JSONDict
from talkkit.emulator._wire import iso

__all__ = ["SIGNATURE_HEADER", "announce"]

SIGNATURE_HEADER = "X-Talkover-Signature"

# Call status -> agent event (INFERRED mapping onto `available_events`).
_AGENT_EVENTS = {
    "initiated": "event_phone_call_started",
    "answered": "event_phone_call_connected",
    "completed": "event_phone_call_ended",
    "busy": "event_phone_call_did_not_connect",
    "no-answer": "event_phone_call_did_not_connect",
    "failed": "event_phone_call_error",
}
# Call status -> campaign event (the documented `campaign_call.*` names).
_CAMPAIGN_EVENTS = {
    "completed": "campaign_call.completed",
    "busy": "campaign_call.failed",
    "no-answer": "campaign_call.failed",
    "failed": "campaign_call.failed",
}
_CALL_KEYS = (
    "id",
    "sid",
    "to",
    "from",
    "direction",
    "status",
    "duration",
    "is_testing",
    "campaign_id",
    "created_at",
    "ended_at",
)


def _subscribed(webhook: JSONDict, call: JSONDict, status: str) -> str | None:
    """The event ``webhook`` gets for ``call`` reaching ``status``, if any."""
    if not webhook.get("enabled"):
        return None
    agent_event = _AGENT_EVENTS.get(status)
    if webhook.get("agent_id") is not None:
        wanted = webhook["agent_id"] == call["agent"]["id"]
        return agent_event if wanted and agent_event in webhook["events"] else None
    if webhook.get("campaign_id") is None or webhook["campaign_id"] != call.get("campaign_id"):
        return None
    campaign_event = _CAMPAIGN_EVENTS.get(status)
    if campaign_event in webhook["events"]:
        return campaign_event
    if webhook.get("include_call_events") and agent_event in webhook["events"]:
        return agent_event
    return None


def announce(
    outbox: Outbox,
    webhooks: Mapping[str, JSONDict],
    secrets: Mapping[str, str],
    call: JSONDict,
    status: str,
    context: Mapping[str, Any] | None,
) -> None:
    """Queue one signed delivery per webhook subscribed to ``call`` reaching ``status``."""
    for webhook in list(webhooks.values()):
        event = _subscribed(webhook, call, status)
        if event is None:
            continue
        seed = f"{webhook['id']}:{call['id']}:{status}".encode()
        event_id = "evt_" + hashlib.sha256(seed).hexdigest()[:24]
        body = json.dumps(
            {
                "event": event,
                "event_id": event_id,
                "timestamp": iso(outbox.now(), 3),
                "agent_id": call["agent"]["id"],
                "campaign_id": call.get("campaign_id"),
                "webhook_id": webhook["id"],
                "call": {**{k: call.get(k) for k in _CALL_KEYS}, "status": status},
                "context": dict(context or {}),
            }
        ).encode()
        headers = {
            str(h["key"]): str(h.get("value", ""))
            for h in webhook.get("custom_headers") or []
            if isinstance(h, dict) and "key" in h
        }
        if (secret := secrets.get(webhook["id"])) is not None:
            digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            headers[SIGNATURE_HEADER] = digest
        outbox.put(
            event_id=event_id,
            event=event,
            url=webhook["webhook_url"],
            body=body,
            headers=headers,
            method=webhook.get("http_method") or "POST",
            max_retries=webhook.get("max_retries", 3),
            timeout=float(webhook.get("timeout", 30)),
        )
