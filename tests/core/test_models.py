"""
The model base: ``to_dict()`` / ``to_json()`` read back into an equal record through the
platform's converter, for every API record (found by walking `Model`'s subclasses), and
``_request_id`` stays out of equality, hashing, ``repr``, pickling and ``attrs.evolve``.
"""

from __future__ import annotations

import enum
import json
import os
import pickle
import types
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talkkit._converter import to_camel, wire_case_of
from talkkit._model import Model, set_request_id
from talkkit.talkory import AsyncTalkory, QueryEvent
from talkkit.talkory import types as talkory_types
from talkkit.talkory._base import TalkoryModel
from talkkit.talkory.types import Query, QueryStatus
from talkkit.talkover import AsyncTalkover
from talkkit.talkover import types as talkover_types
from talkkit.talkover.types import AgentSummary, Call
from talkkit.talkover.types._base import TalkoverModel
from talkkit.talkturo import AsyncTalkturo
from talkkit.talkturo import types as talkturo_types
from talkkit.talkturo.types import AvailableNumber, Contact
from talkkit.talkturo.types._base import TalkturoModel

# A handful of examples per record class (about 60 classes) keeps this a few seconds; the
# fuzz profile (HYPOTHESIS_PROFILE=fuzz) asks for many more.
EXAMPLES = 100 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 8
PLATFORM_MODULES = {
    "talkturo": [talkturo_types],
    "talkover": [talkover_types],
    "talkory": [talkory_types],
}


def _all_models() -> list[type[Any]]:
    found: list[type[Any]] = []
    pending = list(Model.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if attrs.has(cls) and cls.__module__.startswith("talkkit.") and cls not in found:
            found.append(cls)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


MODELS = _all_models()


def _platform(cls: type[Any]) -> str:
    return cls.__module__.split(".")[1]


@cache
def _client(platform: str) -> Any:
    """A client whose converter is the one responses go through (it never sends anything)."""
    transport = httpx.MockTransport(lambda request: httpx.Response(500))
    if platform == "talkturo":
        return AsyncTalkturo("tk_test_x", base_url="https://acme.test/api", transport=transport)
    if platform == "talkover":
        return AsyncTalkover("talq_x", transport=transport)
    return AsyncTalkory("tk_live_" + "k" * 32, transport=transport)


# -- strategies -------------------------------------------------------------------------------

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
# Whole-minute offsets, as RFC 3339 writes them (Python 3.11 misreads "+00:00:00.000001").
_ZONES = st.just(UTC) | st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
_SIMPLE: dict[Any, st.SearchStrategy[Any]] = {
    str: st.text(max_size=12),
    int: st.integers(min_value=-(2**53), max_value=2**53),
    float: st.floats(allow_nan=False, allow_infinity=False),
    bool: st.booleans(),
    datetime: st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=_ZONES
    ),
    date: st.dates(),
    type(None): st.none(),
    Any: _JSON,
}


def _values(tp: Any) -> st.SearchStrategy[Any]:
    """Values of an annotation; an annotation with no strategy here fails the test loudly."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([_values(arg) for arg in typing.get_args(tp)])
    if origin is list:
        return st.lists(_values(typing.get_args(tp)[0]), max_size=2)
    if origin is dict:
        return st.dictionaries(st.text(max_size=6), _values(typing.get_args(tp)[1]), max_size=2)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(tp)
    if isinstance(tp, type) and attrs.has(tp):
        return st.deferred(lambda: models(tp))
    return _SIMPLE[tp]


def _wire_names(cls: type[Any]) -> set[str]:
    case = wire_case_of(cls, "snake")
    return {to_camel(f.name) if case == "camel" else f.name.rstrip("_") for f in attrs.fields(cls)}


@cache
def models(cls: Any) -> st.SearchStrategy[Any]:
    """Instances of ``cls``, with unknown keys in ``extra`` that no field reads."""
    attrs.resolve_types(cls)
    taken = _wire_names(cls)
    extra = st.dictionaries(
        st.text(min_size=1, max_size=8).filter(lambda k: k not in taken), _JSON, max_size=2
    )
    fields = {f.alias: extra if f.name == "extra" else _values(f.type) for f in attrs.fields(cls)}
    return st.builds(cls, **fields)


# -- properties -------------------------------------------------------------------------------


def test_every_record_is_found() -> None:
    """Every attrs record the platforms export is a Model, and the walk finds them all."""
    exported = {
        obj
        for modules in PLATFORM_MODULES.values()
        for module in modules
        for obj in (getattr(module, name) for name in module.__all__)
        if isinstance(obj, type) and attrs.has(obj)
    } | {QueryEvent}
    assert all(issubclass(cls, Model) for cls in exported)
    bases = {"talkturo": TalkturoModel, "talkover": TalkoverModel, "talkory": TalkoryModel}
    assert all(issubclass(cls, bases[_platform(cls)]) for cls in MODELS)
    assert exported <= set(MODELS)
    counts = {p: sum(_platform(c) == p for c in MODELS) for p in PLATFORM_MODULES}
    assert counts["talkturo"] >= 15, counts
    assert counts["talkover"] >= 25, counts
    assert counts["talkory"] >= 14, counts
    assert len(MODELS) >= 55


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: f"{_platform(c)}.{c.__name__}")
def test_to_dict_reads_back_into_an_equal_record(cls: type) -> None:
    """to_dict() structured by the platform's converter is equal (extra included); to_json agrees."""
    client = _client(_platform(cls))

    @settings(max_examples=EXAMPLES, deadline=None, database=None)
    @given(model=models(cls))
    def check(model: Model) -> None:
        data = model.to_dict()
        again = client.structure(data, cls)
        assert again == model
        assert again.to_dict() == data  # fields left out of == (extra, raw) too
        assert json.loads(model.to_json()) == data
        assert json.loads(model.to_json(indent=2)) == data
        _assert_attribute_names(model, model.to_dict(wire_names=False))

    check()


