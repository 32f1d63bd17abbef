"""
Client-side validation of writes: each failure is an `InvalidRequestError` naming the field.

Reads are lenient; writes are strict, so a bad value fails here with a clear message instead of
as a vague 400 (or, worse, as a call to the wrong number).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from talkkit.errors import InvalidRequestError

__all__ = [
    "Check",
    "choice",
    "day",
    "e164",
    "email",
    "flag",
    "hhmm",
    "iana_timezone",
    "in_range",
    "integer",
    "integers",
    "mapping",
    "non_empty",
    "number",
    "one_of",
    "path_id",
    "strings",
    "text",
    "url",
]

Check = Callable[[str, Any], Any]
"""``(field, value) -> wire value``; raises `InvalidRequestError` naming the field."""

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
    number, problem = _e164(value.strip())
    if problem is not None:
        raise InvalidRequestError(field, problem, value=value)
    return number


@lru_cache(maxsize=4096)
def _e164(text: str) -> tuple[str, str | None]:
    """
    ``(normalised number, None)`` or ``("", what is wrong)``, remembered.

    Parsing is the costly part of a write's checks, and a bulk row's number is checked twice
    (as a row, then by the call it becomes): the second check finds it here.
    """
    if not text.startswith("+") or any(ch.isalpha() for ch in text):  # no vanity letters
        return "", "must be in E.164 form: '+', country code, number"
    import phonenumbers  # on the first number: a third of ``import talkkit`` otherwise

    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as exc:
        return "", f"is not a phone number ({exc})"
    if not phonenumbers.is_valid_number(number):
        return "", "is not a valid phone number for its country"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


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


def path_id(field: str, value: Any) -> str:
    """An id that is safe to put in a URL path."""
    if not isinstance(value, str) or not value.strip() or "/" in value or "?" in value:
        raise InvalidRequestError(field, "must be a non-empty id without '/' or '?'", value=value)
    return value.strip()


def text(*, max_len: int | None = None, min_len: int = 0) -> Check:
    """A string of ``min_len`` to ``max_len`` characters."""

    def check(field: str, value: Any) -> str:
        if not isinstance(value, str):
            raise InvalidRequestError(field, "must be a string", value=value)
        if len(value) < min_len:
            raise InvalidRequestError(field, f"must be at least {min_len} characters", value=value)
        if max_len is not None and len(value) > max_len:
            raise InvalidRequestError(field, f"must be at most {max_len} characters", value=value)
        return value

    return check


def choice(allowed: Iterable[str]) -> Check:
    """One of ``allowed`` (enum members count as their value)."""
    options = tuple(allowed)

    def check(field: str, value: Any) -> str:
        return one_of(field, value, options)

    return check


def number(low: float, high: float) -> Check:
    """A number within ``[low, high]``."""

    def check(field: str, value: Any) -> float:
        return in_range(field, value, low, high)

    return check


def integer(low: int, high: int | None = None) -> Check:
    """A whole number within ``[low, high]`` (no upper bound when ``high`` is ``None``)."""

    def check(field: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidRequestError(field, "must be a whole number", value=value)
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise InvalidRequestError(field, f"must be {bounds}", value=value)
        return value

    return check


def flag(field: str, value: Any) -> bool:
    """A boolean (``0``/``1`` are refused: they are usually a mistake)."""
    if not isinstance(value, bool):
        raise InvalidRequestError(field, "must be True or False", value=value)
    return value


def url(*, max_len: int) -> Check:
    """An ``http(s)://`` URL of at most ``max_len`` characters."""

    def check(field: str, value: Any) -> str:
        text(max_len=max_len)(field, value)
        if not _URL.match(value):
            raise InvalidRequestError(field, "must be an http:// or https:// URL", value=value)
        return str(value)

    return check


def day(field: str, value: Any) -> str:
    """A calendar date, as a `datetime.date` or ``YYYY-MM-DD`` text; sent as ``YYYY-MM-DD``."""
    if isinstance(value, date):
        return value.isoformat()[:10]
    if isinstance(value, str) and _DAY.match(value):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise InvalidRequestError(field, "must be a date (datetime.date or YYYY-MM-DD)", value=value)


def strings(*, min_items: int = 0, choices: Collection[str] | None = None) -> Check:
    """A list of non-empty strings (at least ``min_items``; each in ``choices`` when given)."""

    def check(field: str, value: Any) -> list[str]:
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise InvalidRequestError(field, "must be a list of strings", value=value)
        items = list(value)
        if len(items) < min_items:
            raise InvalidRequestError(field, f"needs at least {min_items} item(s)", value=value)
        for item in items:
            if not isinstance(item, str) or not item.strip():
                raise InvalidRequestError(field, "must contain non-empty strings", value=value)
            if choices is not None and item not in choices:
                raise InvalidRequestError(
                    field, f"items must be among {', '.join(sorted(choices))}", value=item
                )
        return [str(item) for item in items]

    return check


def integers(low: int, high: int, *, min_items: int = 0) -> Check:
    """A list of whole numbers within ``[low, high]`` (at least ``min_items``)."""
    each = integer(low, high)

    def check(field: str, value: Any) -> list[int]:
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise InvalidRequestError(field, "must be a list of whole numbers", value=value)
        if len(value) < min_items:
            raise InvalidRequestError(field, f"needs at least {min_items} item(s)", value=value)
        return [each(field, item) for item in value]

    return check


def mapping(field: str, value: Any) -> dict[str, Any]:
    """A JSON object with string keys."""
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InvalidRequestError(field, "must be a mapping with string keys", value=value)
    return dict(value)
