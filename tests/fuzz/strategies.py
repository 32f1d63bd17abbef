"""
Hypothesis strategies for the fuzz tests: JSON of any shape, platform records built from their
attrs annotations (well-typed, or with missing, extra and wrong-typed fields), pathological
bodies (huge, deeply nested, not UTF-8), and the settings of the active profile.
"""

from __future__ import annotations

import enum
import json
import os
import types
import typing
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, Literal

import attrs
import httpx
from hypothesis import settings
from hypothesis import strategies as st

from talkkit._converter import to_camel
from talkkit.talkory import AsyncTalkory
from talkkit.talkory import types as talkory_types
from talkkit.talkover import AsyncTalkover
from talkkit.talkover import types as talkover_types
from talkkit.talkturo import AsyncTalkturo
from talkkit.talkturo import types as talkturo_types

__all__ = [
    "PLATFORMS",
    "Platform",
    "Scripted",
    "bodies",
    "fuzz",
    "json_values",
    "junk_record",
    "lenient_record",
    "make_client",
    "profile_name",
    "records_of",
]

Platform = Literal["talkturo", "talkover", "talkory"]
PLATFORMS: tuple[Platform, ...] = ("talkturo", "talkover", "talkory")
WireCase = Literal["camel", "snake"]


def profile_name() -> str:
    """``fuzz`` when ``HYPOTHESIS_PROFILE=fuzz`` (thousands of examples), else ``fuzz-ci``."""
    return "fuzz" if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else "fuzz-ci"


def fuzz(**overrides: Any) -> settings:
    """The active fuzz profile's settings (registered in ``conftest.py``), with overrides."""
    return settings(settings.get_profile(profile_name()), **overrides)


# -- JSON -------------------------------------------------------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.builds(pow, st.sampled_from([10, -10]), st.integers(min_value=18, max_value=400))
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["", " ", "null", "2026-11-23T10:00:00Z", "2026-13-45", "+12025550100"])
)


@cache
def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Any JSON value (NaN and Infinity included: Python's ``json`` reads them)."""
    return st.recursive(
        _scalars,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
        ),
        max_leaves=max_leaves,
    )


# -- records ----------------------------------------------------------------------------------

_MODULES = {"talkturo": talkturo_types, "talkover": talkover_types, "talkory": talkory_types}
_CASE: dict[Platform, WireCase] = {"talkturo": "snake", "talkover": "snake", "talkory": "camel"}
_CAMEL_CLASSES = {talkturo_types.AvailableNumber}  # Talkturo's one camelCase payload


@cache
def records_of(platform: Platform) -> tuple[type[Any], ...]:
    """Every public attrs record of a platform's ``types`` module."""
    module = _MODULES[platform]
    found = []
    for name in module.__all__:
        cls = getattr(module, name)
        if isinstance(cls, type) and attrs.has(cls):
            attrs.resolve_types(cls)
            found.append(cls)
    return tuple(found)


def _case_of(platform: Platform, cls: type[Any]) -> WireCase:
    return "camel" if cls in _CAMEL_CLASSES else _CASE[platform]


def _wire(name: str, case: WireCase) -> str:
    return to_camel(name) if case == "camel" else name.rstrip("_")


