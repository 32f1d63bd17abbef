"""A request or webhook body read as one JSON object, or a typed `DecodeError` saying why."""

from __future__ import annotations

import json
from typing import Any

from talkkit.errors import DecodeError

__all__ = ["json_object"]


def json_object(body: bytes, error: type[DecodeError] = DecodeError) -> dict[str, Any]:
    """
    ``body`` as a JSON object.

    Args:
        body: The raw bytes.
        error: The `DecodeError` subclass to raise.

    Raises:
        DecodeError: (``error``) Not UTF-8, not JSON, or not an object.
    """
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise error("webhook body is not UTF-8") from exc
    except (ValueError, RecursionError) as exc:
        raise error("webhook body is not JSON") from exc
    if not isinstance(data, dict):
        raise error(f"webhook body is a JSON {type(data).__name__}, not an object")
    return data
