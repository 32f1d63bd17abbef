"""
Public type aliases: the middleware contract and JSON shapes.

A **handler** takes an `httpx.Request` and returns an awaitable `httpx.Response`. A
**middleware** takes the request plus the next handler, and returns the response::

    async def add_header(request: httpx.Request, call_next: Handler) -> httpx.Response:
        request.headers["X-Team"] = "growth"
        return await call_next(request)

Middleware runs *per attempt* (inside the retry loop, outside the rate limiter): it sees each
retry of a call. It must await ``call_next`` directly — no spawned tasks — so that cancellation
and context variables flow through. Raise a `talkkit.TalkkitError` subclass to fail the call;
the retry layer decides from the exception whether another attempt is safe.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import httpx

__all__ = ["JSON", "Handler", "JSONObject", "Middleware"]

JSON: TypeAlias = Any
"""Any value `json.loads` can return."""

JSONObject: TypeAlias = dict[str, Any]
"""A decoded JSON object."""

Handler: TypeAlias = Callable[[httpx.Request], Awaitable[httpx.Response]]
"""The next step of the pipeline: send a request, get its response."""

Middleware: TypeAlias = Callable[[httpx.Request, Handler], Awaitable[httpx.Response]]
"""One layer of the pipeline: ``async (request, call_next) -> response``."""
