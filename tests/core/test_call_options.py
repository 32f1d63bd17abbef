"""Per-call options, `with_raw_response` and `_request_id`, on all three platforms."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from talkkit import (
    AsyncPaginator,
    AsyncTalkory,
    AsyncTalkover,
    AsyncTalkturo,
    InvalidRequestError,
    Page,
    RawResponse,
)
from talkkit.emulator import Emulator, FaultRule
from talkkit.testing import talkory_client, talkover_client, talkturo_client

pytestmark = pytest.mark.anyio

Clients = tuple[AsyncTalkturo, AsyncTalkover, AsyncTalkory]


class Recording(httpx.AsyncBaseTransport):
    """Keeps every request (each attempt) that reaches the wire, then lets the emulator answer."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return await self.inner.handle_async_request(request)


@pytest.fixture
def emulator() -> Emulator:
    """A fresh emulator."""
    return Emulator(seed=7)


@pytest.fixture
def wire(emulator: Emulator) -> Recording:
    """The recording transport in front of the emulator."""
    return Recording(emulator.transport())


@pytest.fixture
async def clients(emulator: Emulator, wire: Recording) -> AsyncIterator[Clients]:
    """One client per platform, all sending through ``wire``."""
    options: dict[str, Any] = {"transport": wire, "rate_limit": None}
    turo = talkturo_client(emulator, **options)
    over = talkover_client(emulator, **options)
    ory = talkory_client(emulator, **options)
    yield turo, over, ory
    for client in (turo, over, ory):
        await client.aclose()


_names = itertools.count(1)

# name -> (client index, resource, method, a function giving the positional and keyword args)
Args = tuple[tuple[Any, ...], dict[str, Any]]
CALLS: dict[str, tuple[int, str, str, Callable[[], Args]]] = {
    "talkturo-unsafe": (0, "companies", "create", lambda: ((f"Acme {next(_names)}",), {})),
    "talkturo-safe": (0, "companies", "list", lambda: ((), {})),
    "talkover-unsafe": (1, "agents", "create", lambda: ((), {"name": "Support"})),
    "talkover-safe": (1, "agents", "list", lambda: ((), {})),
    "talkory-unsafe": (
        2,
        "queries",
        "create",
        lambda: (("Which is safest?",), {"models": ["gpt"]}),
    ),
    "talkory-safe": (2, "wallet", "get", lambda: ((), {})),
}
UNSAFE = sorted(n for n in CALLS if n.endswith("-unsafe"))


async def invoke(clients: Clients, name: str, options: dict[str, Any], *, raw: bool = False) -> Any:
    """Run one call of `CALLS` (a list: its first page), optionally through the raw proxy."""
    index, resource_name, method, make_args = CALLS[name]
    args, kwargs = make_args()
    resource = getattr(clients[index], resource_name)
    target = resource.with_raw_response if raw else resource
    result = getattr(target, method)(*args, **kwargs, **options)
    if isinstance(result, AsyncPaginator):
        return await result.first_page()
    return await result


@pytest.mark.parametrize("name", sorted(CALLS))
async def test_extra_headers_query_and_timeout_reach_the_wire(
    name: str, clients: Clients, wire: Recording
) -> None:
    """``extra_headers``, ``extra_query`` and ``timeout`` are on the request that is sent."""
    await invoke(
        clients,
        name,
        {"extra_headers": {"X-Probe": "on"}, "extra_query": {"probe": "1"}, "timeout": 7.5},
    )
    sent = wire.sent[-1]
    assert sent.headers["X-Probe"] == "on"
    assert sent.url.params["probe"] == "1"
    assert sent.extensions["timeout"] == httpx.Timeout(7.5).as_dict()


@pytest.mark.parametrize("name", UNSAFE)
async def test_extra_body_is_merged_into_the_json_body(
    name: str, clients: Clients, wire: Recording
) -> None:
    """``extra_body`` keys are added to the JSON body as given, next to the method's own."""
    await invoke(clients, name, {"extra_body": {"probe_field": {"nested": True}}})
    body = json.loads(wire.sent[-1].content)
    assert body["probe_field"] == {"nested": True}
    assert len(body) > 1  # the method's own fields are still there


@pytest.mark.parametrize("name", UNSAFE)
async def test_idempotency_key_is_sent_on_every_attempt(
    name: str, clients: Clients, wire: Recording, emulator: Emulator
) -> None:
    """A caller's ``idempotency_key`` replaces the generated one, on the retry too."""
    emulator.faults.add(FaultRule("POST *", throttle_rate=1.0, retry_after=0, times=1))
    await invoke(clients, name, {"idempotency_key": f"row-42-{name}"})
    keys = [r.headers.get("Idempotency-Key") for r in wire.sent]
    assert keys == [f"row-42-{name}", f"row-42-{name}"]
    logged = [r.idempotency_key for r in emulator.request_log]
    assert logged == keys


@pytest.mark.parametrize("key", ["", "  ", "line\nbreak", "clé"])
async def test_a_bad_idempotency_key_is_refused_before_sending(
    key: str, clients: Clients, wire: Recording
) -> None:
    """A key that cannot travel in a header names the field, and nothing is sent."""
    with pytest.raises(InvalidRequestError) as caught:
        await invoke(clients, "talkturo-unsafe", {"idempotency_key": key})
    assert caught.value.field == "idempotency_key"
    assert wire.sent == []


async def test_extra_body_needs_a_json_object_body(clients: Clients) -> None:
    """``extra_body`` on a call whose body is a list is refused, naming the option."""
    with pytest.raises(InvalidRequestError) as caught:
        await clients[0].request_json("POST", "/crm/x", json=[1], options={"extra_body": {"a": 1}})
    assert caught.value.field == "extra_body"


@pytest.mark.parametrize("name", sorted(CALLS))
async def test_with_raw_response_and_request_id(
    name: str, clients: Clients, wire: Recording
) -> None:
    """``with_raw_response`` gives status, headers and request id; the models carry the id."""
    if name.endswith("-safe"):  # something to list
        await invoke(clients, name.replace("-safe", "-unsafe"), {})
    normal = await invoke(clients, name, {})
    raw = await invoke(clients, name, {}, raw=True)
    assert isinstance(raw, RawResponse)
    assert raw.status_code in (200, 201, 202)
    sent_id = wire.sent[-1].headers["X-Request-Id"]
    assert raw.request_id == (raw.headers.get("x-request-id") or sent_id)
    assert raw.http_response.request.headers["X-Request-Id"] == sent_id
    parsed = raw.parse()
    assert type(parsed) is type(normal)
    models = (
        parsed.items
        if isinstance(parsed, Page)
        else parsed
        if isinstance(parsed, list)
        else [parsed]
    )
    assert models
    for model in models:
        assert model._request_id == raw.request_id
    if isinstance(normal, Page | list):
        normal_items = normal.items if isinstance(normal, Page) else normal
        assert normal_items == models  # the id does not change equality


async def test_request_id_is_the_servers_when_it_sends_one(clients: Clients) -> None:
    """A model's ``_request_id`` is the server's ``x-request-id`` (Talkory sends one)."""
    raw = await clients[2].wallet.with_raw_response.get()
    server_id = raw.headers.get("x-request-id")
    assert server_id is not None
    assert raw.parse()._request_id == server_id


async def test_raw_response_of_a_method_without_a_request_is_an_error(clients: Clients) -> None:
    """A proxied attribute that is not a method is refused by name."""
    with pytest.raises(AttributeError, match="_client"):
        clients[2].wallet.with_raw_response._client  # noqa: B018
