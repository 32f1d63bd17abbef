"""Timestamps of deliveries: read as Unix seconds, refused outside the tolerance."""

from __future__ import annotations

import math
import time
from datetime import datetime
from typing import Any

from talkkit.errors import InvalidRequestError, WebhookSignatureError

__all__ = ["check_age", "check_tolerance", "parse_unix"]


def check_tolerance(tolerance: Any) -> float:
    """Return ``tolerance`` as seconds (``math.inf`` turns the check off), else raise."""
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not tolerance >= 0:
        raise InvalidRequestError("tolerance", "must be a number of seconds >= 0", value=tolerance)
    return float(tolerance)


def parse_unix(name: str, value: Any) -> float:
    """
    ``value`` (a header or body field named ``name``) as Unix seconds.

    Raises:
        WebhookSignatureError: ``reason="bad_timestamp"``: not a finite number.
    """
    try:
        sent = value.timestamp() if isinstance(value, datetime) else float(value)
    except (TypeError, ValueError, OverflowError):
        raise WebhookSignatureError(
            f"{name} is not a Unix timestamp", reason="bad_timestamp"
        ) from None
    if not math.isfinite(sent):
        raise WebhookSignatureError(f"{name} is not a Unix timestamp", reason="bad_timestamp")
    return sent


def check_age(name: str, sent: float, tolerance: float) -> None:
    """
    Refuse a delivery time more than ``tolerance`` seconds before or after now.

    Raises:
        WebhookSignatureError: ``reason="stale_timestamp"`` or ``"future_timestamp"``.
    """
    age = time.time() - sent
    if age > tolerance:
        raise WebhookSignatureError(
            f"{name} is {age:.0f}s old, outside the {tolerance:g}s tolerance (a replay?)",
            reason="stale_timestamp",
        )
    if -age > tolerance:
        raise WebhookSignatureError(
            f"{name} is {-age:.0f}s in the future, outside the {tolerance:g}s tolerance",
            reason="future_timestamp",
        )
