"""The three error dialects, exactly as the platforms document them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from talkkit.emulator._errors import ApiError, Dialect, ErrorKind, JSONDict
from talkkit.emulator._validate import Problem, laravel_message, plain_message

__all__ = ["TALKORY", "TALKOVER", "TALKTURO"]

K = ErrorKind


def _talkturo_body(error: ApiError, _request_id: str) -> JSONDict:
    # Auth errors carry no `success` key (seed 000); everything else uses the docs-repo shape.
    if error.status == 401:
        return {"error": "Unauthorized"}
    if error.status == 403:
        return {"error": "Forbidden"}
    return {"success": False, "error": error.message}


def _first_plain(status: int, code: str | None) -> Callable[[Sequence[Problem]], ApiError]:
    """Answer with the first problem only, worded plainly (`phone must be E.164`)."""

    def invalid(problems: Sequence[Problem]) -> ApiError:
        return ApiError(status, plain_message(problems[0]), code=code)

    return invalid


TALKTURO = Dialect(
    render=_talkturo_body,
    kinds={
        K.MISSING_CREDENTIALS: (None, "Unauthorized"),
        K.INVALID_CREDENTIALS: (None, "Unauthorized"),
        K.EXPIRED_CREDENTIALS: (None, "Unauthorized"),
        K.FORBIDDEN: (None, "Forbidden"),
        K.NOT_FOUND: (None, "Not found"),
        K.METHOD_NOT_ALLOWED: (None, "Method not allowed"),
        K.INVALID_JSON: (None, "Request body must be a JSON object"),
        K.RATE_LIMITED: (None, "Too many requests"),
        K.SERVER_ERROR: (None, "Internal server error"),
        K.UNAVAILABLE: (None, "Service unavailable"),
    },
    invalid=_first_plain(400, None),
)
"""Talkturo: `{"error": "Unauthorized"}` / `{"error": "Forbidden"}`, else `{"success": false, "error"}`."""

_SHAPE_A = frozenset({"MISSING_TOKEN", "UNAUTHORIZED", "TOKEN_EXPIRED"})


def _talkover_body(error: ApiError, _request_id: str) -> JSONDict:
    if error.code in _SHAPE_A:
        return {"error": error.code, "message": error.message, "status_code": error.status}
    if error.errors is not None:
        return {"message": error.message, "errors": {k: list(v) for k, v in error.errors.items()}}
    body: JSONDict = {"success": False, "message": error.message}
    if error.code is not None:
        body["code"] = error.code
    return body


def _talkover_invalid(problems: Sequence[Problem]) -> ApiError:
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(laravel_message(problem))
    return ApiError(422, "The given data was invalid.", code="VALIDATION_ERROR", errors=errors)


TALKOVER = Dialect(
    render=_talkover_body,
    kinds={
        K.MISSING_CREDENTIALS: ("MISSING_TOKEN", "Missing Bearer Token"),
        K.INVALID_CREDENTIALS: ("UNAUTHORIZED", "Invalid or missing authentication token"),
        K.EXPIRED_CREDENTIALS: ("TOKEN_EXPIRED", "Authentication token has expired"),
        K.FORBIDDEN: ("FORBIDDEN", "This action is unauthorized."),
        K.NOT_FOUND: ("NOT_FOUND", "Resource not found"),
        K.METHOD_NOT_ALLOWED: ("METHOD_NOT_ALLOWED", "The method is not supported for this route."),
        # INFERRED: no code is documented for malformed JSON bodies.
        K.INVALID_JSON: ("BAD_REQUEST", "Malformed JSON body"),
        # INFERRED: 429 and 5xx use shape C; the code for 429 is not documented.
        K.RATE_LIMITED: ("RATE_LIMIT_EXCEEDED", "Too Many Attempts."),
        K.SERVER_ERROR: ("SERVER_ERROR", "Server Error"),
        K.UNAVAILABLE: ("SERVICE_UNAVAILABLE", "Service Unavailable"),
    },
    invalid=_talkover_invalid,
)
"""Talkover: shape A for auth, shape D for 422 validation, shape C for everything else."""


def _talkory_body(error: ApiError, request_id: str) -> JSONDict:
    return {
        "error": {
            "code": error.code or "internal_error",
            "message": error.message,
            "status": error.status,
            "requestId": request_id,
        }
    }


TALKORY = Dialect(
    render=_talkory_body,
    kinds={
        K.MISSING_CREDENTIALS: ("missing_api_key", "Missing API key."),
        K.INVALID_CREDENTIALS: ("invalid_api_key", "Invalid API key."),
        K.EXPIRED_CREDENTIALS: ("invalid_api_key", "API key has expired."),
        K.FORBIDDEN: ("insufficient_scope", "API key lacks the required scope."),
        K.NOT_FOUND: ("not_found", "Not found."),
        # INFERRED: no code is documented for 405.
        K.METHOD_NOT_ALLOWED: ("invalid_request", "Method not allowed."),
        K.INVALID_JSON: ("invalid_request", "Request body must be a JSON object."),
        K.RATE_LIMITED: ("rate_limited", "Rate limit exceeded; retry after Retry-After seconds."),
        K.SERVER_ERROR: ("internal_error", "Internal server error."),
        K.UNAVAILABLE: ("service_unavailable", "Service temporarily unavailable."),
    },
    invalid=_first_plain(400, "invalid_request"),
)
"""Talkory: always `{"error": {"code", "message", "status", "requestId"}}`."""
