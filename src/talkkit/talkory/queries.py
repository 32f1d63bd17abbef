"""Talkory queries: start, run, retrieve, wait, list, consensus."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Unpack

import anyio
import httpx

from talkkit._fields import Doc, Field
from talkkit._options import ExtraOptions, RequestOptions, UnsafeRequestOptions
from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit._validate import flag, integer, non_empty, path_id, text
from talkkit.errors import APITimeoutError, InvalidRequestError
from talkkit.pagination import AsyncPaginator, cursor_paginator
from talkkit.talkory._stream import QueryStream
from talkkit.talkory.types import Consensus, Query, QueryStarted, QuerySummary

if TYPE_CHECKING:
    from talkkit.talkory._client import AsyncTalkory

__all__ = ["Queries"]

# The API documents runs of several minutes: the SDK it publishes waits 600 s for /query/sync.
SYNC_TIMEOUT = httpx.Timeout(30.0, read=600.0)
MAX_MODELS = 10
MAX_PAGE = 100


def _model_ids(field: str, value: object) -> list[str]:
    """1 to `MAX_MODELS` model ids (a bare string is refused, not split)."""
    if (
        isinstance(value, str)
        or not isinstance(value, Sequence)
        or not all(isinstance(m, str) and m for m in value)
    ):
        raise InvalidRequestError(field, "must be a list of model ids", value=value)
    if not 1 <= len(value) <= MAX_MODELS:
        raise InvalidRequestError(field, f"give 1 to {MAX_MODELS} model ids", value=value)
    return list(value)


# The fields of a run, the same for create, stream and run (``None``: not sent).
Prompt = Annotated[str, Doc("The question."), Field(non_empty)]
ModelIds = Annotated[
    Sequence[str] | None,
    Doc("1 to 10 model ids from `Models.list` (default: the server's set)."),
    Field(_model_ids),
]
Country = Annotated[str | None, Doc("Localisation, e.g. ``in``."), Field(text())]
Recursive = Annotated[
    bool | None, Doc("A second round of self-review before the consensus."), Field(flag)
]
WithConsensus = Annotated[
    bool | None,
    Doc("``False`` skips the consensus now (cheaper); `consensus` makes it later."),
    Field(flag),
]


class Queries(Resource):
    """
    Multi-LLM query runs. Starting a run is paid and **unsafe**: talkkit never re-sends it
    after it may have reached the server; recover with `retrieve` instead.
    """

    _client: AsyncTalkory

    async def create(
        self,
        prompt: Prompt,
        *,
        models: ModelIds = None,
        country: Country = None,
        recursive: Recursive = None,
        consensus: WithConsensus = None,
        **options: Unpack[UnsafeRequestOptions],
    ) -> QueryStarted:
        """``POST /v1/query`` (``stream: false``): start a run in the background (paid)."""
        body = {**self._client.fields(Queries.create, locals()), "stream": False}
        return await self._client.request_model(
            "POST", "/v1/query", QueryStarted, json=body, safety=Safety.UNSAFE, options=options
        )

    def stream(
        self,
        prompt: Prompt,
        *,
        models: ModelIds = None,
        country: Country = None,
        recursive: Recursive = None,
        consensus: WithConsensus = None,
        **options: Unpack[UnsafeRequestOptions],
    ) -> QueryStream:
        """
        ``POST /v1/query`` (``stream: true``): a run whose events arrive as they happen (paid).

        Use ``async with client.queries.stream("...") as stream: async for event in stream:``.
        If the connection drops after the run started, `StreamInterruptedError` carries the
        query id (``resource_id``) for `retrieve`; the run is never started twice.
        """
        body = {**self._client.fields(Queries.stream, locals()), "stream": True}
        return QueryStream(self._client, body, options)

    async def run(
        self,
        prompt: Prompt,
        *,
        models: ModelIds = None,
        country: Country = None,
        recursive: Recursive = None,
        consensus: WithConsensus = None,
        **options: Unpack[UnsafeRequestOptions],
    ) -> Query:
        """``POST /v1/query/sync``: run and wait for the result (paid; up to 600 s)."""
        body = self._client.fields(Queries.run, locals())
        return await self._client.request_model(
            "POST",
            "/v1/query/sync",
            Query,
            json=body,
            safety=Safety.UNSAFE,
            timeout=SYNC_TIMEOUT,
            options=options,
        )

    async def retrieve(self, query_id: str, **options: Unpack[RequestOptions]) -> Query:
        """``GET /v1/queries/{id}`` (free); ``status`` is ``running`` until it finishes."""
        return await self._client.request_model(
            "GET", f"/v1/queries/{path_id('query_id', query_id)}", Query, options=options
        )

    async def wait(
        self,
        query_id: str,
        *,
        poll_interval: float = 2.0,
        max_interval: float = 10.0,
        timeout: float = 900.0,
        **options: Unpack[ExtraOptions],
    ) -> Query:
        """
        Poll `retrieve` until the run is done (2 s, x1.5 per poll, at most 10 s apart).

        Raises:
            APITimeoutError: Still running after ``timeout`` seconds (the run goes on).

        ``timeout`` bounds the whole wait; the options (`ExtraOptions`) go with every poll.
        """
        delay = poll_interval
        with anyio.move_on_after(timeout):
            while True:
                query = await self.retrieve(query_id, **options)
                if query.done:
                    return query
                await anyio.sleep(delay)
                delay = min(delay * 1.5, max_interval)
        raise APITimeoutError(
            f"query {query_id} still running after {timeout:g}s (it goes on server-side)",
            request_sent=True,
        )

    def list(
        self, *, limit: int = 100, max_items: int | None = None, **options: Unpack[RequestOptions]
    ) -> AsyncPaginator[QuerySummary]:
        """``GET /v1/queries``: the history, newest first, across all pages (free)."""
        return cursor_paginator(
            self._client,
            "/v1/queries",
            QuerySummary,
            limit=integer(1, MAX_PAGE)("limit", limit),
            max_items=max_items,
            options=options,
        )

    async def consensus(self, query_id: str, **options: Unpack[RequestOptions]) -> Consensus:
        """``POST /v1/queries/{id}/consensus``: idempotent; repeats return the cached result."""
        return await self._client.request_model(
            "POST",
            f"/v1/queries/{path_id('query_id', query_id)}/consensus",
            Consensus,
            safety=Safety.IDEMPOTENT,
            options=options,
        )
