"""Delivery headers from any mapping, looked up in any case."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from talkkit.errors import WebhookSignatureError

__all__ = ["find_header", "lowered"]


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("latin-1")  # HTTP header bytes, as ASGI servers give them
    return None


def lowered(headers: Mapping[Any, Any]) -> dict[str, str]:
    """
    The headers as ``{lower-case name: value}``.

    Accepts a plain dict in any case, ``httpx.Headers``, Starlette's ``Headers`` or any other
    mapping; ``bytes`` names and values (raw ASGI pairs) are read as Latin-1. A value that is
    neither text nor bytes counts as absent.
    """
    result: dict[str, str] = {}
    for name, value in headers.items():
        key, text = _text(name), _text(value)
        if key is not None and text is not None:
            result[key.lower()] = text  # a repeated name: the last one counts
    return result


def find_header(lowered: dict[str, str], names: Sequence[str]) -> tuple[str, str]:
    """
    The first of ``names`` present, and its value.

    Raises:
        WebhookSignatureError: ``reason="missing_header"``: none is present.
    """
    for name in names:
        value = lowered.get(name.lower())
        if value is not None:
            return name, value
    raise WebhookSignatureError(f"missing {' or '.join(names)} header", reason="missing_header")
