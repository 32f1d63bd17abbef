"""
The talkkit exception hierarchy.

```
TalkkitError
├── APIError                      the server answered with a non-2xx status
│   ├── BadRequestError           400 (and 422 validation errors)
│   ├── AuthenticationError       401
│   ├── PaymentRequiredError      402
│   ├── PermissionDeniedError     403
│   ├── NotFoundError             404
│   ├── ConflictError             409
│   ├── PayloadTooLargeError      413
│   ├── RateLimitError            429 (``retry_after`` set when the server said)
│   └── ServerError               >= 500
│       └── ServiceUnavailableError   503
├── APIConnectionError            no HTTP answer (connect/read/write failure)
│   └── APITimeoutError           a timeout fired
├── OutcomeUnknownError           an unsafe request may or may not have been processed
├── DecodeError                   a 2xx body could not be turned into a model
│   └── PaginationError           a list's next page did not advance (it would loop forever)
├── StreamInterruptedError        a server-sent-event stream ended early
├── WebhookSignatureError         a webhook's signature or timestamp did not check out
└── InvalidRequestError           (also ValueError) rejected client-side before sending
    ├── ConfigurationError        a client was set up wrongly (missing token, bad base URL)
    └── PreflightError            a bulk job's check before its first item failed
```

Every error carries what a caller needs to act or to report: ``request_id`` (the server's id
when it sent one, else the id talkkit put in ``X-Request-Id``), ``code`` (the platform's error
code, or a stable fallback such as ``http_502``) and a readable ``message``.

Foreign exceptions (httpx transport errors, cattrs structuring errors) are translated in exactly
one place each and chained with ``raise ... from exc``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "DecodeError",
    "InvalidRequestError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PaginationError",
    "PayloadTooLargeError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "PreflightError",
    "RateLimitError",
    "ServerError",
    "ServiceUnavailableError",
    "StreamInterruptedError",
    "TalkkitError",
    "WebhookSignatureError",
    "error_class_for_status",
]


class TalkkitError(Exception):
    """Root of every exception raised by talkkit."""


class APIError(TalkkitError):
    """
    The server answered with a non-success status.

    Attributes:
        status: The HTTP status code.
        code: The platform's error code (``"rate_limited"``, ``"TOKEN_EXPIRED"``…), or
            ``"http_<status>"`` when the body named none.
        message: A readable description, from the body when it had one.
        request_id: The server's request id when it sent one, else talkkit's ``X-Request-Id``.
        retry_after: Seconds the server asked us to wait (``Retry-After``), if any.
        body: The decoded JSON body, or the raw text when it was not JSON (``None`` when empty).
        headers: The response headers (lower-cased names).
        errors: Per-field validation messages when the platform sent them (Talkover 422).
        platform: Which API answered (``"talkturo"``, ``"talkover"``, ``"talkory"``).

    None of these holds the request's credential: where the server (or a proxy) echoed it, the
    error decoding layer has replaced it with ``********``.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        errors: Mapping[str, list[str]] | None = None,
        platform: str | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code or f"http_{status}"
        self.request_id = request_id
        self.retry_after = retry_after
        self.body = body
        self.headers: Mapping[str, str] = headers or {}
        self.errors: Mapping[str, list[str]] = errors or {}
        self.platform = platform
        self.method = method
        self.url = url

    def __str__(self) -> str:
        parts = [f"{self.status} {self.code}: {self.message}"]
        if self.errors:
            fields = "; ".join(f"{k}: {', '.join(v)}" for k, v in self.errors.items())
            parts.append(f"[{fields}]")
        if self.method and self.url:
            parts.append(f"({self.method} {self.url})")
        if self.retry_after is not None:
            parts.append(f"retry after {self.retry_after:g}s")
        if self.request_id:
            parts.append(f"request id {self.request_id}")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, code={self.code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep errors picklable (multiprocessing bulk workers send them across processes).
        return (_rebuild, (type(self), self.message, self.__dict__))


def _rebuild(cls: type[APIError], message: str, state: dict[str, Any]) -> APIError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class BadRequestError(APIError):
    """400 (or 422): the request was malformed or failed server-side validation."""


class AuthenticationError(APIError):
    """401: the token is missing, wrong, revoked or expired."""


class PaymentRequiredError(APIError):
    """402: the wallet or plan does not cover this call."""


class PermissionDeniedError(APIError):
    """403: the token is valid but may not do this."""


class NotFoundError(APIError):
    """404: no such endpoint or resource."""


class ConflictError(APIError):
    """409: the resource already exists (or the state forbids the change)."""


class PayloadTooLargeError(APIError):
    """413: the request body is too large."""


class RateLimitError(APIError):
    """429: over the rate limit. ``retry_after`` says how long to wait when the server said."""


class ServerError(APIError):
    """5xx: the server failed."""


class ServiceUnavailableError(ServerError):
    """503: the service is down or overloaded; ``retry_after`` may say for how long."""


_STATUS_CLASSES: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: BadRequestError,
    429: RateLimitError,
    503: ServiceUnavailableError,
}


def error_class_for_status(status: int) -> type[APIError]:
    """Return the `APIError` subclass for an HTTP status (``APIError`` for unlisted 4xx)."""
    cls = _STATUS_CLASSES.get(status)
    if cls is not None:
        return cls
    return ServerError if status >= 500 else APIError


