"""
A platform dialect: everything the core needs to know about one API, as data.

The core and the middleware know nothing platform-specific; each client class names its dialect.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

import attrs

from talkkit._config import RateLimit
from talkkit._converter import WireCase
from talkkit.errors import APIError, DecodeError, error_class_for_status

__all__ = ["Dialect", "fallback_message", "parse_json_body", "str_field", "typed_error"]


@attrs.frozen(kw_only=True)
class Dialect:
    """
    How one platform speaks.

    Attributes:
        name: Lower-case platform name (``"talkory"``), used in errors and limiter keys.
        token_env: Env var holding the token.
        default_base_url: ``None`` when every account has its own domain.
        token_prefixes: Documented token prefixes (empty: no check).
        decode_error: ``(status, headers, body) -> APIError``.
        default_rate_limit: The documented per-key limit, if any.
        rate_limit_period: The window a bare ``X-RateLimit-Limit`` number refers to.
    """

    name: str
    token_env: str
    default_base_url: str | None
    token_prefixes: tuple[str, ...]
    decode_error: Callable[[int, Mapping[str, str], bytes], APIError]
    default_rate_limit: RateLimit | None
    rate_limit_period: float = 60.0
    envelope_key: str | None = None
    """Where a success body keeps its payload when a call names no key (Talkover: ``data``)."""
    request_case: WireCase = "snake"
    """How request bodies and queries spell field names (Talkturo and Talkory: camelCase)."""

    @property
    def display_name(self) -> str:
        """The platform's name for messages (``"Talkory"``)."""
        return self.name.capitalize()

    @property
    def base_url_env(self) -> str:
        """The env var overriding the base URL (``TALKORY_BASE_URL``)."""
        return f"{self.name.upper()}_BASE_URL"

    def unwrap(self, body: Any, key: str | None) -> Any:
        """
        The payload of a success body: ``body[key]``, else ``body[envelope_key]``, else ``body``.

        Raises:
            DecodeError: The body is not an object or lacks the key.
        """
        key = key or self.envelope_key
        if key is None:
            return body
        if not isinstance(body, dict) or key not in body:
            shown = (
                type(body).__name__ if not isinstance(body, dict) else f"keys {sorted(body)[:8]}"
            )
            raise DecodeError(
                f"{self.display_name} answered without the expected {key!r} ({shown})",
                path=f"$.{key}",
            )
        return body[key]


def parse_json_body(content: bytes) -> Any:
    """The body as JSON, its text when not JSON, ``None`` when empty. Never raises."""
    if not content.strip():
        return None
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        return content.decode("utf-8", "replace")


def str_field(mapping: Mapping[str, Any], key: str) -> str | None:
    """``mapping[key]`` if it is a non-empty string (numbers are stringified)."""
    value = mapping.get(key)
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def fallback_message(status: int, body: Any) -> str:
    """A readable message for a body that named none."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    base = f"HTTP {status} {phrase}"
    if isinstance(body, str):
        text = body.strip()
        if text.startswith("<"):
            return (
                f"{base} (an HTML page, {len(text)} characters: probably from a proxy or gateway)"
            )
        snippet = " ".join(text.split())[:200]
        return f"{base}: {snippet}" if snippet else base
    return base


def typed_error(
    status: int,
    body: Any,
    *,
    code: str | None,
    message: str | None,
    codes: Mapping[str, type[APIError]] | None = None,
    request_id: str | None = None,
    errors: Mapping[str, list[str]] | None = None,
) -> APIError:
    """
    The error a decoded response stands for: the class its ``code`` names in ``codes``, else
    its status's class; `fallback_message` when the body named no message.
    """
    cls = (codes or {}).get(code or "") or error_class_for_status(status)
    return cls(
        message or fallback_message(status, body),
        status=status,
        code=code,
        request_id=request_id,
        body=body,
        errors=errors,
    )
