"""What the Talkturo resources share: the ``team_id`` field and the page-size checks."""

from __future__ import annotations

from typing import Annotated, Any

from talkkit._fields import Doc, Field
from talkkit._validate import path_id
from talkkit.errors import InvalidRequestError

__all__ = ["TeamId", "page_size", "positive_int"]


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


TeamId = Annotated[str | None, Doc("Owning team (default: the client's)."), Field(path_id)]
"""The ``teamId`` of a write; the method passes ``self._client._team(team_id)`` as its value."""
