"""
Layer 1 (once per call, outside retry): request id and idempotency key.

Every logical call gets one ``X-Request-Id``, and every unsafe call one ``Idempotency-Key``;
both stay the same on every attempt, so the server (and support) can tie retries together and
a server that honours idempotency keys can drop a duplicate. A value the caller already set is
kept. Each attempt is logged by the innermost handler with this id.
"""

from __future__ import annotations

import uuid

import httpx

from talkkit._constants import IDEMPOTENCY_KEY_HEADER, REQUEST_ID_HEADER
from talkkit._request import Safety, context_of
from talkkit.typing import Handler

__all__ = ["RequestIdMiddleware", "new_id"]


def new_id() -> str:
    """A fresh random id (UUID4, 32 hex digits)."""
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Stamp ``X-Request-Id`` (always) and ``Idempotency-Key`` (unsafe calls) once per call."""

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        ctx = context_of(request)
        headers = request.headers
        ctx.request_id = headers.get(REQUEST_ID_HEADER) or new_id()
        headers[REQUEST_ID_HEADER] = ctx.request_id
        if ctx.safety is Safety.UNSAFE:
            ctx.idempotency_key = headers.get(IDEMPOTENCY_KEY_HEADER) or new_id()
            headers[IDEMPOTENCY_KEY_HEADER] = ctx.idempotency_key
        return await call_next(request)
