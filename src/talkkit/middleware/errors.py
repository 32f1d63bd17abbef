"""
Layer 5 (innermost, per attempt): non-2xx responses become typed exceptions.

Each platform has its own error dialect; the client passes its decoder here. Whatever the body
— JSON of any shape, HTML from a proxy, empty, truncated, invalid UTF-8 — the result is an
`APIError` subclass with the status and a readable message: the decoder is wrapped so that no
other exception can escape.

This is also the one place where a credential echoed by the server (or a proxy in front of it)
is taken out of the error: the request's ``Authorization`` / ``Proxy-Authorization`` credential
is replaced by `REDACTED` in the raw body before the dialect decodes it, and then in every
attribute of the decoded error (message, code, request id, body, field errors, headers). Only
error responses pay for this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import httpx

from talkkit._headers import parse_retry_after, request_id_from
from talkkit._request import context_of
from talkkit._transport_errors import network_errors
from talkkit.errors import APIError, error_class_for_status
from talkkit.typing import Handler

__all__ = [
    "REDACTED",
    "ErrorDecoder",
    "ErrorDecoderMiddleware",
    "credentials_of",
    "decode_error_safely",
]

ErrorDecoder = Callable[[int, Mapping[str, str], bytes], APIError]
"""A platform decoder: ``(status, headers, body bytes) -> APIError``."""

REDACTED = "********"
"""What a credential echoed in an error response is replaced with (as `Secret` shows itself)."""

_CREDENTIAL_HEADERS = ("authorization", "proxy-authorization")
_MIN_SECRET = 6  # shorter "credentials" are no secret, and masking them would garble messages


def decode_error_safely(
    decoder: ErrorDecoder,
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    secrets: Iterable[str] = (),
) -> APIError:
    """
    Run ``decoder``; if it fails in any way, fall back to a generic typed error.

    Every string of ``secrets`` (the credentials the request carried) is replaced by `REDACTED`
    in the body before decoding (so that no snippet or truncation keeps part of one) and in
    every attribute of the resulting error (so that escaped forms in JSON are caught too).
    """
    # Longest first, so that a secret containing another is masked whole.
    masked = tuple(sorted({s for s in secrets if len(s) >= _MIN_SECRET}, key=len, reverse=True))
    for secret in masked:
        content = content.replace(secret.encode(), REDACTED.encode())
    try:
        error = decoder(status, headers, content)
    except Exception as exc:
        text = content[:200].decode("utf-8", "replace").strip()
        error = error_class_for_status(status)(
            f"HTTP {status}" + (f": {text}" if text else "") + f" (undecodable: {exc})",
            status=status,
            body=text or None,
        )
    if error.retry_after is None:
        error.retry_after = parse_retry_after(headers)
    if error.request_id is None:
        error.request_id = request_id_from(headers)
    error.headers = headers
    if masked:
        _redact_error(error, masked)
    return error


def credentials_of(request: httpx.Request) -> tuple[str, ...]:
    """The credentials a request carries: its auth headers' values without the scheme."""
    found: list[str] = []
    for name in _CREDENTIAL_HEADERS:
        for value in request.headers.get_list(name):
            scheme, _, credential = value.strip().partition(" ")
            found.append(credential.strip() or scheme)
    return tuple(found)


def _redact_error(error: APIError, secrets: tuple[str, ...]) -> None:
    for name, value in list(vars(error).items()):
        try:
            redacted = _redact(value, secrets)
        except RecursionError:  # a body nested too deep to walk: keep none of it
            redacted = REDACTED
        if redacted is not value:
            setattr(error, name, redacted)
    error.args = tuple(_redact(arg, secrets) for arg in error.args)


def _redact(value: Any, secrets: tuple[str, ...]) -> Any:
    """``value`` with every secret masked, through dicts, lists, tuples and headers."""
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, httpx.Headers):
        items = [(_redact(k, secrets), _redact(v, secrets)) for k, v in value.multi_items()]
        if items == value.multi_items():
            return value
        return httpx.Headers(items, encoding=value.encoding)
    if isinstance(value, Mapping):
        return {_redact(k, secrets): _redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(item, secrets) for item in value]
    if isinstance(value, tuple):
        return tuple(_redact(item, secrets) for item in value)
    return value


class ErrorDecoderMiddleware:
    """Raise the platform's typed error for any status >= 400, without the request's credential."""

    __slots__ = ("decoder", "platform")

    def __init__(self, decoder: ErrorDecoder, platform: str) -> None:
        self.decoder = decoder
        self.platform = platform

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        response = await call_next(request)
        if response.status_code < 400:
            return response
        ctx = context_of(request)
        if ctx.stream:  # the error body was not read yet: a drop while reading it is ours
            try:
                with network_errors(request):
                    await response.aread()
            finally:
                await response.aclose()
        error = decode_error_safely(
            self.decoder,
            response.status_code,
            response.headers,
            response.content,
            secrets=credentials_of(request),
        )
        if error.request_id is None:
            error.request_id = ctx.request_id
        error.platform = self.platform
        error.method = request.method
        error.url = str(request.url.copy_with(query=None))
        raise error
