"""A server-sent-events response that sends one event per ASGI body message."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

__all__ = ["DONE", "EventStream"]

DONE = "[DONE]"
"""Send this string as an event to write the `data: [DONE]` sentinel."""


class EventStream(Response):
    """
    `text/event-stream` response over an async iterator of JSON events.

    Unlike Starlette's `StreamingResponse` it starts no task group, so a deliberate
    connection drop raised while sending reaches the server unwrapped. Each event is sent as
    its own body message, which lets the pipeline count events to cut a stream.
    """

    media_type = "text/event-stream"

    def __init__(
        self, events: AsyncGenerator[Mapping[str, Any] | str, None], status_code: int = 200
    ) -> None:
        self.events = events
        self.status_code = status_code
        self.background = None
        self.init_headers({"cache-control": "no-cache"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        # aclosing: a dropped stream must not leave the generator for the garbage collector.
        async with aclosing(self.events) as events:
            async for event in events:
                data = event if isinstance(event, str) else json.dumps(event, separators=(",", ":"))
                chunk = f"data: {data}\n\n".encode()
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
