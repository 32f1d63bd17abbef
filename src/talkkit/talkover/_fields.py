"""
Write validation for Talkover request bodies and queries, as small per-field checks.

A resource describes a body as a table ``{field: check}`` and calls `build` with the keyword
arguments it received: ``None`` means "not given" (left out of the body), anything else is
checked and sent. Every failure is an `InvalidRequestError` naming the snake_case field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import phonenumbers

from talkkit import _validate
from talkkit.errors import InvalidRequestError

__all__ = [
    "LANGUAGES",
    "SCHEMES",
    "Check",
    "build",
    "choice",
    "day",
    "flag",
    "headers",
    "integer",
    "integers",
    "mapping",
    "number",
    "path_id",
    "per_page",
    "phone",
    "query",
    "region_of",
    "strings",
    "text",
    "url",
]

Check = Callable[[str, Any], Any]
"""``(field, value) -> wire value``; raises `InvalidRequestError`."""

LANGUAGES = (
    "pt-BR", "pt-PT", "en-US", "en-CA", "es-ES", "fr-FR",
    "de-DE", "it-IT", "nl-NL", "ja-JP", "ko-KR", "zh-TW",
)  # fmt: skip
"""Agent languages documented on create-agent."""

SCHEMES = ("none", "bearer", "basic", "api_key", "custom")
"""Authorization schemes of webhooks and actions."""

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def build(
    spec: Mapping[str, Check], values: Mapping[str, Any], *, required: Collection[str] = ()
) -> dict[str, Any]:
    """
    The body for the fields of ``spec`` found in ``values``; ``None`` values are left out.

    Raises:
        InvalidRequestError: A required field is missing or a value fails its check.
    """
    body: dict[str, Any] = {}
    for field, check in spec.items():
        value = values.get(field)
        if value is None:
            if field in required:
                raise InvalidRequestError(field, "is required")
            continue
        body[field] = check(field, value)
    return body


def query(params: Mapping[str, Any]) -> dict[str, Any]:
    """Query parameters without the ``None`` values."""
    return {key: value for key, value in params.items() if value is not None}


def path_id(field: str, value: Any) -> str:
    """An id that is safe to put in a URL path."""
    if not isinstance(value, str) or not value.strip() or "/" in value or "?" in value:
        raise InvalidRequestError(field, "must be a non-empty id without '/' or '?'", value=value)
    return value.strip()


def per_page(value: Any) -> int:
    """A page size from 1 to 100 (the documented maximum)."""
    return int(integer(1, 100)("per_page", value))


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
        return _validate.one_of(field, value, options)

    return check


def number(low: float, high: float) -> Check:
    """A number within ``[low, high]``."""

    def check(field: str, value: Any) -> float:
        return _validate.in_range(field, value, low, high)

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


def phone(field: str, value: Any) -> str:
    """A phone number in E.164 form, normalised."""
    return _validate.e164(field, value)


def region_of(number: str) -> str:
    """The ISO 3166-1 alpha-2 country of a valid E.164 number (``US`` for ``+1415…``)."""
    region = phonenumbers.region_code_for_number(phonenumbers.parse(number, None))
    return region or "ZZ"


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


def headers(field: str, value: Any) -> list[dict[str, str]]:
    """Custom headers as ``{name: value}``; sent as ``[{"key": name, "value": value}]``."""
    if not isinstance(value, Mapping):
        raise InvalidRequestError(field, "must be a mapping of header name to value", value=value)
    pairs = []
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip() or not isinstance(item, str):
            raise InvalidRequestError(field, "names and values must be strings", value=key)
        pairs.append({"key": key, "value": item})
    return pairs
