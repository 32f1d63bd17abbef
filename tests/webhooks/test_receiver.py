"""The receiver in-process: answers, de-duplication, refusals with a log line, a bounded queue."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount, Route

import talkkit.webhooks
from talkkit.testing import capture_logs
from talkkit.webhooks import (
    Event,
    MemoryEventStore,
    RedisEventStore,
    TalkoverEvent,
    WebhookApp,
    sign,
)
from tests.redis_server import RedisServer

from .conftest import KeyPair, serve, talkover_body, talkturo_call_body

pytestmark = pytest.mark.anyio

SECRET = "whsec_receiver"


def _signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return sign(body, platform="talkover", secret=secret)


@asynccontextmanager
async def _client(app: object, base: str = "http://hooks") -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=base) as client:
        yield client


async def test_verifies_answers_and_handles_each_event_once() -> None:
    """200 and one handler call per event; a redelivery is answered 200 as a duplicate."""
    seen: list[Event] = []

    async def on_event(event: Event) -> None:
        seen.append(event)

    receiver = talkkit.webhooks.app(on_event, talkover_secret=SECRET)
    body = talkover_body()
    async with receiver.running(), _client(receiver) as client:
        first = await client.post("/any/path", content=body, headers=_signed(body))
        again = await client.post("/", content=body, headers=_signed(body))
    assert (first.status_code, first.json()) == (200, {"received": True})
    assert (again.status_code, again.json()) == (200, {"received": True, "duplicate": True})
    assert [type(e) for e in seen] == [TalkoverEvent]
    assert (receiver.accepted, receiver.duplicates, receiver.refused) == (1, 1, 0)


async def test_refusals_are_answered_and_logged_with_the_reason(keys: KeyPair) -> None:
    """Bad signature, stale call webhook, undecodable body: 400 {"error": reason} and a log line."""
    receiver = talkkit.webhooks.app(talkover_secret=SECRET, talkturo_public_key=keys.public_b64)
    call = talkturo_call_body()
    stale = sign(call, platform="talkturo", private_key=keys.private, timestamp=1_700_000_000)
    not_json = b"\xff not json"
    body = talkover_body()
    with capture_logs(logging.WARNING) as records:
        async with receiver.running(), _client(receiver) as client:
            bad = await client.post("/", content=body, headers=_signed(body, "wrong"))
            old = await client.post("/", content=call, headers=stale)
            junk = await client.post("/", content=not_json, headers=_signed(not_json))
            unsigned = await client.post("/", content=body)
    assert [r.json()["error"] for r in (bad, old, junk, unsigned)] == [
        "bad_signature",
        "stale_timestamp",
        "bad_body",
        "missing_header",
    ]
    assert {r.status_code for r in (bad, old, junk, unsigned)} == {400}
    messages = [r.getMessage() for r in records]
    assert len(messages) == 4
    assert messages[0].startswith("webhook refused: talkover bad_signature from 127.0.0.1")
    assert messages[1].startswith("webhook refused: talkturo stale_timestamp")
    assert "webhook body is not UTF-8" in messages[2]
    assert receiver.refused == 4


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # served: uvicorn's own loop
def test_other_methods_and_large_bodies_are_refused(anyio_backend: str) -> None:
    """Served: GET gets 405 (Allow: POST); a body over max_body gets 413, nothing handled."""
    receiver = talkkit.webhooks.app(talkover_secret=SECRET, max_body=100)
    with serve(receiver) as url:
        got = httpx.get(url)
        big = httpx.post(url, content=b"x" * 101)
    assert (got.status_code, got.headers["allow"]) == (405, "POST")
    assert big.status_code == 413
    assert receiver.accepted == 0


async def test_a_full_queue_answers_503_and_lets_the_redelivery_through() -> None:
    """One worker busy, one event waiting: the next gets 503 and is handled when resent."""
    release, holding, two_done = anyio.Event(), anyio.Event(), anyio.Event()
    handled: list[str | None] = []

    async def slow(event: Event) -> None:
        holding.set()
        await release.wait()
        handled.append(event.id)
        if len(handled) == 2:
            two_done.set()

    receiver = talkkit.webhooks.app(slow, talkover_secret=SECRET, queue_size=1, workers=1)
    bodies = [talkover_body() for _ in range(3)]
    async with receiver.running(), _client(receiver) as client:
        answers = [(await client.post("/", content=bodies[0], headers=_signed(bodies[0])))]
        await holding.wait()  # the worker holds the first event: the queue is empty
        for body in bodies[1:]:
            answers.append(await client.post("/", content=body, headers=_signed(body)))
        assert [a.status_code for a in answers] == [200, 200, 503]
        assert answers[2].headers["retry-after"] == "1"
        release.set()
        with anyio.fail_after(5):
            await two_done.wait()
        resent = await client.post("/", content=bodies[2], headers=_signed(bodies[2]))
        assert resent.status_code == 200
    assert len(handled) == 3
    assert receiver.duplicates == 0


async def test_a_failing_handler_is_logged_and_the_next_event_still_handled() -> None:
    """A handler exception is logged with the event; the receiver keeps serving."""
    calls: list[str | None] = []

    async def flaky(event: Event) -> None:
        calls.append(event.id)
        if len(calls) == 1:
            raise RuntimeError("boom")

    receiver = talkkit.webhooks.app(flaky, talkover_secret=SECRET)
    with capture_logs(logging.ERROR) as records:
        async with receiver.running(), _client(receiver) as client:
            for body in (talkover_body(), talkover_body()):
                assert (await client.post("/", content=body, headers=_signed(body))).is_success
    assert len(calls) == 2
    assert [r.getMessage().split(" failed on ")[1] for r in records] == [
        f"event_phone_call_ended (event id {calls[0]})"
    ]


async def test_mounted_in_starlette_with_its_lifespan() -> None:
    """As a route or a mount; the host app's lifespan runs the receiver's workers."""
    seen: list[Event] = []

    async def on_event(event: Event) -> None:
        seen.append(event)

    receiver = talkkit.webhooks.app(on_event, talkover_secret=SECRET)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with receiver.running():
            yield

    routes = [Route("/hooks/talkover", receiver), Mount("/webhooks", app=receiver)]
    host = Starlette(routes=routes, lifespan=lifespan)
    bodies = [talkover_body(), talkover_body()]
    async with lifespan(host), _client(host) as client:
        exact = await client.post("/hooks/talkover", content=bodies[0], headers=_signed(bodies[0]))
        mounted = await client.post("/webhooks/x", content=bodies[1], headers=_signed(bodies[1]))
    assert exact.json() == mounted.json() == {"received": True}
    assert len(seen) == 2


async def test_memory_store_is_bounded() -> None:
    """The oldest keys are forgotten past max_size."""
    store = MemoryEventStore(max_size=2)
    assert [await store.add(k) for k in ("a", "b", "a", "c")] == [True, True, False, True]
    assert len(store) == 2
    assert await store.add("a") is True  # forgotten: "a" was the oldest


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A throwaway redis-server for this module."""
    server = RedisServer().start()
    yield server.url
    server.stop()


async def test_redis_store_shares_taken_events_between_receivers(
    redis_url: str, anyio_backend: str
) -> None:
    """Two receivers (two processes, in effect) on one Redis store handle an event once."""
    seen: list[Event] = []

    async def on_event(event: Event) -> None:
        seen.append(event)

    store = RedisEventStore(redis_url, prefix=f"test:{anyio_backend}")
    receivers: list[WebhookApp] = [
        talkkit.webhooks.app(on_event, talkover_secret=SECRET, store=store) for _ in range(2)
    ]
    body = talkover_body()
    try:
        for receiver in receivers:
            async with receiver.running(), _client(receiver) as client:
                assert (await client.post("/", content=body, headers=_signed(body))).is_success
    finally:
        await store.aclose()
    assert len(seen) == 1
    assert [r.duplicates for r in receivers] == [0, 1]
    assert "127.0.0.1" in repr(store)
