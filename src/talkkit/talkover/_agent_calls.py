"""Placing an agent's calls and listing them (mixed into `Agents`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Unpack

from talkkit._options import RequestOptions, UnsafeRequestOptions
from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit.pagination import AsyncPaginator
from talkkit.talkover import _fields as f
from talkkit.talkover._fields import Doc, Field
from talkkit.talkover.types import Call, PlacedCall

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
        phone_number: f.Callee,
        payload: f.CallPayload = None,
        context: f.CallContext = None,
        delay_seconds: Annotated[
            int | None, Doc("Wait 0 to 3600 seconds before dialing."), Field(f.integer(0, 3600))
        ] = None,
        is_testing: f.IsTesting = None,
        **options: Unpack[UnsafeRequestOptions],
    ) -> PlacedCall:
        """
        ``POST /agents/{agent_id}/call``: place one outbound call to ``phone_number``.

        **Unsafe: it is never sent twice.** talkkit retries it only when the failure proves
        the server did not take it (connection refused, 429, 503 with Retry-After). Any other
        failure after sending raises `OutcomeUnknownError`: the call may be ringing. Do not
        call again blindly; look for it with
        ``client.calls.list(agent_id=..., phone_number=...)`` first.

        Raises:
            InvalidRequestError: Bad number or argument (nothing is sent).
            OutcomeUnknownError: The call may or may not have been placed.
        """
        return await self._client.request_model(
            "POST",
            f"/agents/{f.path_id('agent_id', agent_id)}/call",
            PlacedCall,
            json=self._client.fields(AgentCallsMixin.call, locals()),
            safety=Safety.UNSAFE,
            options=options,
        )

    def calls(
        self,
        agent_id: str,
        *,
        status: f.CallStatusFilter = None,
        direction: f.DirectionFilter = None,
        date_from: f.DateFrom = None,
        date_to: f.DateTo = None,
        search: f.CallSearch = None,
        phone_number: f.NumberFilter = None,
        per_page: f.PerPage = 20,
        max_items: f.MaxItems = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Call]:
        """
        ``GET /agents/{agent_id}/calls``: this agent's calls, newest first, all pages
        (``pagination`` block; the calls carry no ``agent``). Filters as `Calls.list`.
        """
        f.one_search(search, phone_number)
        path = f"/agents/{f.path_id('agent_id', agent_id)}/calls"
        return f.pages(self._client, path, Call, AgentCallsMixin.calls, locals())
