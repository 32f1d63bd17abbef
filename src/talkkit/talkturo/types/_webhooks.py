"""
Webhook events Talkturo sends to you.

Call events use a Telnyx-style envelope (INFERRED from the event names and the
``Telnyx-Signature-Ed25519`` header): ``{"data": {"event_type", "id", "occurred_at",
"payload": {...}}}``. Billing events use the subscription provider's envelope (INFERRED, Stripe
style per the docs repo): ``{"id", "type", "created", "data": {"object": {...}}}``.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from talkkit.talkturo.types._base import TalkturoModel

__all__ = [
    "BillingEvent",
    "BillingEventType",
    "CallAnswered",
    "CallCompleted",
    "CallEvent",
    "CallEventType",
    "CallHangup",
    "CallInitiated",
    "MachineDetectionEnded",
    "WebhookEvent",
]


class CallEventType(enum.StrEnum):
    """The documented call-status events."""

    INITIATED = "call.initiated"
    ANSWERED = "call.answered"
    COMPLETED = "call.completed"
    HANGUP = "call.hangup"
    MACHINE_DETECTION_ENDED = "call.machine_detection.ended"


class BillingEventType(enum.StrEnum):
    """Billing events the docs repo lists (the published pages name none)."""

    CHECKOUT_SESSION_COMPLETED = "checkout.session.completed"
    SUBSCRIPTION_UPDATED = "customer.subscription.updated"
    SUBSCRIPTION_DELETED = "customer.subscription.deleted"
    INVOICE_PAID = "invoice.paid"
    PAYMENT_INTENT_SUCCEEDED = "payment_intent.succeeded"


@attrs.frozen(kw_only=True)
class WebhookEvent(TalkturoModel):
    """
    Any webhook delivery. Event types talkkit does not know arrive as this class.

    Attributes:
        type: The event type (``"call.hangup"``, ``"invoice.paid"``…).
        id: The event id, when the envelope has one (use it to drop duplicate deliveries).
        occurred_at: When it happened, when the envelope says.
        payload: The event's own data (``data.payload`` or ``data.object``), as sent.
        raw: The whole decoded body.
    """

    type: str
    id: str | None = None
    occurred_at: datetime | None = None
    payload: dict[str, Any] = attrs.field(factory=dict, repr=False)
    raw: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class CallEvent(WebhookEvent):
    """A call-status event; the payload fields are Telnyx's (INFERRED)."""

    call_control_id: str | None = None
    call_leg_id: str | None = None
    call_session_id: str | None = None
    connection_id: str | None = None
    from_: str | None = None
    to: str | None = None
    direction: str | None = None
    state: str | None = None
    client_state: str | None = None


@attrs.frozen(kw_only=True)
class CallInitiated(CallEvent):
    """``call.initiated``: an outbound call was placed or an inbound call arrived."""


@attrs.frozen(kw_only=True)
class CallAnswered(CallEvent):
    """``call.answered``: the callee picked up."""

    start_time: datetime | None = None


@attrs.frozen(kw_only=True)
class CallCompleted(CallEvent):
    """``call.completed``: the call ended normally."""

    start_time: datetime | None = None
    end_time: datetime | None = None


@attrs.frozen(kw_only=True)
class CallHangup(CallEvent):
    """``call.hangup``: one party hung up."""

    start_time: datetime | None = None
    end_time: datetime | None = None
    hangup_cause: str | None = None
    hangup_source: str | None = None
    sip_hangup_cause: str | None = None


@attrs.frozen(kw_only=True)
class MachineDetectionEnded(CallEvent):
    """``call.machine_detection.ended``: ``result`` is e.g. ``human``, ``machine``, ``not_sure``."""

    result: str | None = None


@attrs.frozen(kw_only=True)
class BillingEvent(WebhookEvent):
    """A subscription/billing event; ``payload`` is the provider's object (``data.object``)."""

    livemode: bool | None = None
