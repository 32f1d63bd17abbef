"""
What Talkturo sends when a campaign call changes status: Telnyx-style call events, signed
with Ed25519.

The URL is a dashboard setting (Settings → Integrations → Webhooks), not an API resource, so
the emulator takes it as configuration (`Emulator(talkturo_call_webhook_url=...)`). Talkturo
documents the event names, the ``Telnyx-Signature-Ed25519`` header and the 5-second answer
limit. INFERRED (Telnyx's conventions): the envelope ``{"data": {"record_type": "event",
"event_type", "id", "occurred_at", "payload": {...}}}``, the payload fields, the signature
over ``b"{Telnyx-Timestamp}|" + body`` and which events a status change sends:

=============  ==================================================================
status         events
=============  ==================================================================
``initiated``  ``call.initiated``
``answered``   ``call.answered``, ``call.machine_detection.ended`` (``human``)
``completed``  ``call.hangup`` (``normal_clearing``), ``call.completed``
``busy``       ``call.hangup`` (``user_busy``)
``no-answer``  ``call.hangup`` (``timeout``)
``failed``     ``call.hangup`` (``unspecified``)
=============  ==================================================================

Every call thus ends with exactly one ``call.hangup``, whose ``hangup_cause`` says how.
Signing needs ``cryptography`` (the ``webhooks`` extra), imported only once a URL is set.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import attrs

from talkkit.emulator._deliveries import Outbox, Signer
from talkkit.emulator._errors import JSONDict
from talkkit.emulator._wire import iso

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

__all__ = [
    "HANGUP_CAUSES",
    "MAX_RETRIES",
    "SIGNATURE_HEADER",
    "TIMEOUT",
    "TIMESTAMP_HEADER",
    "CallWebhooks",
]

SIGNATURE_HEADER = "Telnyx-Signature-Ed25519"
"""Base64 Ed25519 signature of ``b"{timestamp}|" + body``."""

TIMESTAMP_HEADER = "Telnyx-Timestamp"
"""Unix seconds of the attempt (emulator clock), signed with the body."""

TIMEOUT = 5.0
"""Documented: a delivery not answered 200 within 5 seconds counts as failed."""

MAX_RETRIES = 3
"""Retries after a failed delivery (INFERRED: the docs give no number)."""

HANGUP_CAUSES: Mapping[str, tuple[str, str, str]] = {
    "completed": ("normal_clearing", "callee", "16"),
    "busy": ("user_busy", "callee", "486"),
    "no-answer": ("timeout", "caller", "487"),
    "failed": ("unspecified", "unknown", "503"),
}
"""Final status → Telnyx ``hangup_cause``, ``hangup_source``, ``sip_hangup_cause``."""

_EVENTS: Mapping[str, tuple[str, ...]] = {
    "initiated": ("call.initiated",),
    "answered": ("call.answered", "call.machine_detection.ended"),
    "completed": ("call.hangup", "call.completed"),
    "busy": ("call.hangup",),
    "no-answer": ("call.hangup",),
    "failed": ("call.hangup",),
}
_PAYLOAD_KEYS = (
    "call_control_id",
    "call_leg_id",
    "call_session_id",
    "connection_id",
    "from",
    "to",
    "direction",
    # Talkturo's own (INFERRED): which campaign, contact and assistant the call is for.
    "campaign_id",
    "contact_id",
    "assistant_id",
)
_MISSING_EXTRA = (
    "the emulator signs Talkturo call webhooks with Ed25519, which needs the 'webhooks' "
    "extra: pip install 'talkkit[webhooks]'"
)


def _new_key() -> Ed25519PrivateKey:
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    except ImportError as exc:
        raise ImportError(_MISSING_EXTRA) from exc
    return Ed25519PrivateKey.generate()


def _event_id(call_id: str, event_type: str) -> str:
    """The same id on every delivery of one event (a UUID, as Telnyx's)."""
    digest = hashlib.sha256(f"{call_id}:{event_type}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def _payload(call: JSONDict, event_type: str, status: str, moment: datetime) -> dict[str, Any]:
    payload: dict[str, Any] = {key: call.get(key) for key in _PAYLOAD_KEYS}
    if event_type == "call.initiated":
        payload["state"] = "bridging"
    elif event_type == "call.answered":
        payload.update(state="answered", start_time=iso(moment, 6))
    elif event_type == "call.machine_detection.ended":
        payload["result"] = "human"
    else:  # call.hangup, call.completed
        payload.update(start_time=call.get("answered_at") or call["created_at"])
        payload["end_time"] = iso(moment, 6)
    if event_type == "call.hangup":
        cause, source, sip = HANGUP_CAUSES[status]
        payload.update(
            state="hangup", hangup_cause=cause, hangup_source=source, sip_hangup_cause=sip
        )
    return payload


@attrs.define
class CallWebhooks:
    """
    The dashboard's call webhook URL and the key pair that signs the deliveries.

    The key pair is made on first need (a URL set, or the public key asked for), fresh for
    each emulator; it stays across `Emulator.reset()`.
    """

    url: str | None = None
    key: Ed25519PrivateKey | None = None

    def configure(self, url: str | None) -> None:
        """
        Set (or with `None`, clear) the URL.

        Raises:
            ValueError: Not an absolute http(s) URL.
            ImportError: ``cryptography`` is missing (the ``webhooks`` extra).
        """
        if url is not None:
            parsed = urlsplit(url)
            if parsed.scheme not in ("http", "https") or not parsed.hostname:
                raise ValueError(f"talkturo_call_webhook_url must be an http(s) URL, got {url!r}")
            self.private_key()
        self.url = url

    def private_key(self) -> Ed25519PrivateKey:
        """The signing key, made now if there is none yet."""
        if self.key is None:
            self.key = _new_key()
        return self.key

    @property
    def public_key(self) -> str:
        """The public key as the portal shows it: the base64 of its 32 raw bytes."""
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        raw = self.private_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode("ascii")

    def signer(self, now: Callable[[], datetime]) -> Signer:
        """Sign a body with the time of the attempt, as Telnyx does on every delivery."""
        key = self.private_key()

        def sign(body: bytes) -> dict[str, str]:
            stamp = str(int(now().timestamp()))
            signature = key.sign(stamp.encode() + b"|" + body)
            return {
                SIGNATURE_HEADER: base64.b64encode(signature).decode("ascii"),
                TIMESTAMP_HEADER: stamp,
            }

        return sign

    def announce(self, outbox: Outbox, call: JSONDict, status: str, moment: datetime) -> None:
        """Queue the signed events of ``call`` reaching ``status`` at ``moment``, if a URL is set."""
        if self.url is None:
            return
        for event_type in _EVENTS.get(status, ()):
            event_id = _event_id(call["id"], event_type)
            data = {
                "record_type": "event",
                "event_type": event_type,
                "id": event_id,
                "occurred_at": iso(moment, 6),
                "payload": _payload(call, event_type, status, moment),
            }
            outbox.put(
                event_id=event_id,
                event=event_type,
                url=self.url,
                body=json.dumps({"data": data}).encode(),
                headers={},
                max_retries=MAX_RETRIES,
                timeout=TIMEOUT,
                sign=self.signer(outbox.now),
            )
