"""
Per-call options: what every resource method takes besides its own arguments.

Defined and documented once here, consumed in one place (`BaseClient.request`). A resource
method declares ``**options: Unpack[RequestOptions]`` (``UnsafeRequestOptions`` for a call
that creates, charges or dials) and hands them to the client untouched::

    contact = await client.contacts.create(
        "Ada",
        "Lovelace",
        company_id="comp_1",
        timeout=5.0,
        extra_headers={"X-Trace": "import-42"},
        idempotency_key="row-42",
    )
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import httpx

__all__ = ["ExtraOptions", "RequestOptions", "UnsafeExtraOptions", "UnsafeRequestOptions"]


class ExtraOptions(TypedDict, total=False):
    """
    What a call adds to the request it sends (keyword-only, all optional).

    Attributes:
        extra_headers: Headers added to (or replacing) the client's for this call.
        extra_query: Query parameters added to the call's own (sent as given).
        extra_body: Keys merged into the JSON body, sent as given (no casing applied): for a
            field the SDK does not know yet. A body that is not a JSON object is refused.
    """

    extra_headers: Mapping[str, str]
    extra_query: Mapping[str, object]
    extra_body: Mapping[str, object]


class RequestOptions(ExtraOptions, total=False):
    """
    Options every resource method takes: `ExtraOptions` and a timeout.

    Two kinds of method have a ``timeout`` of their own and take `ExtraOptions` instead: one
    that waits (``queries.wait``: the whole wait), and one whose API field is named so (a
    webhook's delivery timeout). Give those an HTTP timeout with
    ``client.with_options(timeout=...)``.

    Attributes:
        timeout: Seconds, or an `httpx.Timeout`, for this call only (each attempt).
    """

    timeout: float | httpx.Timeout | None


class _IdempotencyKey(TypedDict, total=False):
    idempotency_key: str


class UnsafeRequestOptions(RequestOptions, _IdempotencyKey, total=False):
    """
    `RequestOptions` of a call that creates, charges or dials.

    Attributes:
        idempotency_key: The ``Idempotency-Key`` sent with every attempt of this call,
            instead of a generated one: derive it from your own id (a row id, an order id)
            so that a server honouring keys drops a repeat sent by another process or run.
    """


class UnsafeExtraOptions(ExtraOptions, _IdempotencyKey, total=False):
    """`ExtraOptions` and ``idempotency_key`` (see `UnsafeRequestOptions`)."""
