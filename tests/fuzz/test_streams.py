"""Talkory query streams: any event-stream body gives typed QueryEvents or a TalkkitError."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal
from hypothesis import given
from hypothesis import strategies as st

from talkkit.errors import TalkkitError
from talkkit.talkory._stream import QueryEvent
from talkkit.talkory.types import ModelResult, Query

from .strategies import Scripted, fuzz, json_values, junk_record, lenient_record, make_client

# A failing example with a megabyte body is still reported, not hidden behind this warning.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

EVENT_TYPES = [
    "query_created", "model_stream_start", "model_chunk", "model_result", "model_error",
    "round1_done", "round2_start", "round2_done", "consensus_start", "done", "error",
]  # fmt: skip

events = st.fixed_dictionaries(
    {"type": st.sampled_from(EVENT_TYPES) | json_values(2)},
    optional={
        "id": json_values(2),
        "modelId": json_values(2),
        "chunk": json_values(2),
        "error": json_values(2),
        "status": json_values(2) | st.integers(),
        "code": json_values(2),
        "query": junk_record(Query, "talkory"),
    },
)
results = lenient_record(ModelResult, "talkory") | st.dictionaries(
    st.text(max_size=8), json_values(4)
)
events = st.builds(lambda result, event: {**result, **event}, results, events)


def _deep(depth: int, done: bool) -> str:
    nested = "[" * depth + "]" * depth
    return f'data: {{"type": "done", "query": {nested}}}' if done else f"data: {nested}"


data_lines = st.one_of(
    events.map(lambda e: "data: " + json.dumps(e)),
    st.builds(_deep, st.sampled_from([900, 5_000, 100_000]), st.booleans()),
    st.sampled_from(
        [
            "data: [DONE]",
            "data: not json",
            ": ping",
            "event: message",
            "id: 7",
            "",
            "data:",
            "retry: 10",
        ]
    ),
)
streams = st.lists(data_lines, max_size=8).map(lambda lines: "\n".join(lines).encode()) | st.binary(
    max_size=200
)


SCRIPT = Scripted()
CLIENT: Any = make_client("talkory", httpx.MockTransport(SCRIPT), max_retries=0)
_SSE = [(b"content-type", b"text/event-stream")]


def _client(body: bytes) -> Any:
    SCRIPT.answer(200, body, _SSE)
    return CLIENT


async def _consume(client: Any) -> list[Any]:
    async with client.queries.stream("What is the best CRM?") as stream:
        return [event async for event in stream]


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_deeply_nested_event_is_a_typed_error(portal: BlockingPortal, depth: int) -> None:
    """Regression: an event nested deeper than the JSON parser can go raises DecodeError."""
    body = ("data: " + "[" * depth + "]" * depth + "\n\n").encode()
    with pytest.raises(TalkkitError):
        portal.call(_consume, _client(body))


@fuzz()
@given(body=streams)
def test_any_event_stream_gives_typed_events_or_errors(portal: BlockingPortal, body: bytes) -> None:
    """Whatever the server streams, the reader yields QueryEvents or raises a TalkkitError."""
    try:
        received = portal.call(_consume, _client(body))
    except TalkkitError:
        return
    assert all(isinstance(event, QueryEvent) for event in received)
