"""
Talkover's bulk recipe: dialing, one call per number with one agent.

A row's columns are the fields `Agents.call` declares but ``payload`` (made of the
``custom.<name>`` columns) and ``context`` (a mapping, which no cell holds); ``phone`` names
the number too. Each row is checked by those same fields, naming the column it came from.

Everything the job learns after placing a call comes from the call history (``GET /calls``,
filtered by the agent and a date window): whether an unclear call was placed (``reconcile``)
and how the placed calls ended (``follow``, one walk of the history per poll for all of them).
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from talkkit._fields import fields_of
from talkkit._preflight import check_setting
from talkkit._validate import non_empty
from talkkit.bulk import BulkOperation, CallEnd, Prepared, parse_bool, row_values
from talkkit.errors import (
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PreflightError,
    TalkkitError,
)
from talkkit.talkover._agent_calls import AgentCallsMixin
from talkkit.talkover.types import AgentStatus, CallStatus, PlacedCall

if TYPE_CHECKING:
    from talkkit._options import RequestOptions
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["DIAL_COLUMNS", "FINAL_STATUSES", "calls_operation"]

_CALL = fields_of(AgentCallsMixin.call)
_NUMBER = "phone_number"
_PHONE = "phone"  # the number's other column name, and the field a bare string is named by
_KEY = "phone:"  # a call's key is its number
_HISTORY_PAGE = 100  # the documented maximum ``per_page`` of the call history
_SKEW = 120.0  # seconds of clock difference allowed between us and the server

FINAL_STATUSES = frozenset(
    {CallStatus.COMPLETED, CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.FAILED}
)
"""
The call statuses the API documents that end a call. Any other (``initiated``, ``ringing``,
``answered``, or one the docs do not name) means the call is still live.
"""
DIAL_COLUMNS = (_CALL.names() - {"payload", "context"}) | {_PHONE}
"""
The CSV columns `Calls.dial_many` reads: the fields of `Agents.call` but ``payload`` (the
``custom.<name>`` columns) and ``context``, and ``phone`` for ``phone_number``.
"""


def _whole(field: str, value: Any) -> Any:
    """``"30"`` is 30; other text is left for the field's own check to refuse."""
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    return value


# INFERRED: the code of the 409 a call to a draft agent gets (the reference names none).
_NOT_PUBLISHED = "AGENT_NOT_PUBLISHED"

_PARSE = {"is_testing": parse_bool, "delay_seconds": _whole}


def _values(item: Any) -> tuple[dict[str, Any], str]:
    """The call's values and the column its number came from (``phone`` wins)."""
    if isinstance(item, str):
        return {_NUMBER: item}, _PHONE
    values = row_values(item, DIAL_COLUMNS, parse=_PARSE, custom="payload")
    column = _PHONE if _PHONE in values else _NUMBER
    if _PHONE in values:
        values[_NUMBER] = values.pop(_PHONE)
    if values.get(_NUMBER) is None:
        raise InvalidRequestError(_PHONE, "is required (the number to call)")
    return values, column


def _first_day(moment: float) -> date:
    """
    The ``date_from`` that surely covers calls made since ``moment`` (a Unix time): the day
    before, since the docs do not say in which time zone the server reads the date.
    """
    return (datetime.fromtimestamp(moment, UTC) - timedelta(days=1)).date()


def from_key(key: str) -> str:
    """
    The number a dial job's journal key stands for (``phone:+1…`` → ``+1…``).

    Raises:
        InvalidRequestError: ``key`` is not such a key.
    """
    if not key.startswith(_KEY) or len(key) == len(_KEY):
        raise InvalidRequestError("key", "is not a dial job's key (phone:<number>)", value=key)
    return key[len(_KEY) :]


def calls_operation(
    client: AsyncTalkover, *, agent_id: str, options: RequestOptions | None = None
) -> BulkOperation[dict[str, object]]:
    """
    Place Talkover calls. A call has no natural key: one that may have been placed is never
    placed again; it is looked up in the call history instead.

    Preflight: the agent exists and is published (``GET /agents/{id}``, one request, which
    also checks the token). Follow: the agent's call history since the job's first call,
    newest first, page by page until every call asked about has been seen.
    """
    non_empty("agent_id", agent_id)
    opts: RequestOptions = options or {}
    # The history is read from the day before the earliest call this job placed or looked up.
    earliest: float | None = None
    place: Callable[..., Awaitable[PlacedCall]] = client.agents.call

    def placed_since(moment: float) -> None:
        nonlocal earliest
        if earliest is None or moment < earliest:
            earliest = moment

    def prepare(item: Any) -> Prepared[dict[str, object]]:
        values, column = _values(item)
        try:
            payload = _CALL.check(values)
        except InvalidRequestError as exc:
            if exc.field != _NUMBER or column == _NUMBER:
                raise
            raise InvalidRequestError(column, exc.reason, value=exc.value) from None
        return Prepared(f"{_KEY}{payload[_NUMBER]}", payload, resendable=False)

    async def preflight() -> None:
        agent = await check_setting("agent_id", agent_id, client.agents.get(agent_id, **opts))
        if agent.current_status is not None and agent.current_status != AgentStatus.PUBLISHED:
            raise PreflightError(
                "agent_id",
                f"is not published (it is {agent.current_status}): it takes no new calls",
                value=agent_id,
            )

    async def send(payload: dict[str, object]) -> str | None:
        placed_since(time.time())
        return (await place(agent_id, **payload, **opts)).id

    async def reconcile(item: Prepared[dict[str, object]], since: float) -> str | None:
        placed_since(since)
        number = str(item.payload[_NUMBER])
        start = datetime.fromtimestamp(since - _SKEW, UTC)
        found = client.calls.list(
            agent_id=agent_id,
            phone_number=number,
            date_from=_first_day(since - _SKEW),
            per_page=_HISTORY_PAGE,
            max_items=500,
            **opts,
        )
        async for call in found:
            if call.to == number and (call.created_at is None or call.created_at >= start):
                return call.id
        return None

    async def follow(ids: Sequence[str]) -> dict[str, CallEnd]:
        live = set(ids)
        ended: dict[str, CallEnd] = {}
        if not live:
            return ended
        history = client.calls.list(
            agent_id=agent_id,
            date_from=None if earliest is None else _first_day(earliest - _SKEW),
            per_page=_HISTORY_PAGE,
            **opts,
        )
        async for call in history:  # newest first: the calls of this job come early
            if call.id not in live:
                continue
            live.discard(call.id)
            if call.status in FINAL_STATUSES:
                duration = None if call.duration is None else float(call.duration)
                ended[call.id] = CallEnd(status=str(call.status), duration=duration)
            if not live:
                break
        return ended

    def stops_job(item: Prepared[dict[str, Any]], error: TalkkitError) -> bool:
        # Every call of the job goes through its one agent: a missing or unpublished agent
        # refuses them all (409 AGENT_NOT_PUBLISHED is not "the call exists").
        return isinstance(error, NotFoundError) or (
            isinstance(error, ConflictError) and error.code == _NOT_PUBLISHED
        )

    return BulkOperation(
        name="talkover.calls.dial",
        prepare=prepare,
        send=send,
        idempotent_by_key=False,
        reconcile=reconcile,
        scope={"base_url": client.base_url, "agent_id": agent_id},
        preflight=preflight,
        follow=follow,
        from_key=from_key,
        stops_job=stops_job,
        starts_together=client._starts_together,
    )
