"""
Talkturo webhooks (Talkturo → you): signature checks and typed events.

Two kinds of delivery are documented:

- **call** webhooks carry ``Telnyx-Signature-Ed25519`` and ``Telnyx-Timestamp``: Ed25519 over
  ``b"{timestamp}|" + body``, checked with Talkturo's (Telnyx's) public key. The timestamp is
  signed, so a delivery older or newer than ``tolerance`` seconds is refused. Pass
  ``public_key=`` to `Webhooks.parse` (needs the ``webhooks`` extra);
- **billing** webhooks carry ``X-Signature``: base64 of HMAC-SHA256 over the raw body, keyed
  with the webhook secret (Settings → Integrations → Webhook Secrets). Pass ``secret=``.
  Passing a secret for a delivery that only has an Ed25519 signature fails closed with
  `WebhookSignatureError` rather than pretending it was checked.

These helpers are thin aliases of `talkkit.webhooks.unwrap` / `talkkit.webhooks.verify`
(``platform="talkturo"`` or ``"talkturo-billing"``), which the receiver
`talkkit.webhooks.app` uses too. The billing HMAC covers the body only: when a timestamp
header (``Telnyx-Timestamp`` or ``X-Timestamp``) is present, deliveries outside ``tolerance``
are refused, which catches stale redeliveries, not a replay with a forged header: drop
duplicates by `WebhookEvent.id` (the receiver does).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from talkkit._converter import make_converter, structure
from talkkit._resource import Resource
from talkkit.errors import InvalidRequestError, WebhookSignatureError
from talkkit.talkturo._envelope import decode_body, event_fields
from talkkit.talkturo.types import WebhookEvent
from talkkit.webhooks import (
    BILLING_HEADER,
    BILLING_TIMESTAMP_HEADERS,
    TALKTURO_SIGNATURE_HEADER,
    Platform,
    PublicKey,
    register_decoder,
    unwrap,
)
from talkkit.webhooks import sign as _sign
from talkkit.webhooks import verify as _verify

if TYPE_CHECKING:
    from talkkit.talkturo._client import AsyncTalkturo

__all__ = [
    "ED25519_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADERS",
    "WebhookSignatureError",
    "Webhooks",
    "sign",
    "verify",
]

SIGNATURE_HEADER = BILLING_HEADER
"""Billing webhooks: base64 HMAC-SHA256 of the raw body."""

ED25519_HEADER = TALKTURO_SIGNATURE_HEADER
"""Call webhooks: Ed25519 signature of ``b"{Telnyx-Timestamp}|" + body``."""

TIMESTAMP_HEADERS = BILLING_TIMESTAMP_HEADERS
"""Headers read as a billing delivery's time (Unix seconds); ``X-Timestamp`` is talkkit's own."""

_CONVERTER = make_converter(response_case="snake")


def _decode(data: dict[str, Any]) -> WebhookEvent:
    cls, fields = event_fields(data)
    return structure(_CONVERTER, {**fields, "raw": data}, cls)


register_decoder(Platform.TALKTURO, _decode)
register_decoder(Platform.TALKTURO_BILLING, _decode)


def sign(body: bytes, secret: str | bytes, *, timestamp: float | None = None) -> dict[str, str]:
    """
    The headers a billing delivery of ``body`` carries (for tests and local tools).

    Alias of ``talkkit.webhooks.sign(body, platform="talkturo-billing", ...)``.

    Args:
        body: The raw request body.
        secret: The webhook secret.
        timestamp: Add ``X-Timestamp`` (Unix seconds), checked against ``tolerance``.

    Returns:
        ``{"X-Signature": ...}`` (plus ``X-Timestamp`` when given).
    """
    return _sign(body, platform=Platform.TALKTURO_BILLING, secret=secret, timestamp=timestamp)


def verify(
    body: bytes, headers: Mapping[str, str], secret: str | bytes, *, tolerance: float = 300
) -> None:
    """
    Check a billing delivery's ``X-Signature`` (and its timestamp, if any) on the raw bytes.

    Alias of ``talkkit.webhooks.verify(body, headers, platform="talkturo-billing", ...)``.

    Raises:
        WebhookSignatureError: The signature is missing, wrong or Ed25519-only, or the
            timestamp is unreadable or outside ``tolerance`` seconds of now.
    """
    _verify(body, headers, platform=Platform.TALKTURO_BILLING, secret=secret, tolerance=tolerance)


class Webhooks(Resource):
    """Parse and verify deliveries your endpoint receives (no HTTP calls are made)."""

    _client: AsyncTalkturo

    def parse(
        self,
        body: bytes,
        headers: Mapping[str, str],
        *,
        secret: str | bytes | None = None,
        public_key: PublicKey | None = None,
        tolerance: float = 300,
    ) -> WebhookEvent:
        """
        Verify (when ``secret`` or ``public_key`` is given) and parse one delivery into a
        typed event.

        Known call events become `CallInitiated`, `CallAnswered`, `CallCompleted`,
        `CallHangup` or `MachineDetectionEnded`; known billing events `BillingEvent`; any
        other type a plain `WebhookEvent` (never an error).

        Args:
            body: The raw request body, exactly as received.
            headers: The request headers (any case).
            secret: The billing webhook secret (``X-Signature``).
            public_key: Talkturo's Ed25519 public key (base64 of its 32 raw bytes), for
                call webhooks (``Telnyx-Signature-Ed25519``). Needs the ``webhooks`` extra.
            tolerance: Seconds a timestamp header may differ from now.

        Neither ``secret`` nor ``public_key``: the body is parsed unverified (only for
        deliveries you verified yourself).

        Raises:
            WebhookSignatureError: Verification failed (``reason`` says why).
            DecodeError: The body is not a UTF-8 JSON object shaped like an event
                (`WebhookDecodeError` when it was verified first).
            InvalidRequestError: ``body`` is not bytes, or ``secret`` is empty.
        """
        if public_key is not None or secret is not None:
            platform = Platform.TALKTURO if public_key is not None else Platform.TALKTURO_BILLING
            event = unwrap(
                body,
                headers,
                platform=platform,
                secret=secret,
                public_key=public_key,
                tolerance=tolerance,
            )
            return cast(WebhookEvent, event)  # the decoder registered above
        if not isinstance(body, bytes | bytearray | memoryview):
            raise InvalidRequestError(
                "body", "must be the raw request bytes (verify before any JSON parsing)"
            )
        return _decode(decode_body(bytes(body)))

    def sign(
        self, body: bytes, secret: str | bytes, *, timestamp: float | None = None
    ) -> dict[str, str]:
        """The headers a signed billing delivery of ``body`` carries (see `sign`)."""
        return sign(body, secret, timestamp=timestamp)
