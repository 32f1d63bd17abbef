"""The one entry point: verify a delivery's raw bytes for its platform, then decode it."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from talkkit.errors import DecodeError, InvalidRequestError, WebhookSignatureError
from talkkit.webhooks import _ed25519
from talkkit.webhooks._events import Event, WebhookDecodeError, decode_json, decode_talkover
from talkkit.webhooks._headers import find_header, lowered
from talkkit.webhooks._hmac import (
    BILLING_HEADER,
    TALKOVER_HEADERS,
    billing_signature,
    matches_any,
    strip_prefix,
    talkover_signature,
)
from talkkit.webhooks._time import check_age, check_tolerance, parse_unix

__all__ = [
    "BILLING_TIMESTAMP_HEADERS",
    "Decoder",
    "Platform",
    "PublicKey",
    "Secret",
    "register_decoder",
    "secret_keys",
    "sign",
    "unwrap",
    "verify",
]

Secret = str | bytes | Sequence[str | bytes]
"""One secret or key, or several (any of them may have signed: key rotation)."""

PublicKey = str | bytes | Sequence[str | bytes]
"""
An Ed25519 public key as the base64 of its 32 raw bytes (or those bytes), or several.
`unwrap` and `app` also take ``cryptography`` ``Ed25519PublicKey`` objects.
"""

Decoder = Callable[[dict[str, Any]], Event]
"""Turns a verified, JSON-decoded body into the platform's typed event."""

BILLING_TIMESTAMP_HEADERS = (_ed25519.TIMESTAMP_HEADER, "X-Timestamp")
"""Read as the delivery time of a billing webhook when present (not signed: body-only HMAC)."""


class Platform(enum.StrEnum):
    """Which sender, and so which signature scheme, a delivery comes from."""

    TALKTURO = "talkturo"
    """Talkturo call webhooks: Ed25519 (Telnyx), signed timestamp; needs ``public_key``."""
    TALKTURO_BILLING = "talkturo-billing"
    """Talkturo billing webhooks: ``X-Signature`` base64 HMAC-SHA256; needs ``secret``."""
    TALKOVER = "talkover"
    """Talkover deliveries: hex HMAC-SHA256 with the webhook's ``webhook_secret``."""


_DECODERS: dict[Platform, Decoder] = {Platform.TALKOVER: decode_talkover}


def register_decoder(platform: Platform | str, decode: Decoder) -> None:
    """
    Set how a platform's verified bodies become typed events.

    `talkkit.talkturo` registers Talkturo's events (`CallHangup`, `BillingEvent`…) when it is
    imported, which importing `talkkit` always does; Talkover's are built in.

    Args:
        platform: The platform.
        decode: Takes the decoded JSON object and returns the event; raises `DecodeError`
            when the body does not fit.
    """
    _DECODERS[Platform(platform)] = decode


def _platform(value: Any) -> Platform:
    try:
        return Platform(value)
    except ValueError:
        known = ", ".join(repr(p.value) for p in Platform)
        raise InvalidRequestError("platform", f"must be one of {known}", value=value) from None


def _raw(payload: Any) -> bytes:
    if not isinstance(payload, bytes | bytearray | memoryview):
        raise InvalidRequestError(
            "payload", "must be the raw request body as bytes (verify before any JSON parsing)"
        )
    return bytes(payload)


def secret_keys(secret: Any) -> list[bytes]:
    """
    One secret, or several, as non-empty byte strings.

    Raises:
        InvalidRequestError: Not a non-empty ``str`` or ``bytes``, or a sequence of them.
    """
    if isinstance(secret, str | bytes):
        values: list[Any] = [secret]
    elif isinstance(secret, Sequence):
        values = list(secret)
    else:
        values = []
    keys = [v.encode() if isinstance(v, str) else v for v in values]
    if not keys or not all(isinstance(k, bytes) and k for k in keys):
        raise InvalidRequestError("secret", "must be a non-empty string or bytes (or several)")
    return keys


def _no_key(platform: Platform, what: str) -> WebhookSignatureError:
    return WebhookSignatureError(
        f"no {what} is configured for {platform.value} deliveries", reason="unknown_key"
    )


def verify(
    payload: bytes,
    headers: Mapping[Any, Any],
    *,
    platform: Platform | str,
    secret: Secret | None = None,
    public_key: Any = None,
    tolerance: float = 300,
    signature_headers: Sequence[str] = TALKOVER_HEADERS,
) -> None:
    """
    Check a delivery's signature (and its timestamp where one is sent) on the raw bytes.

    Same arguments as `unwrap`, which calls it; nothing is parsed. Talkover's time is in its
    body, so only `unwrap` checks it.

    Raises:
        WebhookSignatureError: The delivery must not be trusted; ``reason`` says why.
        InvalidRequestError: ``payload`` is not bytes, or an argument is malformed.
    """
    which = _platform(platform)
    body = _raw(payload)
    tolerance = check_tolerance(tolerance)
    found = lowered(headers)
    if which is Platform.TALKTURO:
        if public_key is None:
            raise _no_key(which, "public_key")
        _ed25519.verify(body, found, _ed25519.load_public_keys(public_key), tolerance)
        return
    if secret is None:
        raise _no_key(which, "secret")
    keys = secret_keys(secret)
    if which is Platform.TALKOVER:
        name, value = find_header(found, signature_headers)
        expected = [talkover_signature(body, key) for key in keys]
        if not matches_any(strip_prefix(value), expected):
            raise WebhookSignatureError(f"{name} does not match the body", reason="bad_signature")
        return
    _verify_billing(body, found, keys, tolerance)


