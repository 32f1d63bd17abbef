"""Small helpers every platform handler uses: JSON bodies, timestamps, lookups, responses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse

from talkkit.emulator._errors import ApiError, Dialect, ErrorKind, JSONDict
from talkkit.emulator._validate import Fields

__all__ = ["iso", "lookup", "query_fields", "read_body", "reply", "success"]

T = TypeVar("T")


def iso(moment: datetime, digits: int = 0) -> str:
    """Format a UTC timestamp as ISO 8601 with a `Z`, keeping `digits` fractional digits."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        text += f".{moment.microsecond:06d}"[: digits + 1]
    return text + "Z"


async def read_body(request: Request, dialect: Dialect) -> Fields:
    """Parse a JSON object body (an empty body counts as `{}`) into `Fields`."""
    raw = await request.body()
    if not raw.strip():
        return Fields({})
    try:
        data = json.loads(raw)
    except ValueError:
        raise dialect.error(ErrorKind.INVALID_JSON) from None
    if not isinstance(data, dict):
        raise dialect.error(ErrorKind.INVALID_JSON)
    return Fields(data)


def query_fields(request: Request) -> Fields:
    """The query string as `Fields` (numbers and booleans are parsed from text)."""
    return Fields(dict(request.query_params), from_query=True)


def lookup(store: Mapping[str, T], key: str, missing: ApiError) -> T:
    """Return `store[key]` or raise `missing` (usually a 404 in the platform's words)."""
    try:
        return store[key]
    except KeyError:
        raise missing from None


def reply(body: JSONDict | list[Any], status: int = 200) -> JSONResponse:
    """A JSON response."""
    return JSONResponse(body, status_code=status)


def success(status_code: int = 200, **fields: Any) -> JSONResponse:
    """A `{"success": true, ...}` envelope (Talkturo resource keys, Talkover `data`)."""
    return reply({"success": True, **fields}, status_code)
