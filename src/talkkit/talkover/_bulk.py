"""
Talkover's bulk recipe: dialing, one call per number with one agent.

A row's columns are the fields `Agents.call` declares but ``payload`` (made of the
``custom.<name>`` columns) and ``context`` (a mapping, which no cell holds); ``phone`` names
the number too. Each row is checked by those same fields, naming the column it came from.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from talkkit._fields import fields_of
from talkkit._validate import non_empty
from talkkit.bulk import BulkOperation, Prepared, parse_bool, row_values
from talkkit.errors import InvalidRequestError
from talkkit.talkover._agent_calls import AgentCallsMixin

if TYPE_CHECKING:
    from talkkit._options import RequestOptions
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["DIAL_COLUMNS", "calls_operation"]

_CALL = fields_of(AgentCallsMixin.call)
_NUMBER = "phone_number"
_PHONE = "phone"  # the number's other column name, and the field a bare string is named by
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


def calls_operation(
    client: AsyncTalkover, *, agent_id: str, options: RequestOptions | None = None
) -> BulkOperation[dict[str, Any]]:
    """
    Place Talkover calls. A call has no natural key: one that may have been placed is never
    placed again; it is looked up in the call history instead.
    """
    non_empty("agent_id", agent_id)

    def prepare(item: Any) -> Prepared[dict[str, Any]]:
        values, column = _values(item)
        try:
            payload = _CALL.check(values)
        except InvalidRequestError as exc:
            if exc.field != _NUMBER or column == _NUMBER:
                raise
            raise InvalidRequestError(column, exc.reason, value=exc.value) from None
        return Prepared(f"phone:{payload[_NUMBER]}", payload, resendable=False)

    async def send(payload: dict[str, Any]) -> str | None:
        return (await client.agents.call(agent_id, **payload, **(options or {}))).id

    async def reconcile(item: Prepared[dict[str, Any]], since: float) -> str | None:
        number = item.payload[_NUMBER]
        earliest = datetime.fromtimestamp(since - 120, UTC)  # allow for clock skew
        async for call in client.calls.list(
            agent_id=agent_id, phone_number=number, per_page=100, max_items=500, **(options or {})
        ):
            if call.to == number and (call.created_at is None or call.created_at >= earliest):
                return call.id
        return None

    return BulkOperation(
        name="talkover.calls.dial",
        prepare=prepare,
        send=send,
        idempotent_by_key=False,
        reconcile=reconcile,
        scope={"base_url": client.base_url, "agent_id": agent_id},
    )