def _verify_billing(
    body: bytes, found: dict[str, str], keys: list[bytes], tolerance: float
) -> None:
    if BILLING_HEADER.lower() not in found and _ed25519.SIGNATURE_HEADER.lower() in found:
        raise WebhookSignatureError(
            f"this delivery is signed with {_ed25519.SIGNATURE_HEADER} (a call webhook): "
            f"verify it with platform='talkturo' and the Ed25519 public key, not a secret",
            reason="missing_header",
        )
    _, value = find_header(found, (BILLING_HEADER,))
    if not matches_any(value.strip(), [billing_signature(body, key) for key in keys]):
        raise WebhookSignatureError(f"{BILLING_HEADER} does not match the body")
    for name in BILLING_TIMESTAMP_HEADERS:
        if (stamp := found.get(name.lower())) is not None:
            check_age(name, parse_unix(name, stamp), tolerance)


def unwrap(
    payload: bytes,
    headers: Mapping[Any, Any],
    *,
    platform: Platform | str,
    secret: Secret | None = None,
    public_key: Any = None,
    tolerance: float = 300,
    signature_headers: Sequence[str] = TALKOVER_HEADERS,
) -> Event:
    """
    Verify one delivery on its raw bytes, then return it as the platform's typed event.

    Per platform: ``"talkturo"`` (call webhooks) checks Telnyx's Ed25519 signature of
    ``b"{Telnyx-Timestamp}|" + body`` with ``public_key`` and refuses a timestamp more than
    ``tolerance`` seconds old or ahead; ``"talkturo-billing"`` checks ``X-Signature`` (base64
    HMAC-SHA256 of the body) with ``secret``, and a timestamp header if one is sent;
    ``"talkover"`` checks the hex HMAC-SHA256 of the body with the webhook's
    ``webhook_secret`` in the first of ``signature_headers`` present, then the body's signed
    ``timestamp``. Comparisons are constant-time. Nothing is parsed before the signature
    checks out.

    Args:
        payload: The request body exactly as received (bytes, not re-serialised JSON).
        headers: The request headers: a dict in any case, ``httpx.Headers``, Starlette's.
        platform: A `Platform` or its value.
        secret: The HMAC secret (billing, Talkover), or several accepted ones.
        public_key: Talkturo's Ed25519 public key (base64 of its 32 raw bytes, the raw
            bytes or a ``cryptography`` key), or several.
        tolerance: Seconds a signed timestamp may differ from now (``math.inf``: no check).
        signature_headers: Talkover's signature header names, first present wins
            (INFERRED defaults ``X-Talkover-Signature``, ``X-Webhook-Signature``).

    Returns:
        `TalkoverEvent` for Talkover; Talkturo's `WebhookEvent` subclasses (`CallHangup`,
        `BillingEvent`…) for Talkturo.

    Raises:
        WebhookSignatureError: Do not trust the delivery; ``reason`` says why.
        WebhookDecodeError: The signature is good but the body is not a readable event.
        InvalidRequestError: ``payload`` is not bytes, or an argument is malformed.
        ConfigurationError: ``public_key`` is not an Ed25519 public key.
    """
    which = _platform(platform)
    body = _raw(payload)
    verify(
        body,
        headers,
        platform=which,
        secret=secret,
        public_key=public_key,
        tolerance=tolerance,
        signature_headers=signature_headers,
    )
    data = decode_json(body)
    if which is Platform.TALKOVER and (stamp := data.get("timestamp")) is not None:
        check_age("the body's timestamp", _body_time(stamp), check_tolerance(tolerance))
    decode = _DECODERS.get(which)
    if decode is None:  # pragma: no cover - talkkit.talkturo registers on import
        raise InvalidRequestError("platform", "no event decoder is registered", value=which.value)
    try:
        return decode(data)
    except WebhookDecodeError:
        raise
    except DecodeError as exc:
        raise WebhookDecodeError(exc.message, path=exc.path) from exc


def _body_time(stamp: Any) -> float:
    """A Talkover body's ``timestamp``: ISO 8601 (as in the test payload) or Unix seconds."""
    if isinstance(stamp, str):
        try:
            moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
        except ValueError:
            pass
    return parse_unix("the body's timestamp", stamp)


def sign(
    payload: bytes,
    *,
    platform: Platform | str,
    secret: str | bytes | None = None,
    private_key: Any = None,
    timestamp: float | None = None,
) -> dict[str, str]:
    """
    The signature headers a delivery of ``payload`` would carry (for tests and local tools).

    Args:
        payload: The raw body.
        platform: A `Platform` or its value.
        secret: The HMAC secret (billing, Talkover).
        private_key: The Ed25519 private key for ``"talkturo"``: a ``cryptography`` key or
            the base64 of its 32-byte seed.
        timestamp: The signed time for ``"talkturo"`` (now by default); for billing, an
            ``X-Timestamp`` header to add.

    Returns:
        ``{"Telnyx-Signature-Ed25519", "Telnyx-Timestamp"}``, ``{"X-Signature"}`` or
        ``{"X-Talkover-Signature"}``.
    """
    which = _platform(platform)
    body = _raw(payload)
    if which is Platform.TALKTURO:
        if private_key is None:
            raise InvalidRequestError("private_key", "required to sign a Talkturo call webhook")
        return _ed25519.sign(body, private_key, timestamp)
    key = secret_keys(secret if secret is not None else b"")[0]
    if which is Platform.TALKOVER:
        return {TALKOVER_HEADERS[0]: talkover_signature(body, key)}
    headers = {BILLING_HEADER: billing_signature(body, key)}
    if timestamp is not None:
        headers[BILLING_TIMESTAMP_HEADERS[1]] = str(int(timestamp))
    return headers
