"""Talkory queries: start, run, retrieve, wait, list, consensus."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import anyio
import httpx

from talkkit._request import Safety
from talkkit._resource import Resource
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


def _body(
    prompt: str,
    models: Sequence[str] | None,
    country: str | None,
    recursive: bool | None,
    consensus: bool | None,
) -> dict[str, Any]:
    if not isinstance(prompt, str) or not prompt.strip():
        raise InvalidRequestError("prompt", "must be a non-empty string", value=prompt)
    if models is not None:
        if isinstance(models, str) or not all(isinstance(m, str) and m for m in models):
            raise InvalidRequestError("models", "must be a list of model ids", value=models)
        if not 1 <= len(models) <= MAX_MODELS:
            raise InvalidRequestError("models", f"give 1 to {MAX_MODELS} model ids", value=models)
    body: dict[str, Any] = {"prompt": prompt}
    for key, value in (
        ("models", list(models) if models is not None else None),
        ("country", country),
        ("recursive", recursive),
        ("consensus", consensus),
    ):
        if value is not None:
            body[key] = value
    return body


class Queries(Resource):
    """
    Multi-LLM query runs. Starting a run is paid and **unsafe**: talkkit never re-sends it
    after it may have reached the server; recover with `retrieve` instead.
    """

    _client: AsyncTalkory

    async def create(
        self,
        prompt: str,
        *,
        models: Sequence[str] | None = None,
        country: str | None = None,
        recursive: bool | None = None,
        consensus: bool | None = None,
    ) -> QueryStarted:
        """``POST /v1/query`` (``stream: false``): start a run in the background (paid)."""
        body = _body(prompt, models, country, recursive, consensus)
        body["stream"] = False
        return await self._client.request_model(
            "POST", "/v1/query", QueryStarted, json=body, safety=Safety.UNSAFE
        )

    def stream(
        self,
        prompt: str,
        *,
        models: Sequence[str] | None = None,
        country: str | None = None,
        recursive: bool | None = None,
        consensus: bool | None = None,
    ) -> QueryStream:
        """
        ``POST /v1/query`` (``stream: true``): a run whose events arrive as they happen (paid).

        Use ``async with client.queries.stream("...") as stream: async for event in stream:``.
        If the connection drops after the run started, `StreamInterruptedError` carries the
        query id (``resource_id``) for `retrieve`; the run is never started twice.
        """
        body = _body(prompt, models, country, recursive, consensus)
        body["stream"] = True
        return QueryStream(self._client, body)

    async def run(
        self,
        prompt: str,
        *,
        models: Sequence[str] | None = None,
        country: str | None = None,
        recursive: bool | None = None,
        consensus: bool | None = None,
    ) -> Query:
        """``POST /v1/query/sync``: run and wait for the result (paid; up to 600 s)."""
        body = _body(prompt, models, country, recursive, consensus)
        return await self._client.request_model(
            "POST", "/v1/query/sync", Query, json=body, safety=Safety.UNSAFE, timeout=SYNC_TIMEOUT
        )

    async def retrieve(self, query_id: str) -> Query:
        """``GET /v1/queries/{id}`` (free); ``status`` is ``running`` until it finishes."""
        return await self._client.request_model("GET", f"/v1/queries/{_id(query_id)}", Query)

    async def wait(
        self,
        query_id: str,
        *,
        poll_interval: float = 2.0,
        max_interval: float = 10.0,
        timeout: float = 900.0,
    ) -> Query:
        """
        Poll `retrieve` until the run is done (2 s, x1.5 per poll, at most 10 s apart).

        Raises:
            APITimeoutError: Still running after ``timeout`` seconds (the run goes on).
        """
        delay = poll_interval
        with anyio.move_on_after(timeout):
            while True:
                query = await self.retrieve(query_id)
                if query.done:
                    return query
                await anyio.sleep(delay)
                delay = min(delay * 1.5, max_interval)
        raise APITimeoutError(
            f"query {query_id} still running after {timeout:g}s (it goes on server-side)",
            request_sent=True,
        )

    def list(
        self, *, limit: int = 100, max_items: int | None = None
    ) -> AsyncPaginator[QuerySummary]:
        """``GET /v1/queries``: the history, newest first, across all pages (free)."""
        if not 1 <= limit <= 100:
            raise InvalidRequestError("limit", "must be between 1 and 100", value=limit)

        return cursor_paginator(
            self._client,
            "/v1/queries",
            QuerySummary,
            items_key="queries",
            limit=limit,
            max_items=max_items,
        )

    async def consensus(self, query_id: str) -> Consensus:
        """``POST /v1/queries/{id}/consensus``: idempotent; repeats return the cached result."""
        return await self._client.request_model(
            "POST", f"/v1/queries/{_id(query_id)}/consensus", Consensus, safety=Safety.IDEMPOTENT
        )


def _id(query_id: str) -> str:
    if not isinstance(query_id, str) or not query_id.strip() or "/" in query_id:
        raise InvalidRequestError("query_id", "must be a non-empty id without '/'", value=query_id)
    return query_id.strip()
