"""
The request path's shortcuts give what the slow way gives: httpx objects built from their
parts, the client's own headers encoded once, one-pass header reads, the id layer's ids, and
one timer cutting every attempt of an aiohttp transport.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from talkkit import AsyncTalkory, _transport
from talkkit._client import _decode_json, _encode_json
from talkkit._headers import parse_rate_limit, request_id_from
from talkkit._request import Safety
from talkkit._transport import (
    RequestBody,
    headers_from_raw,
    headers_from_text,
    make_request,
    read_response,
    set_header,
)
from talkkit.middleware.request_id import new_id

from ..conftest import TALKORY_TEST_KEY

pytestmark = pytest.mark.anyio

URL = httpx.URL("https://api.example.test/v1/things")


def test_headers_from_raw_and_text_equal_httpx_headers() -> None:
    """Byte pairs and ASCII text give the headers httpx builds, pair for pair."""
    pairs = [(b"Content-Type", b"application/json"), (b"X-Multi", b"a"), (b"x-multi", b"b")]
    built = headers_from_raw(pairs)
    assert built.raw == httpx.Headers(pairs).raw
    assert built.get_list("x-multi") == ["a", "b"]
    assert built == httpx.Headers(pairs)
    text = {"Accept": "application/json", "X-Custom": "yes"}
    assert headers_from_text(text).raw == httpx.Headers(text).raw
    with pytest.raises(UnicodeEncodeError):  # httpx's own error, as httpx.Headers raises it
        headers_from_text({"X-Name": "é"})


def test_make_request_equals_httpx_request() -> None:
    """A request built from its parts reads as httpx.Request(..., stream=...) read."""
    headers = {"Host": "api.example.test", "Content-Length": "2", "X-A": "1"}
    expected = httpx.Request(
        "POST", URL, headers=headers, stream=RequestBody(b"{}"), extensions={"k": 1}
    )
    expected.read()
    built = make_request("POST", URL, headers_from_text(headers), b"{}", {"k": 1})
    assert (built.method, built.url, built.headers.raw) == ("POST", URL, expected.headers.raw)
    assert built.content == expected.content == b"{}"
    assert built.extensions == {"k": 1}
    assert type(built.stream) is RequestBody
    assert repr(built) == repr(expected)


def test_the_shortcuts_are_taken_with_this_httpx() -> None:
    """The installed httpx has the layout the builders set (else they fall back, tested below)."""
    assert _transport._layout_known() is True


def test_without_a_known_layout_the_builders_call_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    """An httpx laid out otherwise gets its own constructors, with the same result."""
    monkeypatch.setattr(_transport, "_LAYOUT_KNOWN", False)
    headers = {"Host": "api.example.test", "X-A": "1"}
    built = make_request("GET", URL, headers_from_text(headers), b"", {})
    assert built.headers.raw == httpx.Request("GET", URL, headers=headers).headers.raw
    response = read_response(204, headers_from_raw([(b"X-B", b"2")]), b"", {})
    assert (response.status_code, response.headers["x-b"], response.content) == (204, "2", b"")


async def test_read_response_is_a_read_response() -> None:
    """A response built whole is read and closed, and reads like httpx's own."""
    headers = headers_from_raw([(b"Content-Type", b"application/json")])
    response = read_response(200, headers, b'{"a":1}', {"http_version": b"HTTP/1.1"})
    assert response.is_closed
    assert response.is_stream_consumed
    assert response.json() == {"a": 1}
    assert await response.aread() == b'{"a":1}'
    assert response.http_version == "HTTP/1.1"
    assert response.headers["content-type"] == "application/json"
    response.request = httpx.Request("GET", URL)
    response.raise_for_status()


def test_set_header_appends_new_and_replaces_existing() -> None:
    """set_header adds a new name at the end and replaces an existing one in place."""
    headers = headers_from_text({"Host": "h", "Authorization": "Bearer old", "X": "1"})
    set_header(headers, (b"Authorization", b"authorization", b"Bearer new"))
    set_header(headers, (b"X-New", b"x-new", b"v"))
    assert headers.raw == [
        (b"Host", b"h"),
        (b"Authorization", b"Bearer new"),
        (b"X", b"1"),
        (b"X-New", b"v"),
    ]


