"""
Talkturo's dialect: ``{"success": false, "error": "..."}`` or ``{"error": "Unauthorized"}``.

Requests are camelCase, resources come back snake_case. No token prefix and no rate limit are
published, and every account has its own domain, so there is no default base URL.
"""

from __future__ import annotations

from collections.abc import Mapping

from talkkit._dialect import Dialect, parse_json_body, str_field, typed_error
from talkkit.errors import APIError

__all__ = ["TALKTURO", "decode_talkturo_error"]

# Talkturo bodies carry a message, not a code: name the code after the status.
_STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    402: "insufficient_credits",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    413: "payload_too_large",
    422: "unprocessable",
    429: "rate_limited",
    500: "server_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}


def decode_talkturo_error(status: int, headers: Mapping[str, str], content: bytes) -> APIError:
    """Decode any Talkturo error response into a typed `APIError`."""
    body = parse_json_body(content)
    message = code = None
    if isinstance(body, dict):
        message = str_field(body, "error") or str_field(body, "message")
        inner = body.get("error")
        if isinstance(inner, dict):  # not documented; tolerate the nested form
            message = str_field(inner, "message") or message
            code = str_field(inner, "code")
        code = code or str_field(body, "code")
    return typed_error(status, body, code=code or _STATUS_CODES.get(status), message=message)


TALKTURO = Dialect(
    name="talkturo",
    token_env="TALKTURO_TOKEN",
    default_base_url=None,
    token_prefixes=(),  # none published (the docs repo shows tk_live_/tk_test_; not enforced)
    decode_error=decode_talkturo_error,
    default_rate_limit=None,  # none published: pace only once a header or a 429 says so
    request_case="camel",
)
