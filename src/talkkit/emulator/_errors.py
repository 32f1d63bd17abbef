"""Platform-neutral API errors and the dialects that render them per platform."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from talkkit.emulator._validate import Problem

__all__ = ["ApiError", "Dialect", "ErrorKind", "JSONDict"]

JSONDict = dict[str, Any]


class ApiError(Exception):
    """
    An error answer, raised by handlers and by the request pipeline.

    The platform's `Dialect` turns it into that platform's error body, so handlers only say
    what went wrong (`status`, `message`, optional `code`, optional per-field `errors`).
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        errors: Mapping[str, Sequence[str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.errors = errors
        self.headers = dict(headers or {})


class ErrorKind(enum.Enum):
    """Errors the framework itself produces, before or around the route handlers."""

    MISSING_CREDENTIALS = "missing_credentials"
    INVALID_CREDENTIALS = "invalid_credentials"
    EXPIRED_CREDENTIALS = "expired_credentials"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    INVALID_JSON = "invalid_json"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    UNAVAILABLE = "unavailable"

    @property
    def status(self) -> int:
        """The HTTP status this kind is answered with by default."""
        return _STATUS[self]


_STATUS = {
    ErrorKind.MISSING_CREDENTIALS: 401,
    ErrorKind.INVALID_CREDENTIALS: 401,
    ErrorKind.EXPIRED_CREDENTIALS: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.METHOD_NOT_ALLOWED: 405,
    ErrorKind.INVALID_JSON: 400,
    ErrorKind.RATE_LIMITED: 429,
    ErrorKind.SERVER_ERROR: 500,
    ErrorKind.UNAVAILABLE: 503,
}


@attrs.frozen
class Dialect:
    """
    How one platform spells its errors.

    `render` builds the JSON body from an `ApiError` and the server request id; `kinds` maps
    each framework error to the platform's `(code, message)`; `invalid` turns validation
    problems into the platform's validation error.
    """

    render: Callable[[ApiError, str], JSONDict]
    kinds: Mapping[ErrorKind, tuple[str | None, str]]
    invalid: Callable[[Sequence[Problem]], ApiError]

    def error(
        self,
        kind: ErrorKind,
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> ApiError:
        """Build the platform's error for a framework error kind."""
        code, message = self.kinds[kind]
        return ApiError(status or kind.status, message, code=code, headers=headers)
