"""
One async iterator over every item of a paginated list, whatever the platform's paging style.

Each resource supplies a ``fetch(token)`` that loads one page and says how to get the next one
(an offset for Talkturo, a page number for Talkover, a cursor for Talkory)::

    async for campaign in client.campaigns.list(team_id="team_1"):
        ...
    page = await client.campaigns.list(team_id="team_1").first_page()
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Generic, TypeVar

import attrs

__all__ = ["AsyncPaginator", "Page"]

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
        return self._items()

    async def _items(self) -> AsyncIterator[T]:
        count = 0
        async for page in self.pages():
            for item in page.items:
                if self._max_items is not None and count >= self._max_items:
                    return
                count += 1
                yield item

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Yield page after page until the last one."""
        token: Any = None
        seen: set[Any] = set()
        while True:
            page = await self._fetch(token)
            yield page
            token = page.next_token
            # An empty page or a repeated token would loop forever: stop instead.
            if token is None or not page.items or token in seen:
                return
            seen.add(token)

    async def first_page(self) -> Page[T]:
        """Only the first page (one request)."""
        return await self._fetch(None)

    async def to_list(self) -> list[T]:
        """Every item, in order (for small lists)."""
        return [item async for item in self]
