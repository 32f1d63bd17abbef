"""
Telnyx's Ed25519 scheme, which Talkturo call webhooks use.

The signature (base64, ``Telnyx-Signature-Ed25519``) is over ``b"{timestamp}|" + body``, with
the timestamp (Unix seconds) sent in ``Telnyx-Timestamp``: the time is signed, so a replayed
delivery cannot be given a fresh one. The public key is the base64 of its 32 raw bytes, as the
provider's portal shows it. Needs ``cryptography`` (the ``webhooks`` extra).
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from talkkit.errors import ConfigurationError, WebhookSignatureError
from talkkit.webhooks._headers import find_header
from talkkit.webhooks._time import check_age, parse_unix

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "load_private_key",
    "load_public_keys",
    "sign",
    "verify",
]

SIGNATURE_HEADER = "Telnyx-Signature-Ed25519"
"""Base64 Ed25519 signature of ``b"{timestamp}|" + body``."""

TIMESTAMP_HEADER = "Telnyx-Timestamp"
"""The signed delivery time, Unix seconds."""

_MISSING_EXTRA = (
    "verifying Talkturo call webhooks (Ed25519) needs the 'webhooks' extra: "
    "pip install 'talkkit[webhooks]'"
)


def _ed25519() -> Any:
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ImportError(_MISSING_EXTRA) from exc
    return ed25519


def _raw_key(value: str | bytes, name: str) -> bytes:
    if isinstance(value, bytes) and len(value) == 32:
        return value
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ConfigurationError(name, "must be the base64 of the key's 32 raw bytes")
    return raw


def load_public_keys(value: Any) -> list[Ed25519PublicKey]:
    """
    Public keys from one key or a sequence of keys: base64 text of 32 raw bytes, the raw
    bytes, or ``Ed25519PublicKey`` objects.

    Raises:
        ConfigurationError: A key is not one of those.
        ImportError: ``cryptography`` is not installed.
    """
    ed25519 = _ed25519()
    values = [value] if isinstance(value, str | bytes) or not isinstance(value, Sequence) else value
    keys = []
    for item in values:
        if isinstance(item, ed25519.Ed25519PublicKey):
            keys.append(item)
        elif isinstance(item, str | bytes):
            keys.append(ed25519.Ed25519PublicKey.from_public_bytes(_raw_key(item, "public_key")))
        else:
            raise ConfigurationError("public_key", "must be base64 text, bytes or a public key")
    if not keys:
        raise ConfigurationError("public_key", "no key given")
    return keys


def load_private_key(value: Any) -> Ed25519PrivateKey:
    """A private key from an ``Ed25519PrivateKey`` or the base64 of its 32-byte seed."""
    ed25519 = _ed25519()
    if isinstance(value, ed25519.Ed25519PrivateKey):
        return value  # type: ignore[no-any-return]
    if not isinstance(value, str | bytes):
        raise ConfigurationError("private_key", "must be base64 text, bytes or a private key")
    return ed25519.Ed25519PrivateKey.from_private_bytes(  # type: ignore[no-any-return]
        _raw_key(value, "private_key")
    )


def sign(body: bytes, private_key: Any, timestamp: float | None = None) -> dict[str, str]:
    """The two headers a Telnyx-signed delivery of ``body`` carries (now, by default)."""
    stamp = str(int(time.time() if timestamp is None else timestamp))
    signature = load_private_key(private_key).sign(stamp.encode() + b"|" + body)
    return {
        SIGNATURE_HEADER: base64.b64encode(signature).decode("ascii"),
        TIMESTAMP_HEADER: stamp,
    }


def verify(
    body: bytes, lowered: dict[str, str], keys: list[Ed25519PublicKey], tolerance: float
) -> None:
    """
    Check the signature with each key, then the signed timestamp against ``tolerance``.

    Raises:
        WebhookSignatureError: A header is missing, the signature is malformed or made with
            another key (or over another body or time), or the time is outside ``tolerance``.
    """
    from cryptography.exceptions import InvalidSignature

    _, encoded = find_header(lowered, (SIGNATURE_HEADER,))
    _, stamp = find_header(lowered, (TIMESTAMP_HEADER,))
    sent = parse_unix(TIMESTAMP_HEADER, stamp)
    try:
        signature = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        signature = b""
    if len(signature) != 64:
        raise WebhookSignatureError(
            f"{SIGNATURE_HEADER} is not a base64 Ed25519 signature", reason="bad_signature"
        )
    message = stamp.encode("utf-8", "replace") + b"|" + body
    for key in keys:
        try:
            key.verify(signature, message)
            break
        except InvalidSignature:
            continue
    else:
        raise WebhookSignatureError(
            f"{SIGNATURE_HEADER} does not match the body and {TIMESTAMP_HEADER} "
            "(another key, or a changed body or time)",
            reason="bad_signature",
        )
    check_age(TIMESTAMP_HEADER, sent, tolerance)
