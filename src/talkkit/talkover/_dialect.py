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

from talkkit import errors as err
from talkkit._config import RateLimit
from talkkit._dialect import Dialect, parse_json_body, str_field, typed_error

__all__ = ["TALKOVER", "decode_talkover_error"]

_CODES: dict[str, type[err.APIError]] = {
    "UNAUTHORIZED": err.AuthenticationError,
    "MISSING_TOKEN": err.AuthenticationError,
    "TOKEN_EXPIRED": err.AuthenticationError,
    "INVALID_TOKEN": err.AuthenticationError,
    "INVALID_API_KEY": err.AuthenticationError,
    "FORBIDDEN": err.PermissionDeniedError,
    "VALIDATION_ERROR": err.BadRequestError,
    "INVALID_TRANSITION": err.BadRequestError,
    "AGENT_NOT_FOUND": err.NotFoundError,
    "CAMPAIGN_NOT_FOUND": err.NotFoundError,
    "VOICE_NOT_FOUND": err.NotFoundError,
    "TRAINING_NOT_FOUND": err.NotFoundError,
    "ACTION_NOT_FOUND": err.NotFoundError,
    "CONFLICT": err.ConflictError,
    "AGENT_IS_PUBLISHED": err.ConflictError,
    "AGENT_HAS_ACTIVE_CALLS": err.ConflictError,
    "DID_ALREADY_EXISTS": err.ConflictError,
    "DID_IN_USE": err.ConflictError,
    "TRUNK_HAS_DIDS": err.ConflictError,
    "RATE_LIMITED": err.RateLimitError,
    "SERVER_ERROR": err.ServerError,
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


def decode_talkover_error(status: int, headers: Mapping[str, str], content: bytes) -> err.APIError:
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
    return typed_error(status, body, code=code, message=message, codes=_CODES, errors=errors)


TALKOVER = Dialect(
    name="talkover",
    token_env="TALKOVER_TOKEN",
    default_base_url="https://app.talkover.ai/api/v1",
    token_prefixes=("talq_",),
    decode_error=decode_talkover_error,
    default_rate_limit=RateLimit(100, 60.0, burst=100),  # documented Standard plan
    envelope_key="data",
)
