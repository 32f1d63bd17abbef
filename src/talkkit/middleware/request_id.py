"""
Layer 1 (once per call, outside retry): request id and idempotency key.

Every logical call gets one ``X-Request-Id``, and every unsafe call one ``Idempotency-Key``;
both stay the same on every attempt, so the server (and support) can tie retries together and
a server that honours idempotency keys can drop a duplicate. A value the caller already set is
kept. Each attempt is logged by the innermost handler with this id.

A talkkit client stamps both as it builds a request whose headers name neither (`stamp`: one
dictionary entry each, not two passes over the request's headers); this layer then finds the
call's ids in its context and passes the request on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import httpx

from talkkit._constants import IDEMPOTENCY_KEY_HEADER, REQUEST_ID_HEADER
from talkkit._request import CallContext, Safety, context_of
from talkkit.typing import Handler

__all__ = ["ID_HEADERS", "RequestIdMiddleware", "new_id", "stamp"]

ID_HEADERS = frozenset({REQUEST_ID_HEADER.lower(), IDEMPOTENCY_KEY_HEADER.lower()})
"""The headers this layer sets, lowercase."""


def new_id() -> str:
    """A fresh random id (UUID4, 32 hex digits): ``uuid.uuid4().hex``, without the object."""
    octets = bytearray(os.urandom(16))
    octets[6] = octets[6] & 0x0F | 0x40  # version 4 in the high nibble of octet 6
    octets[8] = octets[8] & 0x3F | 0x80  # variant 0b10 in the top bits of octet 8
    return octets.hex()


def stamp(ctx: CallContext, given: Mapping[str, str] | None = None) -> dict[str, str]:
    """
    The id headers of a new call, recorded in ``ctx``: ``X-Request-Id``, and
    ``Idempotency-Key`` on an unsafe call. A value the call's headers (``given``) hold is kept.
    """
    request_id = given.get(REQUEST_ID_HEADER) if given is not None else None
    ctx.request_id = request_id = request_id or new_id()
    if ctx.safety is not Safety.UNSAFE:
        return {REQUEST_ID_HEADER: request_id}
    key = given.get(IDEMPOTENCY_KEY_HEADER) if given is not None else None
    ctx.idempotency_key = key = key or new_id()
    return {REQUEST_ID_HEADER: request_id, IDEMPOTENCY_KEY_HEADER: key}


class RequestIdMiddleware:
    """Stamp ``X-Request-Id`` (always) and ``Idempotency-Key`` (unsafe calls) once per call."""

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        ctx = context_of(request)
        if ctx.request_id is not None:  # stamped by the client that built it (see `stamp`)
            return await call_next(request)
        headers = request.headers
        for name, value in stamp(ctx, headers).items():
            headers[name] = value
        return await call_next(request)