def _timestamps() -> st.SearchStrategy[Any]:
    moments = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1))
    return (
        moments.map(lambda d: d.isoformat())
        | moments.map(lambda d: d.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z"))
        | moments.map(lambda d: int(d.replace(tzinfo=UTC).timestamp()))
    )


def _typed(tp: Any, platform: Platform, depth: int) -> st.SearchStrategy[Any]:
    """Values of type ``tp`` as the platform would send them (unknown enum values included)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        strategy = st.one_of([_typed(a, platform, depth) for a in options])
        return strategy | st.none() if type(None) in typing.get_args(tp) else strategy
    if origin is list:
        (item,) = typing.get_args(tp) or (Any,)
        return st.lists(_typed(item, platform, depth + 1), max_size=2) | st.none()
    if origin is dict:
        _, value = typing.get_args(tp) or (str, Any)
        return st.dictionaries(st.text(max_size=10), _typed(value, platform, depth + 1), max_size=2)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from([m.value for m in tp])
    if isinstance(tp, type) and attrs.has(tp):
        return st.deferred(lambda: lenient_record(tp, platform, depth + 1))
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: st.text(max_size=20),
        int: st.integers(min_value=-(2**53), max_value=2**53),
        float: st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(10**6), 10**6),
        bool: st.booleans(),
        datetime: _timestamps(),
        date: st.dates().map(date.isoformat),
    }
    return simple.get(tp, json_values(4))


@cache
def lenient_record(
    cls: type[Any], platform: Platform, depth: int = 0
) -> st.SearchStrategy[dict[str, Any]]:
    """
    A well-typed body for ``cls``: required fields present, optional ones present or missing,
    unknown keys added, enums sometimes a value this version does not know.
    """
    attrs.resolve_types(cls)  # the annotations are strings until resolved
    case = _case_of(platform, cls)
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for field in attrs.fields(cls):
        if field.name == "extra":
            continue
        strategy = _typed(field.type, platform, depth)
        if _enum_or_str(field.type):
            strategy = strategy | st.text(min_size=1, max_size=12)  # an unknown enum value
        if field.default is attrs.NOTHING:
            required[_wire(field.name, case)] = strategy
        elif depth < 1:  # nested records: their required fields only (keeps examples cheap)
            optional[_wire(field.name, case)] = strategy
    known = set(required) | set(optional)
    extra = st.dictionaries(
        st.text(min_size=1, max_size=10).filter(lambda k: k not in known),
        json_values(4),
        max_size=2,
    )
    return st.builds(
        lambda fixed, maybe, more: {**more, **fixed, **maybe},
        st.fixed_dictionaries(required),
        st.fixed_dictionaries({}, optional=optional),
        extra,
    )


def _enum_or_str(tp: Any) -> bool:
    args = typing.get_args(tp)
    return str in args and any(isinstance(a, type) and issubclass(a, enum.Enum) for a in args)


@cache
def junk_record(cls: type[Any], platform: Platform) -> st.SearchStrategy[Any]:
    """A body for ``cls`` where any field may be missing, of the wrong type, or absurd."""
    attrs.resolve_types(cls)
    case = _case_of(platform, cls)
    fields = {
        _wire(f.name, case): _typed(f.type, platform, 2) | json_values(6)
        for f in attrs.fields(cls)
        if f.name != "extra"
    }
    record = st.fixed_dictionaries({}, optional=fields).flatmap(
        lambda body: st.dictionaries(st.text(max_size=8), json_values(4), max_size=3).map(
            lambda more: {**more, **body}
        )
    )
    return record | json_values(10)


# -- bodies -----------------------------------------------------------------------------------


def _deep(depth: int, kind: str) -> bytes:
    if kind == "list":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


_light_bodies = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(
        [
            b"",
            b" ",
            b"null",
            b"<html><body>502 Bad Gateway</body></html>",
            b'{"error": ',  # truncated
            b"\xff\xfe{\x00}\x00",  # UTF-16 with a BOM
            b'{"data": "\xc3\x28"}',  # invalid UTF-8 inside a string
            b'{"success": true, "data": \xed\xa0\x80}',  # an encoded lone surrogate
            b"NaN",
            b"[1e999]",
        ]
    ),
    json_values().map(lambda v: json.dumps(v).encode()),
)
_heavy_bodies = st.one_of(
    st.builds(_deep, st.sampled_from([900, 5_000, 100_000]), st.sampled_from(["list", "dict"])),
    st.just(b'{"s": "' + b"x" * (1 << 20) + b'"}'),  # a megabyte
)
bodies = st.integers(min_value=0, max_value=9).flatmap(
    lambda n: _heavy_bodies if n == 0 else _light_bodies  # one in ten is huge or deep
)
"""Response bodies no API should send: bytes, broken JSON, huge, deeply nested, not UTF-8."""


# -- clients ----------------------------------------------------------------------------------

_TOKENS = {"talkturo": "tk_test_fuzz", "talkover": "talq_fuzz", "talkory": "tk_live_" + "f" * 32}


def make_client(platform: Platform, transport: httpx.AsyncBaseTransport, **options: Any) -> Any:
    """A client of ``platform`` over ``transport`` (it does not own it: no close needed)."""
    options.setdefault("rate_limit", None)
    token = _TOKENS[platform]
    if platform == "talkturo":
        return AsyncTalkturo(
            token,
            base_url="https://acme.talkturo.test/api",
            team_id="team_1",
            transport=transport,
            **options,
        )
    if platform == "talkover":
        return AsyncTalkover(token, transport=transport, **options)
    return AsyncTalkory(token, transport=transport, **options)


@attrs.define
class Scripted:
    """
    A `httpx.MockTransport` handler whose answer each example sets, so that one client (and
    its converter, whose structuring code is generated on first use) serves every example.
    """

    status: int = 200
    headers: list[tuple[bytes, bytes]] = attrs.Factory(list)
    content: bytes = b""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(self.status, headers=self.headers, content=self.content)

    def answer(
        self, status: int, content: bytes, headers: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        """Set the next answers."""
        self.status, self.content, self.headers = status, content, headers or []