@pytest.mark.parametrize(
    "pairs",
    [
        [(b"X-RateLimit-Limit", b"60"), (b"X-RateLimit-Remaining", b"7"), (b"X-Request-Id", b"r")],
        [(b"x-ratelimit-limit", b"30, 30;w=60"), (b"x-ratelimit-reset", b"5")],
        [(b"X-RateLimit-Limit", b"1"), (b"X-RateLimit-Limit", b"2"), (b"Request-Id", b"a")],
        [(b"X-RateLimit-Remaining", "７".encode()), (b"X-Request-Id", "é".encode())],
        [(b"X-RateLimit-Limit", b"9007199254740993"), (b"X-Request-Id", b"")],
        [(b"X-RateLimit-Limit", b"0012"), (b"X-RateLimit-Remaining", b"-1")],
    ],
)
def test_one_pass_reads_equal_the_get_reads(pairs: list[tuple[bytes, bytes]]) -> None:
    """Rate headers and request ids read from an httpx.Headers equal those read with .get()."""
    headers = httpx.Headers(pairs)
    as_dict = dict(headers.items())  # a plain mapping: read with .get()
    assert parse_rate_limit(headers) == parse_rate_limit(as_dict)
    assert request_id_from(headers) == request_id_from(as_dict)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(_JSON)
def test_bodies_are_encoded_as_json_dumps_encodes_them(body: object) -> None:
    """A request body's text is ``json.dumps(body, separators=(",", ":"), ensure_ascii=False)``."""
    assert _encode_json(body) == json.dumps(body, separators=(",", ":"), ensure_ascii=False)


@given(
    st.lists(_JSON, max_size=3) | st.dictionaries(st.text(), _JSON, max_size=3),
    st.sampled_from(["", " ", "\n\t\r ", " x", "{}", ",", "\u00a0"]),
)
def test_answers_are_decoded_as_json_loads_decodes_them(body: object, tail: str) -> None:
    """An answer's JSON object or array reads as ``json.loads`` reads it, errors included."""
    text = json.dumps(body) + tail

    def outcome(decode: Callable[[str], object]) -> str:
        try:
            return repr(decode(text))  # (repr: NaN is not NaN)
        except json.JSONDecodeError as exc:
            return f"error: {exc}"

    assert outcome(_decode_json) == outcome(json.loads)


def test_a_body_that_cannot_be_encoded_fails_before_sending() -> None:
    """What JSON cannot hold is refused by name; a body that holds itself is refused too."""
    with pytest.raises(TypeError, match="not JSON serializable"):
        _encode_json({"when": object()})
    cyclic: dict[str, object] = {}
    cyclic["self"] = cyclic
    with pytest.raises(RecursionError):
        _encode_json(cyclic)


def test_new_id_is_a_uuid4_in_hex() -> None:
    """Request ids and idempotency keys are UUID4s as 32 hex digits, all different."""
    ids = {new_id() for _ in range(200)}
    assert len(ids) == 200
    for value in ids:
        parsed = uuid.UUID(hex=value)
        assert (parsed.version, parsed.variant, parsed.hex) == (4, uuid.RFC_4122, value)


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_client_headers_are_those_httpx_builds_then_the_ids(method: str) -> None:
    """A call's request has httpx's headers in httpx's order, then the id layer's, then auth."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    body = {"name": "x"} if method == "POST" else None
    async with AsyncTalkory(
        TALKORY_TEST_KEY,
        base_url="https://api.example.test",
        transport=httpx.MockTransport(answer),
        headers={"X-Team": "t"},
    ) as client:
        await client.request(method, "/v1/things", json=body)
        base = dict(client._headers)
    (request,) = seen
    if body is not None:
        base["Content-Type"] = "application/json"
    content = b'{"name":"x"}' if body is not None else None
    expected = httpx.Request(method, URL, headers=base, content=content).headers.raw
    ids = [(b"X-Request-Id", request.headers["x-request-id"].encode())]
    if Safety.for_method(method) is Safety.UNSAFE:
        ids.append((b"Idempotency-Key", request.headers["idempotency-key"].encode()))
    auth = [(b"Authorization", f"Bearer {TALKORY_TEST_KEY}".encode())]
    assert request.headers.raw == [*expected, *ids, *auth]


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_one_timer_cuts_each_attempt_at_its_own_limit() -> None:
    """Attempts with different limits are each cut at theirs, by one timer; others run on."""
    from talkkit._aiohttp_transport import cut_in
    from talkkit._deadlines import Deadlines

    loop = asyncio.get_running_loop()
    deadlines = Deadlines(loop)
    cuts: dict[str, list[bool]] = {}

    async def attempt(name: str, limit: float, runs: float) -> str:
        task = asyncio.current_task()
        assert task is not None
        cut = cuts[name] = cut_in(deadlines, task, limit)
        try:
            await asyncio.sleep(runs)
        except asyncio.CancelledError:
            return f"{name} cut"
        finally:
            deadlines.discard(cut)
        return f"{name} done"

    results = await asyncio.gather(
        attempt("late", 0.3, 5.0), attempt("early", 0.1, 5.0), attempt("quick", 0.2, 0.01)
    )
    assert results == ["late cut", "early cut", "quick done"]
    assert cuts["late"] == cuts["early"] == [True]
    assert cuts["quick"] == []
