"""
A bulk job's preflight: one request about a setting of the job, its refusal as a
`PreflightError` naming that setting.

Every platform recipe checks its parents this way (the team and company of an import, the
agent of a dial job, the campaign of a campaign dial), so the mapping of an answer to the
setting it blames lives here once: 401 blames the token (whose value is never shown); 403 and
404 blame the setting being checked. Other failures (5xx, no answer) are not about a setting:
they propagate unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from talkkit.errors import (
    APIError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    PreflightError,
)

__all__ = ["check_setting"]

T = TypeVar("T")


def _said(error: APIError) -> str:
    return f"{error.status} {error.message}"


async def check_setting(field: str, value: str, request: Awaitable[T]) -> T:
    """
    Await ``request``, a read about the job's ``field`` setting (``value``).

    Raises:
        PreflightError: ``token`` when the credentials were refused (401); ``field`` when the
            API answered that ``value`` does not exist (404) or is not this token's (403).
    """
    try:
        return await request
    except AuthenticationError as exc:
        raise PreflightError(
            "token", f"was refused by the server ({_said(exc)})", cause=exc
        ) from exc
    except NotFoundError as exc:
        raise PreflightError(field, f"not found ({_said(exc)})", value=value, cause=exc) from exc
    except PermissionDeniedError as exc:
        raise PreflightError(
            field, f"not accessible with this token ({_said(exc)})", value=value, cause=exc
        ) from exc
