"""The three pagination styles: offset (Talkturo), page (Talkover) and cursor (Talkory)."""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable, Sequence
from typing import TypeVar

from talkkit.emulator._errors import Dialect, JSONDict
from talkkit.emulator._validate import Fields

__all__ = ["cursor_page", "offset_page", "page_page"]

T = TypeVar("T")


def offset_page(
    items: Sequence[T], query: Fields, dialect: Dialect, *, default_limit: int = 50
) -> tuple[list[T], JSONDict]:
    """Slice by `limit`/`offset`; the meta holds `count` (total before paging), `limit`, `offset`."""
    # INFERRED: no maximum limit is documented; 1000 keeps a typo from dumping everything.
    limit = query.integer("limit", lo=1, hi=1000)
    offset = query.integer("offset", lo=0)
    query.check(dialect)
    limit = default_limit if limit is None else limit
    offset = offset or 0
    return list(items[offset : offset + limit]), {
        "count": len(items),
        "limit": limit,
        "offset": offset,
    }


def page_page(
    items: Sequence[T], query: Fields, dialect: Dialect, *, meta: bool = False
) -> tuple[list[T], JSONDict]:
    """
    Slice by `page`/`per_page` (default 20, at most 100).

    Returns the page and the Laravel-style block: `pagination` keys (`current_page`,
    `last_page`, `per_page`, `total`, `from`, `to`) or, with `meta`, the shorter `meta` keys.
    """
    page = query.integer("page", lo=1)
    per_page = query.integer("per_page", lo=1, hi=100)
    query.check(dialect)
    page = page or 1
    per_page = per_page or 20
    start = (page - 1) * per_page
    chunk = list(items[start : start + per_page])
    last_page = max(1, math.ceil(len(items) / per_page))
    block: JSONDict = {
        "current_page": page,
        "per_page": per_page,
        "total": len(items),
        "last_page": last_page,
    }
    if not meta:
        block["from"] = start + 1 if chunk else None
        block["to"] = start + len(chunk) if chunk else None
    return chunk, block


def _encode(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def _decode(cursor: str) -> str | None:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


def cursor_page(
    items: Sequence[T], query: Fields, dialect: Dialect, *, key: Callable[[T], str]
) -> tuple[list[T], str | None]:
    """
    Page by an opaque `cursor` (default `limit` 20, at most 100).

    The cursor encodes the key of the last item of the previous page, so items added at the
    front (newest first) do not shift later pages. Returns the page and `nextCursor`.
    """
    limit = query.integer("limit", lo=1, hi=100)
    cursor = query.text("cursor")
    start = 0
    if cursor is not None:
        after = _decode(cursor)
        keys = [key(item) for item in items]
        if after not in keys:
            query.add("cursor", "exists")
        else:
            start = keys.index(after) + 1
    query.check(dialect)
    chunk = list(items[start : start + (limit or 20)])
    more = start + len(chunk) < len(items)
    return chunk, _encode(key(chunk[-1])) if more and chunk else None