class APIConnectionError(TalkkitError):
    """
    No HTTP answer came back.

    Attributes:
        request_sent: ``False`` when the failure provably happened before the request left
            (connection refused, DNS, connect or pool timeout), so the server cannot have
            processed it; ``True`` when it may have been received.
        request_id: talkkit's ``X-Request-Id`` for the call.
    """

    def __init__(
        self,
        message: str,
        *,
        request_sent: bool,
        request_id: str | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request_sent = request_sent
        self.request_id = request_id
        self.method = method
        self.url = url

    def __str__(self) -> str:
        where = f" ({self.method} {self.url})" if self.method and self.url else ""
        rid = f" request id {self.request_id}" if self.request_id else ""
        return f"{self.message}{where}{rid}"


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout fired."""


class OutcomeUnknownError(TalkkitError):
    """
    An unsafe request (one that creates, charges or dials) failed after it was sent.

    The server may have processed it. talkkit never re-sends such a request by itself: check the
    resource (by ``idempotency_key`` or a natural key) before trying again.

    Attributes:
        request_id: The ``X-Request-Id`` sent with every attempt of the call.
        idempotency_key: The ``Idempotency-Key`` sent with every attempt of the call.
        cause: The failure seen after sending (a transport error or a 5xx `APIError`).
        method: HTTP method of the request.
        url: URL of the request (no credentials).
    """

    def __init__(
        self,
        *,
        cause: BaseException,
        request_id: str | None,
        idempotency_key: str | None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        self.cause = cause
        self.request_id = request_id
        self.idempotency_key = idempotency_key
        self.method = method
        self.url = url
        self.status: int | None = getattr(cause, "status", None)
        what = getattr(cause, "message", None) or str(cause)
        if self.status is not None:
            what = f"{self.status} {what}"
        message = (
            f"outcome unknown: {method} {url} failed after it was sent ({what}); "
            "it may have been processed, so it was not retried "
            f"(request id {request_id}, idempotency key {idempotency_key})"
        )
        super().__init__(message)
        self.message = message


class DecodeError(TalkkitError):
    """
    A success response could not be turned into the expected model.

    Attributes:
        path: Where in the body the problem is (``"$.providers.gpt.status"``).
    """

    def __init__(self, message: str, *, path: str = "$", request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.request_id = request_id


class PaginationError(DecodeError):
    """
    A list's pages stopped advancing: walking on would loop forever.

    The server answered the same offset, page or cursor again, or a page that does not move
    past the one asked for (it ignored the paging parameters). The items already yielded are
    correct; the rest of the list cannot be reached this way.

    Attributes:
        path: The paging field that did not advance (``"$.offset"``, ``"$.page"``,
            ``"$.pagination.current_page"``, ``"$.nextCursor"``), or ``"$"`` when the repeat
            was seen across pages.
        position: The offset, page number or cursor at which the list stopped advancing.

    .. versionadded:: 0.1
    """

    def __init__(self, message: str, *, path: str = "$", position: Any = None) -> None:
        super().__init__(message, path=path)
        self.position = position


class StreamInterruptedError(TalkkitError):
    """
    A server-sent-event stream ended before its final event.

    Attributes:
        resource_id: The id the stream announced before it dropped (for Talkory, the query id:
            ``await client.queries.retrieve(err.resource_id)`` recovers the result).
    """

    def __init__(self, message: str, *, resource_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.resource_id = resource_id


class WebhookSignatureError(TalkkitError):
    """
    A webhook's signature or timestamp did not check out: do not trust the delivery.

    Attributes:
        reason: Why, as a short stable word a receiver can count or alert on:
            ``"missing_header"`` (no signature or signed timestamp header),
            ``"bad_signature"`` (malformed, or not made with the key or secret given),
            ``"bad_timestamp"`` (a timestamp that is not Unix seconds), ``"stale_timestamp"``
            / ``"future_timestamp"`` (outside the tolerance), ``"unknown_key"`` (no secret or
            public key is configured for this kind of delivery).

    .. versionchanged:: 0.1
       ``reason`` added (``"bad_signature"`` when not given).
    """

    def __init__(self, message: str, *, reason: str = "bad_signature") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


class InvalidRequestError(TalkkitError, ValueError):
    """
    Rejected client-side, before anything was sent.

    Attributes:
        field: The offending field (snake_case, as passed to the method).
        value: The offending value (never a credential).
        reason: What is wrong with it.
    """

    def __init__(self, field: str, reason: str, *, value: Any = None) -> None:
        self.field = field
        self.reason = reason
        self.value = value
        shown = "" if value is None else f" (got {value!r})"
        super().__init__(f"{field}: {reason}{shown}")
        self.message = str(self)


class ConfigurationError(InvalidRequestError):
    """A client was set up wrongly: missing token, malformed token, unusable base URL."""


class PreflightError(InvalidRequestError):
    """
    A bulk job's check before its first item failed: nothing was sent.

    ``field`` names the job's setting (``company_id``, ``agent_id``, ``campaign_id``,
    ``team_id``, or ``token`` for refused credentials, whose value is never shown); ``cause``
    is the API's answer when there was one.

    .. versionadded:: 0.1
    """

    def __init__(
        self, field: str, reason: str, *, value: Any = None, cause: TalkkitError | None = None
    ) -> None:
        super().__init__(field, reason, value=value)
        self.cause = cause
