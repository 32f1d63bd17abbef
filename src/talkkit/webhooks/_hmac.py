"""
HMAC-SHA256 schemes: Talkturo billing webhooks (base64) and Talkover deliveries (hex).

Both sign the raw body only. The comparison is constant-time (`hmac.compare_digest`) against
each key given, so a rotated secret can be accepted alongside the new one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

__all__ = [
    "BILLING_HEADER",
    "TALKOVER_HEADERS",
    "billing_signature",
    "matches_any",
    "strip_prefix",
    "talkover_signature",
]

BILLING_HEADER = "X-Signature"
"""Talkturo billing webhooks: base64 HMAC-SHA256 of the raw body (documented)."""

TALKOVER_HEADERS = ("X-Talkover-Signature", "X-Webhook-Signature")
"""
Talkover deliveries: hex HMAC-SHA256 of the raw body, optionally ``sha256=``-prefixed.

INFERRED: the docs say a ``webhook_secret`` "enables an HMAC-SHA256 signature header" but do
not name the header; these two names are guesses, and receivers can configure their own.
"""

_PREFIX = "sha256="


def billing_signature(body: bytes, key: bytes) -> str:
    """The ``X-Signature`` value of ``body``: base64 HMAC-SHA256."""
    return base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode("ascii")


def talkover_signature(body: bytes, key: bytes) -> str:
    """A Talkover signature value of ``body``: lower-case hex HMAC-SHA256 (no prefix)."""
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def matches_any(given: str, expected: Sequence[str]) -> bool:
    """Whether ``given`` equals one of ``expected``, each compared in constant time."""
    # errors="replace": a header with lone surrogates cannot crash (or match) the comparison.
    raw = given.encode("utf-8", "replace")
    found = False
    for candidate in expected:  # no early exit: every key is compared
        found |= hmac.compare_digest(raw, candidate.encode("ascii"))
    return found


def strip_prefix(value: str) -> str:
    """A Talkover signature value without blanks, the optional ``sha256=`` and upper case."""
    value = value.strip()
    if value[: len(_PREFIX)].lower() == _PREFIX:
        value = value[len(_PREFIX) :]
    return value.lower()
