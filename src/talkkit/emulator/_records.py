"""Records of what the emulator saw: the request log, the calls it placed and how they end."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

__all__ = ["CallFate", "LoggedRequest", "PlacedCall", "token_hash"]


def token_hash(token: str) -> str:
    """
    Return the short, stable hash under which the emulator logs a credential.

    Args:
        token: The bearer token or API key as sent by the client.

    Returns:
        The first 16 hex digits of the token's SHA-256.
    """
    return hashlib.sha256(token.encode()).hexdigest()[:16]


@attrs.frozen(kw_only=True)
class LoggedRequest:
    """
    One request the emulator received for one of the three platforms.

    `status` is the status the application produced; it is `None` when the connection was
    dropped before anything was processed. With a `commit_drop` fault it is the status of the
    response that was committed but never delivered. `fault` names the fault that was applied
    (`"latency"`, `"drop"`, `"commit_drop"`, `"error"`, `"throttle"`, `"stream_drop"`) or is
    `None`.

    The creates that bulk jobs send (Talkturo contacts and companies, Talkover agent calls)
    also say what they were about, so a test can tell per input row what the server did with
    it. `subject` names the natural key the handler read from the body (`"email:…"` lower-cased,
    else `"phone:…"` for a contact; `"name:…"` lower-cased for a company; `"phone:…"` for a
    call) and is `None` when the request never got that far (a fault answered or dropped it
    first, or the body was invalid). `created` is the id of the record the request stored, or
    `None` (refused, invalid, never processed). A `commit_drop` request with `created` set
    stored its record although the client never saw the answer.
    """

    platform: str
    method: str
    path: str
    status: int | None
    token_hash: str | None
    request_id: str | None
    idempotency_key: str | None
    fault: str | None
    at: datetime
    subject: str | None = None
    created: str | None = None


@attrs.frozen(kw_only=True, eq=False)
class PlacedCall:
    """
    A phone call the emulator actually placed (Talkover agent call or campaign call).

    `kind` is `"agent"` or `"campaign"`; `payload` and `context` are as sent. `request_id` and `idempotency_key` repeat the
    `X-Request-Id` and `Idempotency-Key` headers of the request that placed the call, so tests
    can spot duplicates caused by retries.
    """

    kind: str
    call_id: str
    to: str
    agent_id: str | None
    campaign_id: str | None
    is_testing: bool
    payload: Mapping[str, Any] | None
    context: Mapping[str, Any] | None
    request_id: str | None
    idempotency_key: str | None
    at: datetime


@attrs.frozen(kw_only=True)
class CallFate:
    """
    How a placed Talkover call (or Talkturo campaign call) ends: the truth a followed call's
    outcome must match.

    Fixed when the call is placed (seeded; see `Emulator`'s `call_mix`), whether or not the
    call has ended yet; `emu.talkover.complete_calls()` replaces it for the calls it ends. `status` is the final status (`completed`,
    `busy`, `no-answer`, `failed`); `duration` the talk time in whole seconds as the call
    history reports it (0 unless answered; call time, not scaled by `call_time_scale`);
    `ends_at` when the history starts showing the end on the emulator's clock (`None` when
    calls never progress: `call_time_scale=math.inf`).
    """

    call_id: str
    to: str
    agent_id: str | None
    campaign_id: str | None
    status: str
    duration: int
    ends_at: datetime | None
