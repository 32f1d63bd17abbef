"""
Talkturo webhooks (Talkturo → you): signature checks and typed events.

Two kinds of delivery are documented:

- **billing** webhooks carry ``X-Signature``: base64 of HMAC-SHA256 over the raw body, keyed
  with the webhook secret (Settings → Integrations → Webhook Secrets). talkkit verifies it;
- **call** webhooks carry ``Telnyx-Signature-Ed25519`` (+ ``Telnyx-Timestamp``). talkkit does
  **not** verify Ed25519 (none of its dependencies implements it): verify those with Telnyx's
  public key (e.g. PyNaCl or ``cryptography``) before parsing, and call `Webhooks.parse`
  without a secret. Passing a secret for a delivery that only has an Ed25519 signature fails
  closed with `WebhookSignatureError` rather than pretending it was checked.

When a timestamp header (``Telnyx-Timestamp`` or ``X-Timestamp``, Unix seconds) is present
during verification, deliveries older or newer than ``tolerance`` seconds are refused. The
documented HMAC covers the body only, not the timestamp, so this catches stale redeliveries and
clock trouble, not a replay with a forged header: drop duplicates by `WebhookEvent.id` too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from talkkit._resource import Resource
from talkkit.errors import InvalidRequestError, WebhookSignatureError
from talkkit.talkturo._envelope import decode_body, event_fields
from talkkit.talkturo.types import WebhookEvent

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

SIGNATURE_HEADER = "X-Signature"
"""Billing webhooks: base64 HMAC-SHA256 of the raw body."""

ED25519_HEADER = "Telnyx-Signature-Ed25519"
"""Call webhooks: an Ed25519 signature talkkit does not verify."""

TIMESTAMP_HEADERS = ("Telnyx-Timestamp", "X-Timestamp")
"""Headers read as the delivery time (Unix seconds); ``X-Timestamp`` is talkkit's own name."""


def _key(secret: str | bytes) -> bytes:
    if isinstance(secret, str):
        secret = secret.encode()
    if not isinstance(secret, bytes) or not secret:
        raise InvalidRequestError("secret", "must be a non-empty string or bytes")
    return secret


def _raw(body: bytes) -> bytes:
    if not isinstance(body, bytes | bytearray | memoryview):
        raise InvalidRequestError(
            "body", "must be the raw request bytes (verify before any JSON parsing)"
        )
    return bytes(body)


def sign(body: bytes, secret: str | bytes, *, timestamp: float | None = None) -> dict[str, str]:
    """
    The headers Talkturo would send with ``body`` (for tests and local tools).

    Args:
        body: The raw request body.
        secret: The webhook secret.
        timestamp: Add ``X-Timestamp`` (Unix seconds), checked against ``tolerance``.

    Returns:
        ``{"X-Signature": ...}`` (plus ``X-Timestamp`` when given).
    """
    digest = hmac.new(_key(secret), _raw(body), hashlib.sha256).digest()
    headers = {SIGNATURE_HEADER: base64.b64encode(digest).decode("ascii")}
    if timestamp is not None:
        headers["X-Timestamp"] = str(int(timestamp))
    return headers


def verify(
    body: bytes, headers: Mapping[str, str], secret: str | bytes, *, tolerance: float = 300
) -> None:
    """
    Check a delivery's ``X-Signature`` (and its timestamp, if any) on the raw bytes.

    Raises:
        WebhookSignatureError: The signature is missing, wrong or Ed25519-only, or the
            timestamp is unreadable or outside ``tolerance`` seconds of now.
    """
    key = _key(secret)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not tolerance >= 0:
        raise InvalidRequestError("tolerance", "must be a number of seconds >= 0", value=tolerance)
    lowered = {str(k).lower(): v for k, v in headers.items()}
    signature = lowered.get(SIGNATURE_HEADER.lower())
    if not isinstance(signature, str):
        if ED25519_HEADER.lower() in lowered:
            raise WebhookSignatureError(
                f"this delivery is signed with {ED25519_HEADER}, which talkkit cannot verify: "
                "check it with Telnyx's public key, then parse without a secret"
            )
        raise WebhookSignatureError(f"missing {SIGNATURE_HEADER} header")
    expected = sign(body, key)[SIGNATURE_HEADER]
    # errors="replace": a header with lone surrogates cannot crash (or match) the comparison.
    if not hmac.compare_digest(signature.strip().encode("utf-8", "replace"), expected.encode()):
        raise WebhookSignatureError(f"{SIGNATURE_HEADER} does not match the body")
    for name in TIMESTAMP_HEADERS:
        if (value := lowered.get(name.lower())) is not None:
            _check_timestamp(name, value, tolerance)


def _check_timestamp(name: str, value: Any, tolerance: float) -> None:
    try:
        sent = float(value)
    except (TypeError, ValueError):
        raise WebhookSignatureError(f"{name} is not a Unix timestamp") from None
    if not math.isfinite(sent):
        raise WebhookSignatureError(f"{name} is not a Unix timestamp")
    age = time.time() - sent
    if abs(age) > tolerance:
        raise WebhookSignatureError(
            f"{name} is {age:.0f}s from now, outside the {tolerance:g}s tolerance"
        )


class Webhooks(Resource):
    """Parse and verify deliveries your endpoint receives (no HTTP calls are made)."""

    _client: AsyncTalkturo

    def parse(
        self,
        body: bytes,
        headers: Mapping[str, str],
        *,
        secret: str | bytes | None = None,
        tolerance: float = 300,
    ) -> WebhookEvent:
        """
        Verify (when ``secret`` is given) and parse one delivery into a typed event.

        Known call events become `CallInitiated`, `CallAnswered`, `CallCompleted`,
        `CallHangup` or `MachineDetectionEnded`; known billing events `BillingEvent`; any
        other type a plain `WebhookEvent` (never an error).

        Args:
            body: The raw request body, exactly as received.
            headers: The request headers (any case).
            secret: The webhook secret; ``None`` skips verification (see the module notes
                on Ed25519-signed call webhooks).
            tolerance: Seconds a timestamp header may differ from now.

        Raises:
            WebhookSignatureError: Verification failed.
            DecodeError: The body is not a UTF-8 JSON object shaped like an event.
            InvalidRequestError: ``body`` is not bytes, or ``secret`` is empty.
        """
        raw = _raw(body)
        if secret is not None:
            verify(raw, headers, secret, tolerance=tolerance)
        data = decode_body(raw)
        cls, fields = event_fields(data)
        return self._client.structure({**fields, "raw": data}, cls)

    def sign(
        self, body: bytes, secret: str | bytes, *, timestamp: float | None = None
    ) -> dict[str, str]:
        """The headers a signed delivery of ``body`` carries (see `sign`)."""
        return sign(body, secret, timestamp=timestamp)
