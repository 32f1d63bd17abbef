"""
Talkover's dialect: snake_case, and five documented error shapes.

A ``{"error": "TOKEN_EXPIRED", "message", "status_code"}``;
B ``{"success": false, "error": {"code", "message", "details"}}``;
C ``{"success": false, "message", "code"?}``;
D ``{"message", "errors": {field: [...]}}`` (422);
E ``{"error": "Failed to generate demo audio"}``.
``code`` comes from ``error.code``, then ``code``, then ``error`` when it is an upper-case code;
``message`` from ``error.message``, then ``message``, then ``error``.
"""

from __future__ import annotations

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
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    error_class_for_status,
)

__all__ = ["TALKOVER", "decode_talkover_error"]

_CODES: dict[str, type[APIError]] = {
    "UNAUTHORIZED": AuthenticationError,
    "MISSING_TOKEN": AuthenticationError,
    "TOKEN_EXPIRED": AuthenticationError,
    "INVALID_TOKEN": AuthenticationError,
    "INVALID_API_KEY": AuthenticationError,
    "FORBIDDEN": PermissionDeniedError,
    "VALIDATION_ERROR": BadRequestError,
    "INVALID_TRANSITION": BadRequestError,
    "AGENT_NOT_FOUND": NotFoundError,
    "CAMPAIGN_NOT_FOUND": NotFoundError,
    "VOICE_NOT_FOUND": NotFoundError,
    "TRAINING_NOT_FOUND": NotFoundError,
    "ACTION_NOT_FOUND": NotFoundError,
    "CONFLICT": ConflictError,
    "AGENT_IS_PUBLISHED": ConflictError,
    "AGENT_HAS_ACTIVE_CALLS": ConflictError,
    "DID_ALREADY_EXISTS": ConflictError,
    "DID_IN_USE": ConflictError,
    "TRUNK_HAS_DIDS": ConflictError,
    "RATE_LIMITED": RateLimitError,
    "SERVER_ERROR": ServerError,
}


def _is_code(text: str) -> bool:
    return text.replace("_", "").isalnum() and text.upper() == text and len(text) <= 64


def _field_errors(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        return {}
    out: dict[str, list[str]] = {}
    for field, messages in value.items():
        if isinstance(messages, list):
            out[str(field)] = [str(m) for m in messages]
        elif messages is not None:
            out[str(field)] = [str(messages)]
    return out


def decode_talkover_error(status: int, headers: Mapping[str, str], content: bytes) -> APIError:
    """Decode any Talkover error response (all five shapes) into a typed `APIError`."""
    body = parse_json_body(content)
    code = message = None
    errors: dict[str, list[str]] = {}
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict):
            code = str_field(inner, "code")
            message = str_field(inner, "message")
        code = code or str_field(body, "code")
        message = message or str_field(body, "message")
        if isinstance(inner, str) and inner.strip():
            if _is_code(inner.strip()):
                code = code or inner.strip()
            else:
                message = message or inner.strip()
        errors = _field_errors(body.get("errors"))
    if errors and not message:
        message = "validation failed"
    if status == 422 and code is None:
        code = "VALIDATION_ERROR"  # the code the reference's tables give 422
    cls = _CODES.get(code or "") or error_class_for_status(status)
    return cls(
        message or fallback_message(status, body),
        status=status,
        code=code,
        body=body,
        errors=errors,
    )


TALKOVER = Dialect(
    name="talkover",
    display_name="Talkover",
    token_env="TALKOVER_TOKEN",
    base_url_env="TALKOVER_BASE_URL",
    default_base_url="https://app.talkover.ai/api/v1",
    token_prefixes=("talq_",),
    decode_error=decode_talkover_error,
    default_rate_limit=RateLimit(100, 60.0, burst=100),  # documented Standard plan
    envelope_key="data",
)
