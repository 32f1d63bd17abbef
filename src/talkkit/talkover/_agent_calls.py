"""Placing an agent's calls and listing them (mixed into `Agents`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit.pagination import AsyncPaginator, page_paginator
from talkkit.talkover import _agent_fields as spec
from talkkit.talkover import _fields as f
from talkkit.talkover.calls import _history_params
from talkkit.talkover.types import Call, CallStatus, Direction, PlacedCall

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["AgentCallsMixin"]


class AgentCallsMixin(Resource):
    """``POST /agents/{id}/call`` and ``GET /agents/{id}/calls``, kept apart from settings."""

    _client: AsyncTalkover

    async def call(
        self,
        agent_id: str,
        *,
        phone_number: str,
        payload: Mapping[str, object] | None = None,
        context: Mapping[str, object] | None = None,
        delay_seconds: int | None = None,
        is_testing: bool | None = None,
    ) -> PlacedCall:
        """
        ``POST /agents/{agent_id}/call``: place one outbound call to ``phone_number``.

        **Unsafe: it is never sent twice.** talkkit retries it only when the failure proves
        the server did not take it (connection refused, 429, 503 with Retry-After). Any other
        failure after sending raises `OutcomeUnknownError`: the call may be ringing. Do not
        call again blindly; look for it with
        ``client.calls.list(agent_id=..., phone_number=...)`` first.

        Args:
            phone_number: E.164 (``+14155550123``); sent as ``to``.
            payload: Values for the agent prompt's placeholders.
            context: Your metadata, echoed in every webhook of this call (not spoken).
            delay_seconds: Wait 0 to 3600 seconds before dialing.
            is_testing: Free test call, excluded from analytics.

        Raises:
            InvalidRequestError: Bad number or argument (nothing is sent).
            OutcomeUnknownError: The call may or may not have been placed.
        """
        values: dict[str, object] = {
            "to": f.phone("phone_number", phone_number),
            "payload": payload,
        }
        values.update(context=context, delay_seconds=delay_seconds, is_testing=is_testing)
        return await self._client.request_model(
            "POST",
            f"/agents/{f.path_id('agent_id', agent_id)}/call",
            PlacedCall,
            json=f.build(spec.CALL, values),
            safety=Safety.UNSAFE,
        )

    def calls(
        self,
        agent_id: str,
        *,
        status: CallStatus | str | None = None,
        direction: Direction | str | None = None,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        search: str | None = None,
        phone_number: str | None = None,
        per_page: int = 20,
        max_items: int | None = None,
    ) -> AsyncPaginator[Call]:
        """
        ``GET /agents/{agent_id}/calls``: this agent's calls, newest first, all pages
        (``pagination`` block; the calls carry no ``agent``). Filters as `Calls.list`.
        """
        params = _history_params(
            status=status,
            direction=direction,
            agent_id=None,
            date_from=date_from,
            date_to=date_to,
            search=search,
            phone_number=phone_number,
        )
        path = f"/agents/{f.path_id('agent_id', agent_id)}/calls"
        return page_paginator(
            self._client,
            path,
            Call,
            params=params,
            per_page=f.per_page(per_page),
            max_items=max_items,
        )
