"""
Typed events: what every platform's event offers (`Event`), Talkover's events, and the JSON
decoding step after a signature checked out.

Talkover publishes no event payloads, only the test payload (``{"event": "webhook.test",
"agent_id", "agent_name", "webhook_id", "webhook_name", "timestamp", "test": true}``) and that
a call's ``context`` is echoed in every webhook for that call. The call fields below
(``event_id``, ``call``, ``status``) are INFERRED; whatever else a delivery carries stays in
`TalkoverEvent.raw`.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Protocol

import attrs

from talkkit._converter import make_converter, structure
from talkkit._json_body import json_object
from talkkit.errors import DecodeError

__all__ = [
    "Event",
    "TalkoverEvent",
    "WebhookDecodeError",
    "decode_json",
    "decode_talkover",
]


class WebhookDecodeError(DecodeError):
    """
    A delivery whose signature checked out is not an event talkkit can read (not UTF-8, not a
    JSON object, or fields of the wrong type). The sender really sent it: log it, answer 400.

    Attributes:
        path: Where in the body the problem is (``"$"``, ``"$.data.payload"``…).
    """


class Event(Protocol):
    """What every platform's typed event offers (`TalkoverEvent`, Talkturo's `WebhookEvent`)."""

    @property
    def type(self) -> str:
        """The event name (``"call.hangup"``, ``"event_phone_call_ended"``…)."""

    @property
    def id(self) -> str | None:
        """The event id when the delivery has one: the key duplicates are dropped by."""

    @property
    def raw(self) -> dict[str, Any]:
        """The whole decoded body."""


def decode_json(body: bytes) -> dict[str, Any]:
    """
    The body as a JSON object.

    Raises:
        WebhookDecodeError: Not UTF-8, not JSON, or not an object.
    """
    return json_object(body, WebhookDecodeError)


@attrs.frozen(kw_only=True)
class TalkoverEvent:
    """
    A Talkover delivery (agent or campaign webhook).

    Attributes:
        type: The event name: an agent event (``event_phone_call_ended``…), a campaign event
            (``campaign_call.completed``…) or ``webhook.test``.
        id: The delivery's event id (``event_id``, INFERRED), if any.
        occurred_at: The body's ``timestamp``.
        call_id: The call's id (``call.id`` or ``call_id``), for call events.
        call_status: The call's status at this event (``call.status`` or ``status``):
            ``initiated``, ``ringing``, ``answered``, ``completed``, ``busy``,
            ``no-answer``, ``failed``.
        agent_id: The agent, when the body names one.
        campaign_id: The campaign, for campaign calls and campaign events.
        webhook_id: The webhook that delivered it.
        context: The ``context`` you passed when placing the call, echoed back.
        test: Whether this is a test delivery (``POST …/webhooks/{id}/test``).
        raw: The whole decoded body.
    """

    type: str
    id: str | None = None
    occurred_at: datetime | None = None
    call_id: str | None = None
    call_status: str | None = None
    agent_id: str | None = None
    campaign_id: str | None = None
    webhook_id: str | None = None
    context: dict[str, Any] = attrs.field(factory=dict, repr=False)
    test: bool = False
    raw: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)

    @property
    def is_final(self) -> bool:
        """Whether `call_status` is one a call ends in (``completed``, ``busy``…)."""
        return self.call_status in ("completed", "busy", "no-answer", "failed")

    @property
    def call_duration(self) -> float | None:
        """
        The call's talk time in seconds (``call.duration`` or ``duration``, INFERRED), when the
        body holds a number there (meaningful once the call ended: see `is_final`).
        """
        call = self.raw.get("call")
        value = _pick(
            call.get("duration") if isinstance(call, dict) else None, self.raw.get("duration")
        )
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
            return None
        return float(value) if math.isfinite(value) else None


_CONVERTER = make_converter(response_case="snake")


def _pick(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def decode_talkover(data: dict[str, Any]) -> TalkoverEvent:
    """
    A Talkover body as a `TalkoverEvent`.

    Raises:
        WebhookDecodeError: No ``event`` name, or fields of the wrong type.
    """
    if not isinstance(data.get("event"), str):
        raise WebhookDecodeError("webhook body has no event name (event)", path="$.event")
    call = data.get("call")
    call = call if isinstance(call, dict) else {}
    agent = _pick(call.get("agent"), data.get("agent"))
    fields = {
        "type": data["event"],
        "id": _pick(data.get("event_id"), data.get("id")),
        "occurred_at": data.get("timestamp"),
        "call_id": _pick(call.get("id"), data.get("call_id")),
        "call_status": _pick(call.get("status"), data.get("status")),
        "agent_id": _pick(
            data.get("agent_id"), agent.get("id") if isinstance(agent, dict) else None
        ),
        "campaign_id": _pick(data.get("campaign_id"), call.get("campaign_id")),
        "webhook_id": data.get("webhook_id"),
        "context": _pick(data.get("context"), call.get("context"), {}),
        "test": bool(data.get("test") is True),
        "raw": data,
    }
    try:
        return structure(_CONVERTER, fields, TalkoverEvent)
    except DecodeError as exc:
        raise WebhookDecodeError(
            exc.message.replace("response", "webhook body"), path=exc.path
        ) from exc
