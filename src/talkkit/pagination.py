"""
One async iterator over every item of a paginated list, whatever the platform's paging style.

Three strategies build it: `offset_paginator` (Talkturo: ``limit``/``offset`` → ``count``,
or ``page`` → ``total``/``page``), `page_paginator` (Talkover: ``page``/``per_page`` →
``pagination`` or ``meta``) and `cursor_paginator` (Talkory: ``cursor`` → ``nextCursor``)::

    async for campaign in client.campaigns.list(team_id="team_1"):
        ...
    page = await client.campaigns.list(team_id="team_1").first_page()

A list whose pages stop advancing (the server answers the same offset, page or cursor again,
or the same items again) raises `PaginationError` instead of looping forever.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from talkkit._model import envelope_of
from talkkit.errors import PaginationError

if TYPE_CHECKING:
    from talkkit._client import BaseClient
    from talkkit._options import ExtraOptions

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

    The walk ends on the last page or an empty one. A page that does not advance (its next
    token was fetched already, or it repeats the previous page's items) raises
    `PaginationError`; the items before it have been yielded.

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
    """Iterator over pages; stops on the last or an empty page, raises when one does not advance."""

    def __init__(self, fetch: Callable[[Any], Awaitable[Page[T]]]) -> None:
        self._fetch = fetch
        self._token: Any = None
        self._seen: set[Any] = set()
        self._previous: list[T] | None = None
        self._done = False
        self._pending: PaginationError | None = None

    def __aiter__(self) -> _Pages[T]:
        return self

    async def __anext__(self) -> Page[T]:
        if self._pending is not None:
            error, self._pending = self._pending, None
            raise error
        if self._done:
            raise StopAsyncIteration
        page = await self._fetch(self._token)
        if page.items and page.items == self._previous:
            self._done = True
            raise PaginationError(
                f"the page at {self._token!r} repeats the previous page's items: the server "
                "is not paging this list",
                position=_position(self._token),
            )
        token = page.next_token
        self._previous = page.items
        self._done = True
        if token is None or not page.items:
            pass  # the last page, or an empty one: nothing further to ask for
        elif token == self._token or token in self._seen:
            # This page is new, so hand it out; asking for the next one would loop forever.
            self._pending = PaginationError(
                f"the list did not advance: the next page ({token!r}) was fetched already",
                position=_position(token),
            )
        else:
            self._done = False
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


@attrs.frozen(repr=False)
class _PageNumber:
    """The next-page token of the ``page``/``total`` variant: the page and the items before it."""

    number: int
    before: int

    def __repr__(self) -> str:
        return f"page {self.number}"


def _position(token: Any) -> Any:
    """What a token asks for, as `PaginationError.position` reports it."""
    return token.number if isinstance(token, _PageNumber) else token


def offset_paginator(
    client: BaseClient,
    path: str,
    item_type: type[T],
    *,
    items_key: str | None = None,
    params: Mapping[str, Any] | None = None,
    limit: int = 50,
    max_items: int | None = None,
    options: ExtraOptions | None = None,
) -> AsyncPaginator[T]:
    """
    ``limit``/``offset`` paging; the body has ``count`` (total), ``limit``, ``offset``.

    That is Talkturo's published form. Its docs repo shows another: a ``page`` parameter, and
    ``total`` and ``page`` in the body. A first page answered with ``page`` and no ``offset``
    switches the walk to page numbers (``limit`` stays the page size); ``total`` counts as
    ``count`` in either form.
    """

    async def fetch(token: int | _PageNumber | None) -> Page[T]:
        position = (
            {"page": token.number} if isinstance(token, _PageNumber) else {"offset": token or 0}
        )
        query = {**(params or {}), "limit": limit, **position}
        body, items = await _get_page(client, path, query, item_type, items_key, options)
        meta: Mapping[str, Any] = body if isinstance(body, dict) else {}
        count = _int(meta.get("count"))
        total = count if count is not None else _int(meta.get("total"))
        answered = _int(meta.get("page"))
        if isinstance(token, _PageNumber):
            _check_position(path, "$.page", token.number, answered)
            current = token
        elif token is None and answered is not None and "offset" not in meta:
            current = _PageNumber(answered, 0)  # the page/total variant: go on by page number
        else:
            start = token or 0
            _check_position(path, "$.offset", start, _int(meta.get("offset")))
            end = start + len(items)
            more = end < total if total is not None else len(items) >= limit
            return Page(items, end if more and items else None, total)
        end = current.before + len(items)
        size = _int(meta.get("limit")) or limit
        more = end < total if total is not None else len(items) >= size
        following = _PageNumber(current.number + 1, end)
        return Page(items, following if more and items else None, total)

    return AsyncPaginator(fetch, max_items=max_items)


async def _get_page(
    client: BaseClient,
    path: str,
    query: Mapping[str, Any],
    item_type: type[T],
    items_key: str | None,
    options: ExtraOptions | None,
) -> tuple[Any, list[T]]:
    """One page: its body, and its items unwrapped by the dialect, each with the request id."""
    reply = await client.send_json("GET", path, params=query, options=options)
    kind = list[item_type]  # type: ignore[valid-type]
    payload = client.dialect.unwrap(reply.body, items_key or envelope_of(kind))
    items = client.structure(payload, kind, request_id=reply.request_id)
    return reply.body, items


def _check_position(path: str, field: str, asked: Any, answered: Any) -> None:
    """Refuse a page the server placed elsewhere than asked (it ignores the paging parameter)."""
    if answered is not None and answered != asked:
        name = field.rsplit(".", 1)[-1]
        raise PaginationError(
            f"GET {path}: asked for {name} {asked!r}, the server answered {name} {answered!r} "
            "(it does not honour the paging parameter; walking on would loop)",
            path=field,
            position=asked,
        )


def page_paginator(
    client: BaseClient,
    path: str,
    item_type: type[T],
    *,
    items_key: str | None = None,
    params: Mapping[str, Any] | None = None,
    per_page: int = 20,
    max_items: int | None = None,
    options: ExtraOptions | None = None,
) -> AsyncPaginator[T]:
    """``page``/``per_page`` paging; metadata under ``pagination`` or ``meta``."""

    async def fetch(page: int | None) -> Page[T]:
        number = page or 1
        query = {**(params or {}), "page": number, "per_page": per_page}
        body, items = await _get_page(client, path, query, item_type, items_key, options)
        meta: Any = {}
        if isinstance(body, dict):
            meta = body.get("pagination") or body.get("meta") or {}
        meta = meta if isinstance(meta, dict) else {}
        block = "pagination" if isinstance(body, dict) and body.get("pagination") else "meta"
        _check_position(path, f"$.{block}.current_page", number, _int(meta.get("current_page")))
        last = _int(meta.get("last_page"))
        more = number < last if last is not None else len(items) >= per_page
        return Page(items, number + 1 if more and items else None, _int(meta.get("total")))

    return AsyncPaginator(fetch, max_items=max_items)


def cursor_paginator(
    client: BaseClient,
    path: str,
    item_type: type[T],
    *,
    items_key: str | None = None,
    cursor_key: str = "nextCursor",
    params: Mapping[str, Any] | None = None,
    limit: int = 100,
    max_items: int | None = None,
    options: ExtraOptions | None = None,
) -> AsyncPaginator[T]:
    """``cursor`` paging; the body names the next cursor (absent or null on the last page)."""

    async def fetch(cursor: str | None) -> Page[T]:
        query = {**(params or {}), "limit": limit, "cursor": cursor}
        body, items = await _get_page(client, path, query, item_type, items_key, options)
        following = body.get(cursor_key) if isinstance(body, dict) else None
        following = following if isinstance(following, str) and following else None
        if items and following is not None and following == cursor:
            raise PaginationError(
                f"GET {path}: the page at cursor {cursor!r} names the same cursor as the next "
                "one (walking on would loop)",
                path=f"$.{cursor_key}",
                position=cursor,
            )
        return Page(items, following)

    return AsyncPaginator(fetch, max_items=max_items)
