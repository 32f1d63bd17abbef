"""
Client-side validation of writes: each failure is an `InvalidRequestError` naming the field.

Reads are lenient; writes are strict, so a bad value fails here with a clear message instead of
as a vague 400 (or, worse, as a call to the wrong number).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from talkkit.errors import InvalidRequestError

__all__ = ["e164", "email", "hhmm", "iana_timezone", "in_range", "non_empty", "one_of"]

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def e164(field: str, value: Any) -> str:
    """
    A valid phone number in E.164 form (``+12025551234``); returned normalised.

    Raises:
        InvalidRequestError: Not a string, not in ``+<digits>`` form, or not a possible number.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(
            field, "must be a phone number in E.164 form, e.g. +12025551234", value=value
        )
    text = value.strip()
    if not text.startswith("+") or any(ch.isalpha() for ch in text):  # no vanity letters
        raise InvalidRequestError(
            field, "must be in E.164 form: '+', country code, number", value=value
        )
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidRequestError(field, f"is not a phone number ({exc})", value=value) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidRequestError(field, "is not a valid phone number for its country", value=value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email(field: str, value: Any) -> str | None:
    """``None`` or something shaped like an email address (the server has the last word)."""
    if value is not None and (not isinstance(value, str) or not _EMAIL.match(value)):
        raise InvalidRequestError(field, "must be an email address", value=value)
    return value


def one_of(field: str, value: Any, allowed: Collection[str]) -> str:
    """``value`` if it is one of ``allowed``."""
    if value not in allowed:
        raise InvalidRequestError(
            field, f"must be one of {', '.join(sorted(allowed))}", value=value
        )
    return str(value)


def in_range(field: str, value: Any, low: float, high: float) -> float:
    """A number within ``[low, high]`` (booleans refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise InvalidRequestError(field, f"must be a number from {low:g} to {high:g}", value=value)
    return value


def hhmm(field: str, value: Any) -> str:
    """A time of day as ``HH:MM`` (24-hour)."""
    if not isinstance(value, str) or not _HHMM.match(value):
        raise InvalidRequestError(
            field, "must be a time as HH:MM (24-hour), e.g. 09:00", value=value
        )
    return value


def iana_timezone(field: str, value: Any) -> str:
    """An IANA time zone name such as ``America/New_York``."""
    if not isinstance(value, str) or not value:
        raise InvalidRequestError(
            field, "must be an IANA time zone, e.g. America/New_York", value=value
        )
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidRequestError(field, "is not a known IANA time zone", value=value) from exc
    return value


def non_empty(field: str, value: Any) -> str:
    """A required, non-blank string."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(field, "is required and must be a non-empty string", value=value)
    return value
