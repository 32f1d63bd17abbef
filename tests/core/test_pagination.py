"""Pagination: the offset, page and cursor strategies, and pages that do not advance."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import httpx
import pytest

from talkkit import (
    AsyncTalkory,
    AsyncTalkover,
    AsyncTalkturo,
    BaseClient,
    DecodeError,
    PaginationError,
    RetryPolicy,
)
from talkkit.emulator import TALKOVER_TOKEN
from talkkit.pagination import (
    AsyncPaginator,
    cursor_paginator,
    offset_paginator,
    page_paginator,
)

from ..conftest import TALKORY_TEST_KEY

pytestmark = pytest.mark.anyio

Answer = Callable[[dict[str, str]], dict[str, Any]]
MAX_CALLS = 20  # a pager that loops gets an error answer instead of hanging the test


@attrs.frozen
class Item:
    """A list item."""

    id: str


ITEMS = [{"id": f"i{n:03d}"} for n in range(120)]
IDS = [item["id"] for item in ITEMS]


class Server:
    """Answers list requests with ``answer(query)`` and records the query of each one."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.queries: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        query = dict(request.url.params)
        self.queries.append(query)
        if len(self.queries) > MAX_CALLS:
            return httpx.Response(400, json={"error": "the pager loops"})
        return httpx.Response(200, json=self.answer(query))


def client(kind: type[BaseClient], server: Server) -> BaseClient:
    """A client of ``kind`` whose every request goes to ``server``."""
    options: dict[str, Any] = {
        "transport": httpx.MockTransport(server),
        "rate_limit": None,
        "retry": RetryPolicy(backoff_base=0.0, backoff_max=0.0),
    }
    if kind is AsyncTalkturo:
        return AsyncTalkturo("tok", base_url="http://localhost/api", **options)
    if kind is AsyncTalkover:
        return AsyncTalkover(TALKOVER_TOKEN, **options)
    return AsyncTalkory(TALKORY_TEST_KEY, **options)


def _int(query: dict[str, str], name: str, default: int) -> int:
    return int(query.get(name, default))


async def collect(pager: AsyncPaginator[Item], seen: list[str]) -> None:
    """Walk ``pager``, noting each item's id in ``seen`` as it arrives."""
    async for item in pager:
        seen.append(item.id)


async def test_offset_pager_follows_the_page_total_variant() -> None:
    """A page/total answer (the docs repo's form) is walked by page number, each item once."""

    def answer(query: dict[str, str]) -> dict[str, Any]:
        page, limit = _int(query, "page", 1), _int(query, "limit", 50)
        chunk = ITEMS[(page - 1) * limit : page * limit]
        return {"success": True, "items": chunk, "total": len(ITEMS), "page": page}

    server = Server(answer)
    async with client(AsyncTalkturo, server) as api:
        pager = offset_paginator(api, "/items", Item, items_key="items")
        assert [item.id async for item in pager] == IDS
        assert (await pager.first_page()).total == 120
    assert server.queries[:3] == [
        {"limit": "50", "offset": "0"},
        {"limit": "50", "page": "2"},
        {"limit": "50", "page": "3"},
    ]


async def test_offset_pager_reads_total_as_count() -> None:
    """An offset answer that names its total ``total`` instead of ``count`` is read the same."""

    def answer(query: dict[str, str]) -> dict[str, Any]:
        offset, limit = _int(query, "offset", 0), _int(query, "limit", 50)
        chunk = ITEMS[offset : offset + limit]
        return {"items": chunk, "total": 7, "limit": limit, "offset": offset}

    async with client(AsyncTalkturo, Server(answer)) as api:
        page = await offset_paginator(api, "/items", Item, items_key="items").first_page()
    assert (len(page.items), page.total, page.next_token) == (50, 7, None)


async def test_offset_pager_refuses_an_ignored_offset() -> None:
    """A server that answers offset 0 to every request raises PaginationError, not duplicates."""

    def answer(query: dict[str, str]) -> dict[str, Any]:
        return {"items": ITEMS[:50], "count": len(ITEMS), "limit": 50, "offset": 0}

    seen: list[str] = []
    async with client(AsyncTalkturo, Server(answer)) as api:
        pager = offset_paginator(api, "/items", Item, items_key="items")
        with pytest.raises(PaginationError) as info:
            await collect(pager, seen)
    assert seen == IDS[:50]
    assert (info.value.path, info.value.position) == ("$.offset", 50)
    assert isinstance(info.value, DecodeError)


async def test_offset_pager_refuses_the_same_items_again() -> None:
    """A non-empty page that repeats the previous one (offset ignored, not echoed) raises."""

    def answer(query: dict[str, str]) -> dict[str, Any]:
        return {"items": ITEMS[:50], "count": len(ITEMS)}

    async with client(AsyncTalkturo, Server(answer)) as api:
        pager = offset_paginator(api, "/items", Item, items_key="items")
        with pytest.raises(PaginationError, match="repeats the previous page") as info:
            await pager.to_list()
    assert info.value.position == 50


async def test_page_pager_refuses_a_page_that_does_not_move() -> None:
    """A server that answers page 1 whatever page is asked raises PaginationError."""

    def answer(query: dict[str, str]) -> dict[str, Any]:
        meta = {"current_page": 1, "last_page": 6, "per_page": 20, "total": 120}
        return {"data": ITEMS[:20], "pagination": meta}

    server = Server(answer)
    async with client(AsyncTalkover, server) as api:
        with pytest.raises(PaginationError) as info:
            await page_paginator(api, "/items", Item).to_list()
    assert (info.value.path, info.value.position) == ("$.pagination.current_page", 2)
    assert len(server.queries) == 2


async def test_cursor_pager_refuses_a_repeated_cursor() -> None:
    """A page that names the cursor it was fetched with as the next one raises."""

    def answer(query: dict[str, str]) -> dict[str, Any]:
        start = 0 if "cursor" not in query else 50
        return {"items": ITEMS[start : start + 50], "nextCursor": "c1"}

    async with client(AsyncTalkory, Server(answer)) as api:
        with pytest.raises(PaginationError) as info:
            await cursor_paginator(api, "/items", Item, items_key="items", limit=50).to_list()
    assert (info.value.path, info.value.position) == ("$.nextCursor", "c1")


async def test_cursor_pager_refuses_a_cycle() -> None:
    """Cursors that lead back to a page already fetched raise after the new pages' items."""
    pages = {None: (0, "c1"), "c1": (40, "c2"), "c2": (80, "c1")}

    def answer(query: dict[str, str]) -> dict[str, Any]:
        start, following = pages[query.get("cursor")]
        return {"items": ITEMS[start : start + 40], "nextCursor": following}

    seen: list[str] = []
    async with client(AsyncTalkory, Server(answer)) as api:
        pager = cursor_paginator(api, "/items", Item, items_key="items")
        with pytest.raises(PaginationError, match="did not advance") as info:
            await collect(pager, seen)
    assert seen == IDS
    assert info.value.position == "c1"


async def test_empty_page_ends_the_list() -> None:
    """An empty page ends the walk quietly even when it names a next page."""

    def answer(query: dict[str, str]) -> dict[str, Any]:
        return {"items": [], "nextCursor": "c1"}

    async with client(AsyncTalkory, Server(answer)) as api:
        assert await cursor_paginator(api, "/items", Item, items_key="items").to_list() == []
