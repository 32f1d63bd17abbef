"""The per-call context that travels with an `httpx.Request` through the pipeline."""

from __future__ import annotations

import enum
import time

import attrs
import httpx

from talkkit._constants import CONTEXT_KEY

__all__ = ["CallContext", "Safety", "context_of"]


class Safety(enum.Enum):
    """
    Whether a request may be sent again after a failure that left its outcome unclear.

    - ``SAFE``: reads (GET). Retried on 408/429/5xx, connection errors and timeouts.
    - ``IDEMPOTENT``: writes that set state to a given value (PUT, a PATCH that sets fields,
      replacing an assignment, Talkory's consensus). Retried like ``SAFE``.
    - ``UNSAFE``: writes that create, charge or dial. Retried only when the failure proves the
      server did not process the request (connect error before sending, 429, 503 with
      ``Retry-After``); any other failure after sending raises `OutcomeUnknownError`.
    """

    SAFE = "safe"
    IDEMPOTENT = "idempotent"
    UNSAFE = "unsafe"

    @classmethod
    def for_method(cls, method: str) -> Safety:
        """HTTP semantics: GET/HEAD/OPTIONS safe, PUT/DELETE idempotent, the rest unsafe."""
        if method in ("GET", "HEAD", "OPTIONS"):
            return cls.SAFE
        if method in ("PUT", "DELETE"):
            return cls.IDEMPOTENT
        return cls.UNSAFE


@attrs.define(slots=True)
class CallContext:
    """
    What the pipeline knows about one logical call (all its attempts).

    Stored in ``request.extensions["talkkit"]``; middleware read and update it.
    """

    safety: Safety
    platform: str
    stream: bool = False
    request_id: str | None = None
    idempotency_key: str | None = None
    attempt: int = 0
    started: float = attrs.field(factory=time.monotonic)


def context_of(request: httpx.Request) -> CallContext:
    """The `CallContext` of a request built by a talkkit client."""
    ctx: CallContext | None = request.extensions.get(CONTEXT_KEY)
    if ctx is None:  # a request built by hand (tests, user code): derive a context
        ctx = CallContext(safety=Safety.for_method(request.method), platform="unknown")
        request.extensions[CONTEXT_KEY] = ctx
    return ctx
