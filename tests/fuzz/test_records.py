"""
Structuring every public record of the three platforms: well-typed bodies (with unknown keys and
enum values) always structure; any other body structures or raises DecodeError, also through
the client path.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import anyio
import attrs
import httpx
import pytest
from anyio.from_thread import BlockingPortal
from hypothesis import given
from hypothesis import strategies as st

from talkkit.errors import DecodeError
from talkkit.talkory.types import Model
from talkkit.talkover.types import Call
from talkkit.talkturo.types import Contact

from .strategies import (
    PLATFORMS,
    Platform,
    Scripted,
    bodies,
    fuzz,
    junk_record,
    lenient_record,
    make_client,
    records_of,
)

# A failing example with a megabyte body is still reported, not hidden behind this warning.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

_transport = httpx.MockTransport(lambda request: httpx.Response(500))
CLIENTS: dict[str, Any] = {p: make_client(p, _transport) for p in PLATFORMS}
SCRIPT = Scripted()
SCRIPTED: dict[str, Any] = {
    p: make_client(p, httpx.MockTransport(SCRIPT), max_retries=0) for p in PLATFORMS
}
_ENVELOPE_KEY = {"talkturo": "record", "talkover": None, "talkory": None}


def test_every_platform_has_records() -> None:
    """The record lists are complete enough to fuzz (a guard against an empty strategy)."""
    counts = {platform: len(records_of(platform)) for platform in PLATFORMS}
    assert all(n >= 10 for n in counts.values()), counts


def _wire_names(cls: type[Any], platform: Platform) -> set[str]:
    from talkkit._converter import to_camel

    camel = platform == "talkory" or cls.__name__ == "AvailableNumber"
    return {to_camel(f.name) if camel else f.name.rstrip("_") for f in attrs.fields(cls)}


@fuzz()
@given(data=st.data(), platform=st.sampled_from(PLATFORMS))
def test_well_typed_records_always_structure(data: st.DataObject, platform: Platform) -> None:
    """Missing optional fields, unknown keys and unknown enum values never fail a read."""
    cls = data.draw(st.sampled_from(records_of(platform)), label="record")
    body = data.draw(lenient_record(cls, platform), label="body")
    record = CLIENTS[platform].structure(body, cls)
    assert isinstance(record, cls)
    if any(f.name == "extra" for f in attrs.fields(cls)):
        unknown = {k: v for k, v in body.items() if k not in _wire_names(cls, platform)}
        assert record.extra == unknown


@fuzz()
@given(data=st.data(), platform=st.sampled_from(PLATFORMS), many=st.booleans())
def test_any_json_structures_or_raises_decode_error(
    data: st.DataObject, platform: Platform, many: bool
) -> None:
    """Wrong-typed, missing and absurd fields give a model or a DecodeError naming a path."""
    cls = data.draw(st.sampled_from(records_of(platform)), label="record")
    body = data.draw(junk_record(cls, platform), label="body")
    target: Any = list[cls] if many else cls  # type: ignore[valid-type]
    value = [body, body] if many else body
    outcome: Any
    try:
        outcome = CLIENTS[platform].structure(value, target)
    except DecodeError as exc:
        outcome = exc
    if isinstance(outcome, DecodeError):
        assert outcome.path.startswith("$")
        assert str(outcome)
    else:
        assert all(isinstance(r, cls) for r in (outcome if many else [outcome]))


def _envelope(platform: Platform, payload: Any) -> Any:
    if platform == "talkturo":
        return {"success": True, "record": payload}
    if platform == "talkover":
        return {"success": True, "data": payload}
    return payload


@fuzz()
@given(data=st.data(), platform=st.sampled_from(PLATFORMS), status=st.sampled_from([200, 201]))
def test_success_bodies_through_the_client_give_models_or_typed_errors(
    portal: BlockingPortal, data: st.DataObject, platform: Platform, status: int
) -> None:
    """request_model over any 2xx body (also huge, deeply nested or not UTF-8) never leaks a foreign error."""
    cls = data.draw(st.sampled_from(records_of(platform)), label="record")
    record = junk_record(cls, platform) | lenient_record(cls, platform)
    content = data.draw(
        bodies | record.map(lambda r: json.dumps(_envelope(platform, r)).encode()), label="body"
    )

    SCRIPT.answer(status, content)
    client = SCRIPTED[platform]
    call = partial(client.request_model, "GET", "/anything", cls, key=_ENVELOPE_KEY[platform])
    try:
        result = portal.call(call)
    except DecodeError:  # the one error a 2xx answer may give; any other fails the test
        return
    assert isinstance(result, cls)


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("depth", [900, 100_000])
def test_deeply_nested_extra_fields_are_kept_or_refused(platform: Platform, depth: int) -> None:
    """A record whose unknown field nests deeply is read (kept in extra) or refused with DecodeError."""
    cls = {"talkturo": Contact, "talkover": Call, "talkory": Model}[platform]
    nested = "[" * depth + "]" * depth
    text = json.dumps(_envelope(platform, {"id": "x", "status": "ok"}))
    content = text.replace('"id": "x"', f'"id": "x", "deep": {nested}').encode()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=content)

    async def read() -> Any:
        client = make_client(platform, httpx.MockTransport(answer), max_retries=0)
        return await client.request_model("GET", "/x", cls, key=_ENVELOPE_KEY[platform])

    try:
        record = anyio.run(read)
    except DecodeError:
        assert depth > 1_000
    else:
        assert isinstance(record, cls)
