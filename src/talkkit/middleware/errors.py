"""
Layer 5 (innermost, per attempt): non-2xx responses become typed exceptions.

Each platform has its own error dialect; the client passes its decoder here. Whatever the body
— JSON of any shape, HTML from a proxy, empty, truncated, invalid UTF-8 — the result is an
`APIError` subclass with the status and a readable message: the decoder is wrapped so that no
other exception can escape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import httpx

from talkkit._headers import parse_retry_after, request_id_from
from talkkit._request import context_of
from talkkit._transport import translate_transport_error
from talkkit.errors import APIError, error_class_for_status
from talkkit.typing import Handler

__all__ = ["ErrorDecoder", "ErrorDecoderMiddleware", "decode_error_safely"]

ErrorDecoder = Callable[[int, Mapping[str, str], bytes], APIError]
"""A platform decoder: ``(status, headers, body bytes) -> APIError``."""


def decode_error_safely(
    decoder: ErrorDecoder, status: int, headers: Mapping[str, str], content: bytes
) -> APIError:
    """Run ``decoder``; if it fails in any way, fall back to a generic typed error."""
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
    return error


class ErrorDecoderMiddleware:
    """Raise the platform's typed error for any status >= 400."""

    __slots__ = ("decoder", "platform")

    def __init__(self, decoder: ErrorDecoder, platform: str) -> None:
        self.decoder = decoder
        self.platform = platform

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        response = await call_next(request)
        if response.status_code < 400:
            return response
        ctx = context_of(request)
        if ctx.stream:
            try:
                await response.aread()
            except httpx.TransportError as exc:
                raise translate_transport_error(exc, request) from exc
            finally:
                await response.aclose()
        error = decode_error_safely(
            self.decoder, response.status_code, response.headers, response.content
        )
        if error.request_id is None:
            error.request_id = ctx.request_id
        error.platform = self.platform
        error.method = request.method
        error.url = str(request.url.copy_with(query=None))
        raise error
