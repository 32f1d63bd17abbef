"""Streaming a Talkory query: typed events, the error event, and a dropped stream."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
import respx

from talkkit import (
    APIConnectionError,
    APIError,
    AsyncTalkory,
    PaymentRequiredError,
    StreamInterruptedError,
)
from talkkit.talkory import QueryEvent

from ..conftest import TALKORY_TEST_KEY
from .helpers import consume

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., AsyncTalkory]


class EventBytes(httpx.AsyncByteStream):
    """An SSE body delivered chunk by chunk, optionally dropping the connection at the end."""

    def __init__(self, chunks: list[bytes], *, drop: bool = False) -> None:
        self.chunks = chunks
        self.drop = drop

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        if self.drop:
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body"
            )


def sse(*events: object) -> list[bytes]:
    out = []
    for event in events:
        data = event if isinstance(event, str) else json.dumps(event)
        out.append(f"data: {data}\n\n".encode())
    return out


RESULT = {
    "modelId": "gpt",
    "name": "GPT",
    "provider": "openai",
    "score": 8.5,
    "tokens": 12,
    "latency": "1.2s",
    "text": "4",
    "tags": [],
}
DONE = {
    "type": "done",
    "id": "q_1",
    "status": "success",
    "models": ["gpt"],
    "results": [RESULT],
    "consensus": "4",
    "charged": 0.01,
}


def stream_route(
    router: respx.MockRouter, chunks: list[bytes], *, drop: bool = False
) -> respx.Route:
    return router.post("/v1/query").mock(
        return_value=httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=EventBytes(chunks, drop=drop)
        )
    )


async def test_events_arrive_typed(router: respx.MockRouter, make_talkory: MakeClient) -> None:
    """query_created, chunks, a model result, an unknown type and done come out as QueryEvents."""
    route = stream_route(
        router,
        [
            b": ping\n\n",
            *sse(
                {"type": "query_created", "id": "q_1"},
                {"type": "model_stream_start", "modelId": "gpt"},
                {"type": "model_chunk", "modelId": "gpt", "chunk": "The answer"},
                {"type": "model_result", **RESULT},
                {"type": "brand_new_event", "x": 1},
                DONE,
            ),
        ],
    )
    events: list[QueryEvent] = []
    async with make_talkory().queries.stream("2+2?", models=["gpt"]) as stream:
        async for event in stream:
            events.append(event)
    assert [e.type for e in events] == [
        "query_created",
        "model_stream_start",
        "model_chunk",
        "model_result",
        "brand_new_event",
        "done",
    ]
    assert stream.query_id == "q_1"
    assert events[2].chunk == "The answer"
    assert events[3].result is not None
    assert events[3].result.model_id == "gpt"
    assert stream.result is not None
    assert stream.result.consensus == "4"
    sent = route.calls[0].request
    assert json.loads(sent.content)["stream"] is True
    assert sent.headers["accept"] == "text/event-stream"
    assert "idempotency-key" in sent.headers


async def test_dropped_stream_carries_the_query_id(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """A drop after query_created raises StreamInterruptedError with the id, and nothing is re-sent."""
    route = stream_route(
        router,
        sse(
            {"type": "query_created", "id": "q_9"},
            {"type": "model_chunk", "modelId": "gpt", "chunk": "x"},
        ),
        drop=True,
    )
    seen: list[QueryEvent] = []
    with pytest.raises(StreamInterruptedError) as info:
        await consume(make_talkory(), seen)
    assert info.value.resource_id == "q_9"
    assert "retrieve query q_9" in str(info.value)
    assert [e.type for e in seen] == ["query_created", "model_chunk"]
    assert route.call_count == 1


async def test_dropped_stream_is_translated_as_a_connection_error(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """A drop while reading events is chained to the APIConnectionError talkkit made of it."""
    stream_route(router, sse({"type": "query_created", "id": "q_8"}), drop=True)
    with pytest.raises(StreamInterruptedError) as info:
        await consume(make_talkory())
    cause = info.value.__cause__
    assert isinstance(cause, APIConnectionError)
    assert cause.request_sent is True
    assert isinstance(cause.__cause__, httpx.RemoteProtocolError)


async def test_stream_ending_without_done_is_interrupted(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """A clean EOF before 'done' is still an interrupted stream."""
    stream_route(router, sse({"type": "query_created", "id": "q_2"}))
    with pytest.raises(StreamInterruptedError) as info:
        await consume(make_talkory())
    assert info.value.resource_id == "q_2"


async def test_error_event_raises_typed_error(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """An 'error' event becomes the matching APIError subclass with code and request id."""
    stream_route(
        router,
        sse(
            {"type": "query_created", "id": "q_3"},
            {
                "type": "error",
                "code": "insufficient_balance",
                "message": "Wallet empty",
                "status": 402,
                "requestId": "req_5",
            },
        ),
    )
    with pytest.raises(PaymentRequiredError) as info:
        await consume(make_talkory())
    assert info.value.code == "insufficient_balance"
    assert info.value.request_id == "req_5"


async def test_nested_error_event_keeps_code_and_request_id(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """An 'error' event with the error object nested under "error" decodes like an error body."""
    stream_route(
        router,
        sse(
            {"type": "query_created", "id": "q_6"},
            {
                "type": "error",
                "error": {
                    "code": "insufficient_balance",
                    "message": "Wallet empty",
                    "status": 402,
                    "requestId": "req_6",
                },
            },
        ),
    )
    with pytest.raises(PaymentRequiredError) as info:
        await consume(make_talkory())
    err = info.value
    assert (err.status, err.code, err.message, err.request_id) == (
        402,
        "insufficient_balance",
        "Wallet empty",
        "req_6",
    )


async def test_error_event_echoing_the_key_does_not_carry_it(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """Regression: an 'error' event that repeats the API key raises an error that does not."""
    stream_route(
        router,
        sse({"type": "error", "code": "invalid_api_key", "message": f"bad key {TALKORY_TEST_KEY}"}),
    )
    with pytest.raises(APIError) as info:
        await consume(make_talkory())
    assert info.value.message == "bad key ********"
    assert TALKORY_TEST_KEY not in f"{info.value} {info.value!r} {info.value.body}"


async def test_done_sentinel_after_done_event(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """A trailing data: [DONE] sentinel is accepted."""
    stream_route(router, sse({"type": "query_created", "id": "q_4"}, DONE, "[DONE]"))
    async with make_talkory().queries.stream("hi") as stream:
        types = [event.type async for event in stream]
    assert types == ["query_created", "done"]


async def test_http_error_before_streaming(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """A 402 answer to the stream request raises on entering the block."""
    router.post("/v1/query").mock(
        return_value=httpx.Response(
            402, json={"error": {"code": "spend_cap_reached", "message": "cap", "status": 402}}
        )
    )
    with pytest.raises(PaymentRequiredError, match="cap"):
        await consume(make_talkory())
