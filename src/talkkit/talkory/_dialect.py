"""Talkory's dialect: ``{"error": {"code", "message", "status", "requestId"}}``, camelCase."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from talkkit._config import RateLimit
from talkkit._dialect import Dialect, fallback_message, parse_json_body, str_field
from talkkit.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PayloadTooLargeError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ServiceUnavailableError,
    error_class_for_status,
)

__all__ = ["TALKORY", "decode_talkory_error", "stream_error_response"]

# As the official SDK does: the code decides first, then the status.
_CODES: dict[str, type[APIError]] = {
    "invalid_request": BadRequestError,
    "invalid_model": BadRequestError,
    "missing_api_key": AuthenticationError,
    "invalid_api_key": AuthenticationError,
    "insufficient_balance": PaymentRequiredError,
    "spend_cap_reached": PaymentRequiredError,
    "paid_plan_required": PaymentRequiredError,
    "insufficient_scope": PermissionDeniedError,
    "not_found": NotFoundError,
    "query_in_progress": ConflictError,
    "payload_too_large": PayloadTooLargeError,
    "rate_limited": RateLimitError,
    "internal_error": ServerError,
    "service_unavailable": ServiceUnavailableError,
}


def decode_talkory_error(status: int, headers: Mapping[str, str], content: bytes) -> APIError:
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
    cls = _CODES.get(code or "") or error_class_for_status(status)
    return cls(
        message or fallback_message(status, body),
        status=status,
        code=code,
        request_id=request_id,
        body=body,
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
    display_name="Talkory",
    token_env="TALKORY_API_KEY",
    base_url_env="TALKORY_BASE_URL",
    default_base_url="https://api.talkory.ai",
    token_prefixes=("tk_live_",),
    decode_error=decode_talkory_error,
    default_rate_limit=RateLimit(30, 60.0, burst=30),  # documented: 30 requests/minute per key
    request_case="camel",
)