def _assert_attribute_names(model: Any, data: dict[str, Any]) -> None:
    names = {f.name for f in attrs.fields(type(model)) if f.name != "extra"}
    assert names <= data.keys()
    assert data.keys() - names <= set(getattr(model, "extra", {}))
    for name in names:
        _walk(getattr(model, name), data[name])


def _walk(value: Any, data: Any) -> None:
    if isinstance(value, Model):
        _assert_attribute_names(value, data)
    elif isinstance(value, list):
        for item, item_data in zip(value, data, strict=True):
            _walk(item, item_data)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(item, data[key])


# -- wire names and values --------------------------------------------------------------------


def test_wire_names_follow_the_platform() -> None:
    """Talkory and AvailableNumber use camelCase, Talkover/Talkturo snake_case, from_ is from."""
    query = Query(id="q", status=QueryStatus.SUCCESS, common_answer="42")
    assert query.to_dict()["commonAnswer"] == "42"
    assert query.to_dict(wire_names=False)["common_answer"] == "42"
    assert "monthlyPrice" in AvailableNumber(phone_number="+14155550100").to_dict()
    call = Call(id="c", from_="+14155550100", to_formatted="(415)")
    assert call.to_dict()["from"] == "+14155550100"
    assert call.to_dict()["to_formatted"] == "(415)"
    assert call.to_dict(wire_names=False)["from_"] == "+14155550100"


def test_values_are_json_ready() -> None:
    """Datetimes become ISO 8601, enums plain strings, None stays, nested records become dicts."""
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    data = Call(id="c", status="completed", created_at=at, agent=AgentSummary("a")).to_dict()
    assert data["created_at"] == "2026-01-02T03:04:05+00:00"
    assert type(data["status"]) is str
    assert data["duration"] is None
    assert data["agent"] == {"id": "a", "name": None, "label": None}
    assert Query(id="q", status=QueryStatus.RUNNING).to_dict()["status"] == "running"


def test_extra_keys_are_merged_back_and_fields_win() -> None:
    """Unknown keys return under their own names, nested too; a field beats a clashing key."""
    call = Call(id="c", agent=AgentSummary("a", extra={"team": "t"}), extra={"cost": 1, "id": "x"})
    data = call.to_dict()
    assert data["cost"] == 1
    assert data["id"] == "c"
    assert data["agent"]["team"] == "t"
    assert "extra" not in data
    assert call.to_dict(wire_names=False)["cost"] == 1


def test_to_json_indents_on_request() -> None:
    """to_json is one compact line by default and keeps non-ASCII text."""
    contact = Contact(id="c1", first_name="Zoë")
    assert "\n" not in contact.to_json()
    assert "Zoë" in contact.to_json()
    assert contact.to_json(indent=2).startswith('{\n  "id": "c1"')


# -- request id -------------------------------------------------------------------------------


def test_request_id_is_none_when_built_by_hand() -> None:
    """A record nobody received has no request id."""
    assert Contact(id="c1")._request_id is None


def test_request_id_takes_no_part_in_value_semantics() -> None:
    """==, hash and repr ignore the request id; evolve and pickling leave it behind."""
    plain = Contact(id="c1", first_name="Ada")
    tagged = set_request_id(Contact(id="c1", first_name="Ada"), "req_123")
    assert tagged._request_id == "req_123"
    assert tagged == plain
    assert repr(tagged) == repr(plain)
    # Records holding lists or dicts are unhashable, as attrs makes them; this one is not.
    summary = AgentSummary("a", name="Ada")
    assert hash(set_request_id(AgentSummary("a", name="Ada"), "req_1")) == hash(summary)
    assert "req_123" not in repr(tagged)
    assert attrs.evolve(tagged, first_name="Bo")._request_id is None
    restored = pickle.loads(pickle.dumps(tagged))
    assert restored == tagged
    assert restored._request_id is None
    assert "req_123" not in tagged.to_json()


def test_records_stay_frozen_and_slotted() -> None:
    """The base adds a slot, not a __dict__, and ordinary assignment still fails."""
    contact = set_request_id(Contact(id="c1"), "req_1")
    assert not hasattr(contact, "__dict__")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        contact.id = "c2"  # type: ignore[misc]


def test_set_request_id_tags_list_items_and_ignores_other_values() -> None:
    """A list answer tags each record; values that are not records pass through unchanged."""
    items = set_request_id([Contact(id="a"), Contact(id="b")], "req_9")
    assert [c._request_id for c in items] == ["req_9", "req_9"]
    assert set_request_id({"id": "a"}, "req_9") == {"id": "a"}
    assert set_request_id(None, "req_9") is None
