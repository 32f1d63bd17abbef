"""Final Talkover call events as a waiting job's call ends: `call_end` and `feed_handler`."""

from __future__ import annotations

import httpx
import pytest

import talkkit.webhooks
from talkkit.bulk import CallEnd, CallEnds
from talkkit.webhooks import TalkoverEvent, call_end, feed_handler, sign, unwrap

from .conftest import talkover_body, talkturo_call_body

pytestmark = pytest.mark.anyio


def _event(**fields: object) -> TalkoverEvent:
    body = talkover_body(**fields)
    headers = sign(body, platform="talkover", secret="whsec_ends")
    event = unwrap(body, headers, platform="talkover", secret="whsec_ends")
    assert isinstance(event, TalkoverEvent)
    return event


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"call": {"id": "c1", "status": "completed", "duration": 42}}, ("c1", "completed", 42.0)),
        ({"call": {"id": "c2", "status": "busy", "duration": 0}}, ("c2", "busy", 0.0)),
        ({"call": {"id": "c3", "status": "no-answer"}}, ("c3", "no-answer", None)),
        (
            {"call": None, "call_id": "c4", "status": "failed", "duration": 1.5},
            ("c4", "failed", 1.5),
        ),
        (
            {"call": {"id": "c5", "status": "completed", "duration": "soon"}},
            ("c5", "completed", None),
        ),
        ({"call": {"id": "c6", "status": "completed", "duration": -3}}, ("c6", "completed", None)),
        (
            {"call": {"id": "c7", "status": "completed", "duration": True}},
            ("c7", "completed", None),
        ),
    ],
)
def test_a_final_event_is_the_calls_end(
    fields: dict[str, object], expected: tuple[str, str, float | None]
) -> None:
    """The call id, the final status and the talk time (when the body has a number) of the call."""
    call_id, status, duration = expected
    assert call_end(_event(**fields)) == (call_id, CallEnd(status=status, duration=duration))


@pytest.mark.parametrize(
    "fields",
    [
        {"event": "event_phone_call_connected", "call": {"id": "c1", "status": "answered"}},
        {"event": "webhook.test", "test": True, "call": {"id": "c1", "status": "completed"}},
        {"call": {"status": "completed"}},  # no call id
    ],
)
def test_other_events_are_no_call_end(fields: dict[str, object]) -> None:
    """A call still going on, a test delivery or an event without a call id: no end."""
    assert call_end(_event(**fields)) is None


async def test_the_receiver_feeds_each_call_end_once() -> None:
    """A receiver with `feed_handler`: final events reach the feed once, others never."""
    feed = CallEnds()
    receiver = talkkit.webhooks.app(feed_handler(feed), talkover_secret="whsec_ends")
    final = talkover_body(call={"id": "c1", "status": "busy", "duration": 0})
    started = talkover_body(
        event="event_phone_call_started", call={"id": "c1", "status": "initiated"}
    )
    transport = httpx.ASGITransport(app=receiver)
    async with httpx.AsyncClient(transport=transport, base_url="http://hooks") as client:
        for body in (started, final, final):  # the final one redelivered
            headers = sign(body, platform="talkover", secret="whsec_ends")
            assert (await client.post("/", content=body, headers=headers)).status_code == 200
    assert (feed.pushed, feed.claim("c1")) == (1, CallEnd(status="busy", duration=0.0))
    billing = talkturo_call_body()  # another platform's event: no Talkover call end
    signed = sign(billing, platform="talkturo-billing", secret="whsec_billing")
    assert (
        call_end(unwrap(billing, signed, platform="talkturo-billing", secret="whsec_billing"))
        is None
    )
