"""Webhook bodies → the fields of a typed event (Telnyx-style, flat or billing envelopes)."""

from __future__ import annotations

from typing import Any

from talkkit._json_body import json_object
from talkkit.errors import DecodeError
from talkkit.talkturo.types import (
    BillingEvent,
    BillingEventType,
    CallAnswered,
    CallCompleted,
    CallEventType,
    CallHangup,
    CallInitiated,
    MachineDetectionEnded,
    WebhookEvent,
)

__all__ = ["decode_body", "event_fields"]

_EVENT_CLASSES: dict[str, type[WebhookEvent]] = {
    CallEventType.INITIATED: CallInitiated,
    CallEventType.ANSWERED: CallAnswered,
    CallEventType.COMPLETED: CallCompleted,
    CallEventType.HANGUP: CallHangup,
    CallEventType.MACHINE_DETECTION_ENDED: MachineDetectionEnded,
    **dict.fromkeys(BillingEventType, BillingEvent),
}
# Envelope fields of `WebhookEvent`: payload keys with these names are not flattened.
_RESERVED = frozenset({"type", "id", "occurred_at", "payload", "raw", "extra"})


def decode_body(body: bytes) -> dict[str, Any]:
    """
    The body as a JSON object.

    Raises:
        DecodeError: Not UTF-8, not JSON, or not an object.
    """
    return json_object(body)


def event_fields(data: dict[str, Any]) -> tuple[type[WebhookEvent], dict[str, Any]]:
    """
    The event class for the body's type and the flat fields to structure it from.

    Call events: ``{"data": {"event_type", "id", "occurred_at", "payload"}}`` (or the same
    keys at the top level); payload keys become attributes. Billing events: ``{"id", "type",
    "created", "data": {"object"}}``; the other top-level keys become attributes.

    Raises:
        DecodeError: No event type, or a payload that is not an object.
    """
    inner = data.get("data")
    if isinstance(inner, dict) and isinstance(inner.get("event_type"), str):
        event = inner
    elif isinstance(data.get("event_type"), str):
        event = data  # a flat relay of the same keys
    elif isinstance(data.get("type"), str):
        return _billing_fields(data, inner)
    else:
        raise DecodeError("webhook body has no event type (data.event_type or type)")
    payload = _payload(event.get("payload"))
    flat = {k: v for k, v in payload.items() if k not in _RESERVED}
    kind = event["event_type"]
    fields = {"type": kind, "id": event.get("id"), "occurred_at": event.get("occurred_at")}
    return _EVENT_CLASSES.get(kind, WebhookEvent), {**flat, **fields, "payload": payload}


def _billing_fields(data: dict[str, Any], inner: Any) -> tuple[type[WebhookEvent], dict[str, Any]]:
    payload = _payload(inner.get("object", inner) if isinstance(inner, dict) else None)
    flat = {k: v for k, v in data.items() if k not in ("data", "created", *_RESERVED)}
    kind = data["type"]
    fields = {"type": kind, "id": data.get("id"), "occurred_at": data.get("created")}
    return _EVENT_CLASSES.get(kind, WebhookEvent), {**flat, **fields, "payload": payload}


def _payload(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DecodeError("webhook payload is not an object", path="$.data.payload")
    return value
