"""Small write-side helpers shared by the Talkturo resources (validation and request bodies)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from talkkit._converter import camelize_keys
from talkkit.errors import InvalidRequestError

__all__ = ["body", "flag", "mapping", "page_size", "path_id", "positive_int", "strings"]


def body(**values: Any) -> dict[str, Any]:
    """A camelCase request body from snake_case values; ``None`` means "not sent"."""
    return camelize_keys({k: v for k, v in values.items() if v is not None})


def path_id(field: str, value: Any) -> str:
    """An id that goes into a URL path: a non-empty string without ``/``."""
    if not isinstance(value, str) or not value.strip() or "/" in value or "?" in value:
        raise InvalidRequestError(field, "must be a non-empty id without '/' or '?'", value=value)
    return value.strip()


def positive_int(field: str, value: Any) -> int:
    """A whole number of at least 1 (booleans refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidRequestError(field, "must be a whole number of at least 1", value=value)
    return value


def page_size(value: Any, max_items: Any) -> int:
    """Check a list call's ``limit`` (and ``max_items``, when given) before anything is sent."""
    if max_items is not None and (
        isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 0
    ):
        raise InvalidRequestError(
            "max_items", "must be a whole number of at least 0", value=max_items
        )
    return positive_int("limit", value)


def flag(field: str, value: Any) -> bool | None:
    """``None`` (not sent) or a real boolean."""
    if value is not None and not isinstance(value, bool):
        raise InvalidRequestError(field, "must be True or False", value=value)
    return value


def strings(
    field: str, value: Any, *, allow_empty: bool = True, required: bool = False
) -> list[str] | None:
    """``None`` or a list of non-empty strings (a bare string is refused, not split)."""
    if value is None and not required:
        return None
    if (
        isinstance(value, str | bytes)
        or not isinstance(value, Sequence)
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise InvalidRequestError(field, "must be a list of non-empty strings", value=value)
    if not value and not allow_empty:
        raise InvalidRequestError(field, "must not be empty", value=value)
    return list(value)


def mapping(field: str, value: Any) -> dict[str, Any] | None:
    """``None`` or a JSON object with string keys (sent as given: keys are not camelized)."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InvalidRequestError(field, "must be a mapping with string keys", value=value)
    return dict(value)
