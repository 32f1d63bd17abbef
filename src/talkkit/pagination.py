"""
One async iterator over every item of a paginated list, whatever the platform's paging style.

Three strategies build it: `offset_paginator` (Talkturo: ``limit``/``offset`` → ``count``),
`page_paginator` (Talkover: ``page``/``per_page`` → ``pagination`` or ``meta``) and
`cursor_paginator` (Talkory: ``cursor`` → ``nextCursor``)::

    async for campaign in client.campaigns.list(team_id="team_1"):
        ...
    page = await client.campaigns.list(team_id="team_1").first_page()
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

if TYPE_CHECKING:
    from talkkit._client import BaseClient

__all__ = ["AsyncPaginator", "Page", "cursor_paginator", "offset_paginator", "page_paginator"]

T = TypeVar("T")


@attrs.frozen
class Page(Generic[T]):
    """
    One page of a list.

    Attributes:
        items: The records on this page.
        next_token: What fetches the next page (offset, page number or cursor); ``None`` on
            the last page.
        total: The total number of records, when the platform says.
    """

    items: list[T]
    next_token: Any = None
    total: int | None = None

    @property
    def has_next(self) -> bool:
        """Whether another page follows."""
        return self.next_token is not None


class AsyncPaginator(Generic[T]):
    """
    Lazily walks pages; ``async for`` yields items. Nothing is fetched until you iterate.

    Breaking out of the loop early is fine, on trio too: the iterators are plain objects, not
    async generators, so nothing is left for the garbage collector to finalise.

    Args:
        fetch: Loads the page for a token (``None`` for the first page).
        max_items: Stop after this many items.
    """

    def __init__(
        self,
        fetch: Callable[[Any], Awaitable[Page[T]]],
        *,
        max_items: int | None = None,
    ) -> None:
        self._fetch = fetch
        self._max_items = max_items

    def __aiter__(self) -> AsyncIterator[T]:
        return _Items(_Pages(self._fetch), self._max_items)

    def pages(self) -> AsyncIterator[Page[T]]:
        """Page after page until the last one."""
        return _Pages(self._fetch)

    async def first_page(self) -> Page[T]:
        """Only the first page (one request)."""
        return await self._fetch(None)

    async def to_list(self) -> list[T]:
        """Every item, in order (for small lists)."""
        return [item async for item in self]


class _Pages(Generic[T]):
    """Iterator over pages; stops on the last page, an empty page or a repeated token."""

    def __init__(self, fetch: Callable[[Any], Awaitable[Page[T]]]) -> None:
        self._fetch = fetch
        self._token: Any = None
        self._seen: set[Any] = set()
        self._done = False

    def __aiter__(self) -> _Pages[T]:
        return self

    async def __anext__(self) -> Page[T]:
        if self._done:
            raise StopAsyncIteration
        page = await self._fetch(self._token)
        token = page.next_token
        # An empty page or a repeated token would loop forever: stop instead.
        if token is None or not page.items or token in self._seen:
            self._done = True
        else:
            self._seen.add(token)
            self._token = token
        return page


class _Items(Generic[T]):
    """Iterator over the items of successive pages, up to ``max_items``."""

    def __init__(self, pages: _Pages[T], max_items: int | None) -> None:
        self._pages = pages
        self._left = max_items
        self._buffer: deque[T] = deque()

    def __aiter__(self) -> _Items[T]:
        return self

    async def __anext__(self) -> T:
        if self._left is not None and self._left <= 0:
            raise StopAsyncIteration
        while not self._buffer:
            page = await self._pages.__anext__()  # StopAsyncIteration ends us too
            self._buffer.extend(page.items)
        if self._left is not None:
            self._left -= 1
        return self._buffer.popleft()


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def offset_paginator(
    client: BaseClient,
    path: str,
    item_type: type[T],
    *,
    items_key: str,
    params: Mapping[str, Any] | None = None,
    limit: int = 50,
    max_items: int | None = None,
) -> AsyncPaginator[T]:
    """``limit``/``offset`` paging; the body has ``count`` (total), ``limit``, ``offset``."""

    async def fetch(offset: int | None) -> Page[T]:
        start = offset or 0
        query = {**(params or {}), "limit": limit, "offset": start}
        body = await client.request_json("GET", path, params=query)
        items = client.structure(client.dialect.unwrap(body, items_key), list[item_type])  # type: ignore[valid-type]
        total = _int(body.get("count")) if isinstance(body, dict) else None
        end = start + len(items)
        more = end < total if total is not None else len(items) >= limit
        return Page(items, end if more and items else None, total)

    return AsyncPaginator(fetch, max_items=max_items)


def page_paginator(
    client: BaseClient,
    path: str,
    item_type: type[T],
    *,
    items_key: str | None = None,
    params: Mapping[str, Any] | None = None,
    per_page: int = 20,
    max_items: int | None = None,
) -> AsyncPaginator[T]:
    """``page``/``per_page`` paging; metadata under ``pagination`` or ``meta``."""

    async def fetch(page: int | None) -> Page[T]:
        number = page or 1
        query = {**(params or {}), "page": number, "per_page": per_page}
        body = await client.request_json("GET", path, params=query)
        items = client.structure(client.dialect.unwrap(body, items_key), list[item_type])  # type: ignore[valid-type]
        meta: Any = {}
        if isinstance(body, dict):
            meta = body.get("pagination") or body.get("meta") or {}
        meta = meta if isinstance(meta, dict) else {}
        current = _int(meta.get("current_page")) or number
        last = _int(meta.get("last_page"))
        more = current < last if last is not None else len(items) >= per_page
        return Page(items, current + 1 if more and items else None, _int(meta.get("total")))

    return AsyncPaginator(fetch, max_items=max_items)


def cursor_paginator(
    client: BaseClient,
    path: str,
    item_type: type[T],
    *,
    items_key: str,
    cursor_key: str = "nextCursor",
    params: Mapping[str, Any] | None = None,
    limit: int = 100,
    max_items: int | None = None,
) -> AsyncPaginator[T]:
    """``cursor`` paging; the body names the next cursor (absent or null on the last page)."""

    async def fetch(cursor: str | None) -> Page[T]:
        query = {**(params or {}), "limit": limit, "cursor": cursor}
        body = await client.request_json("GET", path, params=query)
        items = client.structure(client.dialect.unwrap(body, items_key), list[item_type])  # type: ignore[valid-type]
        following = body.get(cursor_key) if isinstance(body, dict) else None
        return Page(items, following if isinstance(following, str) and following else None)

    return AsyncPaginator(fetch, max_items=max_items)
