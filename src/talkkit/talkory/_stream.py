"""Streaming a Talkory query: server-sent events as typed `QueryEvent` records."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, Self

import anyio
import attrs
import httpx

from talkkit._request import Safety
from talkkit._sse import iter_sse
from talkkit._transport_errors import network_errors
from talkkit.errors import APIConnectionError, DecodeError, StreamInterruptedError, TalkkitError
from talkkit.middleware.errors import credentials_of, decode_error_safely
from talkkit.talkory._base import TalkoryModel
from talkkit.talkory._dialect import decode_talkory_error, stream_error_response
from talkkit.talkory.types import ModelResult, Query

if TYPE_CHECKING:
    from talkkit._options import ExtraOptions
    from talkkit.talkory._client import AsyncTalkory

__all__ = ["QueryEvent", "QueryStream"]

# The server pings every 15 s; 60 s of silence means the connection is dead (as the official
# SDK assumes).
STREAM_TIMEOUT = httpx.Timeout(30.0, read=60.0)
DRAIN_SECONDS = 2.0


@attrs.frozen(kw_only=True)
class QueryEvent(TalkoryModel):
    """
    One event of a streamed query.

    Attributes:
        type: ``query_created``, ``model_stream_start``, ``model_chunk``, ``model_result``,
            ``model_error``, ``round1_done``, ``round2_start``, ``round2_done``,
            ``consensus_start``, ``done`` — or a type this version does not know yet.
        query_id: On ``query_created`` (and ``done``): the run's id.
        model_id: On per-model events.
        chunk: On ``model_chunk``: a text delta.
        result: On ``model_result``: that model's answer.
        query: On ``done``: the full result.
        error: On ``model_error``: what went wrong for that model.
        data: The event as sent.
    """

    type: str
    query_id: str | None = None
    model_id: str | None = None
    chunk: str | None = None
    result: ModelResult | None = None
    query: Query | None = None
    error: str | None = None
    data: dict[str, Any] = attrs.field(factory=dict, repr=False)


class QueryStream:
    """
    A streamed run. Use as ``async with client.queries.stream(...) as stream: async for ev in
    stream``. `query_id` is known from the first event on; if the stream drops before ``done``
    `StreamInterruptedError` carries it, so ``await client.queries.retrieve(err.resource_id)``
    recovers the result without paying for a second run.
    """

    def __init__(
        self, client: AsyncTalkory, body: dict[str, Any], options: ExtraOptions | None = None
    ) -> None:
        self._client = client
        self._body = body
        self._options = options
        self._response: httpx.Response | None = None
        self._iterator: AsyncGenerator[QueryEvent, None] | None = None
        self.query_id: str | None = None
        self.result: Query | None = None

    async def __aenter__(self) -> Self:
        self._response = await self._client.request(
            "POST",
            "/v1/query",
            json=self._body,
            headers={"Accept": "text/event-stream"},
            safety=Safety.UNSAFE,
            timeout=STREAM_TIMEOUT,
            stream=True,
            options=self._options,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._iterator is not None:
            await self._iterator.aclose()  # deterministic cleanup: trio forbids leaving it to GC
        if self._response is not None:
            await self._response.aclose()

    def __aiter__(self) -> AsyncIterator[QueryEvent]:
        if self._response is None:
            raise RuntimeError("use 'async with client.queries.stream(...) as stream'")
        if self._iterator is None:
            self._iterator = self._events(self._response)
        return self._iterator

    async def _events(self, response: httpx.Response) -> AsyncGenerator[QueryEvent]:
        failure: Exception | None = None
        try:
            events = iter_sse(response)
            with network_errors(response.request):  # a drop is an APIConnectionError
                async with aclosing(events):
                    async for sse in events:
                        if sse.data.strip() == "[DONE]":
                            break
                        try:
                            event = self._decode(sse.data)
                        except TalkkitError as exc:  # an 'error' event, or an undecodable one
                            failure = exc
                            break
                        yield event
                        if event.type == "done":
                            break
                    # Read on to the end of the body (bounded): every generator in httpx's
                    # reading chain then finishes normally instead of being left to the GC.
                    with anyio.move_on_after(DRAIN_SECONDS):
                        async for _ in events:
                            pass
        except APIConnectionError as exc:
            if failure is None and self.result is None:
                raise self._interrupted(f"the stream dropped ({exc})") from exc
        if failure is not None:
            raise failure
        if self.result is None:
            raise self._interrupted("the stream ended before its 'done' event")

    def _interrupted(self, why: str) -> StreamInterruptedError:
        where = (
            f"; the run goes on: retrieve query {self.query_id} instead of starting it again"
            if self.query_id
            else "; no query id was received, so it is unknown whether a run started"
        )
        return StreamInterruptedError(why + where, resource_id=self.query_id)

    def _decode(self, text: str) -> QueryEvent:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise DecodeError(f"a stream event is not JSON: {text[:80]!r}", path="$") from exc
        except RecursionError as exc:  # json.loads recurses once per level of nesting
            raise DecodeError(
                f"a stream event is nested too deeply to decode: {text[:80]!r}", path="$"
            ) from exc
        if not isinstance(data, dict):
            raise DecodeError("a stream event is not a JSON object", path="$")
        kind = str(data.get("type", "unknown"))
        if kind == "error":  # fatal, with the API's error object (nested or flat)
            status, body = stream_error_response(data)
            secrets = () if self._response is None else credentials_of(self._response.request)
            raise decode_error_safely(decode_talkory_error, status, {}, body, secrets=secrets)
        structure = self._client.structure
        event = QueryEvent(
            type=kind,
            query_id=_str(data.get("id")) if kind in ("query_created", "done") else None,
            model_id=_str(data.get("modelId")),
            chunk=_str(data.get("chunk")),
            result=structure(data, ModelResult) if kind == "model_result" else None,
            query=structure(data.get("query", data), Query) if kind == "done" else None,
            error=_str(data.get("error")),
            data=data,
        )
        if event.query_id and self.query_id is None:
            self.query_id = event.query_id
        if event.query is not None:
            self.result = event.query
        return event


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
