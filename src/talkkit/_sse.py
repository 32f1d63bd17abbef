"""
A minimal server-sent-events reader over an httpx response (the subset the APIs use).

Handles ``data:`` lines (joined with newlines when an event spans several), ``event:``,
``id:``, ``:`` comments (keep-alive pings) and the blank line that ends an event. Written here
rather than taken from a package: it is thirty lines, and a runtime dependency for it would
cost more than it saves.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing

import attrs
import httpx

__all__ = ["ServerSentEvent", "iter_sse"]


@attrs.frozen
class ServerSentEvent:
    """One event: its ``data`` text and optional ``event`` name and ``id``."""

    data: str
    event: str = "message"
    id: str | None = None


async def iter_sse(response: httpx.Response) -> AsyncGenerator[ServerSentEvent]:
    """Yield the events of a ``text/event-stream`` response as they arrive."""
    data: list[str] = []
    event = "message"
    event_id: str | None = None
    lines = response.aiter_lines()
    async with aclosing(lines):  # type: ignore[type-var]  # httpx types it as AsyncIterator
        async for line in lines:
            if not line:
                if data:
                    yield ServerSentEvent("\n".join(data), event, event_id)
                data, event, event_id = [], "message", None
                continue
            if line.startswith(":"):
                continue  # a comment: the server's keep-alive ping
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "data":
                data.append(value)
            elif field == "event":
                event = value
            elif field == "id":
                event_id = value
    if data:  # a stream that ends without the final blank line
        yield ServerSentEvent("\n".join(data), event, event_id)
