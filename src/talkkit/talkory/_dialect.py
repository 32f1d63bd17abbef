"""Talkory's dialect: ``{"error": {"code", "message", "status", "requestId"}}``, camelCase."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from talkkit import errors as err
from talkkit._config import RateLimit
from talkkit._dialect import Dialect, parse_json_body, str_field, typed_error

__all__ = ["TALKORY", "decode_talkory_error", "stream_error_response"]

# As the official SDK does: the code decides first, then the status.
_CODES: dict[str, type[err.APIError]] = {
    "invalid_request": err.BadRequestError,
    "invalid_model": err.BadRequestError,
    "missing_api_key": err.AuthenticationError,
    "invalid_api_key": err.AuthenticationError,
    "insufficient_balance": err.PaymentRequiredError,
    "spend_cap_reached": err.PaymentRequiredError,
    "paid_plan_required": err.PaymentRequiredError,
    "insufficient_scope": err.PermissionDeniedError,
    "not_found": err.NotFoundError,
    "query_in_progress": err.ConflictError,
    "payload_too_large": err.PayloadTooLargeError,
    "rate_limited": err.RateLimitError,
    "internal_error": err.ServerError,
    "service_unavailable": err.ServiceUnavailableError,
}


def decode_talkory_error(status: int, headers: Mapping[str, str], content: bytes) -> err.APIError:
    """Decode any Talkory error response into a typed `APIError`."""
    body = parse_json_body(content)
    code = message = request_id = None
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict):
            code = str_field(inner, "code")
            message = str_field(inner, "message")
            request_id = str_field(inner, "requestId")
        elif isinstance(inner, str):
            message = inner.strip() or None
        message = message or str_field(body, "message")
        request_id = request_id or str_field(body, "requestId")
    return typed_error(
        status, body, code=code, message=message, codes=_CODES, request_id=request_id
    )


def stream_error_response(event: Mapping[str, Any]) -> tuple[int, bytes]:
    """
    An ``error`` stream event as the status and body that `decode_talkory_error` reads.

    The event carries the API's error object either nested, ``{"type": "error", "error":
    {"code", "message", "status", "requestId"}}``, or flat, ``{"type": "error", "code", ...}``;
    both become the error envelope. The status is the object's (500 when it names none).
    """
    nested = event.get("error")
    error = nested if isinstance(nested, Mapping) else event
    status = error.get("status", event.get("status"))
    if not isinstance(status, int) or isinstance(status, bool) or status < 400:
        status = 500
    body = event if isinstance(nested, Mapping) else {"error": event}
    return status, json.dumps(body).encode()


TALKORY = Dialect(
    name="talkory",
    token_env="TALKORY_API_KEY",
    default_base_url="https://api.talkory.ai",
    token_prefixes=("tk_live_",),
    decode_error=decode_talkory_error,
    default_rate_limit=RateLimit(30, 60.0, burst=30),  # documented: 30 requests/minute per key
    request_case="camel",
)
