"""No `Any` leaks into the public signatures of the resources (what users call)."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Iterator
from typing import Any

import talkkit
import talkkit.talkory
import talkkit.talkover
import talkkit.talkturo
from talkkit._resource import Resource
from talkkit.talkory import AsyncTalkory
from talkkit.talkover import AsyncTalkover
from talkkit.talkturo import AsyncTalkturo
from talkkit.talkturo._common import post_create
from talkkit.testing import EMULATOR_HOST

# Names the resource modules import only for type checking.
NAMES: dict[str, object] = {
    **vars(talkkit.talkory),
    **vars(talkkit.talkover),
    **vars(talkkit.talkturo),
    "AsyncTalkory": AsyncTalkory,
    "AsyncTalkover": AsyncTalkover,
    "AsyncTalkturo": AsyncTalkturo,
}


def _contains_any(tp: object) -> bool:
    if tp is Any:
        return True
    return any(_contains_any(arg) for arg in typing.get_args(tp))


def _resources() -> Iterator[tuple[str, type[Resource]]]:
    for client_cls, token in (
        (AsyncTalkturo, "t"),
        (AsyncTalkover, "talq_t"),
        (AsyncTalkory, "tk_live_t"),
    ):
        import httpx

        client = client_cls(
            token,
            base_url=EMULATOR_HOST,
            transport=httpx.MockTransport(lambda r: httpx.Response(200)),
        )
        for name, value in vars(client).items():
            if isinstance(value, Resource):
                yield f"{client_cls.__name__}.{name}", type(value)
                for sub, inner in vars(value).items() if hasattr(value, "__dict__") else ():
                    if isinstance(inner, Resource):
                        yield f"{client_cls.__name__}.{name}.{sub}", type(inner)


def test_no_any_in_resource_signatures() -> None:
    """Every public resource method is typed without Any (parameters and return values)."""
    offenders: list[str] = []
    checked = 0
    for where, cls in _resources():
        for name, function in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_"):
                continue
            namespace = {**vars(typing), **vars(talkkit), **NAMES, **function.__globals__}
            hints = typing.get_type_hints(function, namespace)
            checked += 1
            for param, hint in hints.items():
                if _contains_any(hint):
                    offenders.append(f"{where}.{name}({param}: {hint})")
    assert checked > 60
    # Bulk helpers return BulkJob[dict[str, Any]]: the payload type parameter is internal.
    offenders = [
        o for o in offenders if ".import_many(return" not in o and ".dial_many(return" not in o
    ]
    assert offenders == []


# Methods that send nothing (webhook helpers work on bytes the caller received).
NO_REQUEST = {"parse", "sign"}
UNSAFE_OPTIONS = (talkkit.UnsafeRequestOptions, talkkit.UnsafeExtraOptions)
ALL_OPTIONS = (talkkit.ExtraOptions, talkkit.RequestOptions, *UNSAFE_OPTIONS)


def test_every_resource_method_takes_the_per_call_options() -> None:
    """Every method that sends takes ``**options`` typed by one of the option TypedDicts."""
    missing: list[str] = []
    checked = 0
    for where, cls in _resources():
        for name, function in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_") or name in NO_REQUEST:
                continue
            checked += 1
            star = [
                p
                for p in inspect.signature(function).parameters.values()
                if p.kind is inspect.Parameter.VAR_KEYWORD
            ]
            namespace = {**vars(typing), **vars(talkkit), **NAMES, **function.__globals__}
            hints = typing.get_type_hints(function, namespace)
            hint = hints.get(star[0].name) if star else None
            options = typing.get_args(hint)[0] if typing.get_origin(hint) is typing.Unpack else None
            if options not in ALL_OPTIONS:
                missing.append(f"{where}.{name}")
    assert checked > 60
    assert missing == []


def test_idempotency_key_is_offered_exactly_on_unsafe_calls() -> None:
    """A method whose request is unsafe takes ``idempotency_key``; no other method does."""
    wrong: list[str] = []
    for where, cls in _resources():
        for name, function in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_") or name in NO_REQUEST:
                continue
            source = inspect.getsource(function)
            if "self._post(" in source:  # the create's request, declared once for bulk too
                source += inspect.getsource(cls._post)  # type: ignore[attr-defined]
                source += inspect.getsource(post_create)
            unsafe = name in SENT_ELSEWHERE_UNSAFE or (
                "Safety.UNSAFE" in source or ('"POST"' in source and "Safety." not in source)
            )
            hints = typing.get_type_hints(
                function, {**vars(typing), **vars(talkkit), **NAMES, **function.__globals__}
            )
            star = next(
                (
                    p.name
                    for p in inspect.signature(function).parameters.values()
                    if p.kind is inspect.Parameter.VAR_KEYWORD
                ),
                None,
            )
            options = typing.get_args(hints[star])[0] if star else None
            if unsafe != (options in UNSAFE_OPTIONS) and name not in BULK:
                wrong.append(f"{where}.{name}")
    assert wrong == []


# Bulk helpers send many requests: one key for all of them would be wrong.
BULK = {"import_many", "dial_many", "dial"}
# Unsafe calls whose request is built by a helper object (the stream sends on entering).
SENT_ELSEWHERE_UNSAFE = {"stream"}
