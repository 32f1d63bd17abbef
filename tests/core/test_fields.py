"""Endpoint fields declared in a signature: checks, wire names, aliases, required fields."""

from __future__ import annotations

from typing import Annotated, Any

import pytest

from talkkit import InvalidRequestError
from talkkit._fields import Doc, Field, fields_of
from talkkit._validate import e164, non_empty, text

Name = Annotated[str, Doc("The name."), Field(non_empty)]
Phone = Annotated[str, Doc("E.164."), Field(e164, wire="phoneNumber")]


def create(
    name: Name,
    *,
    phone: Annotated[Phone | None, Doc("Another doc for the same check.")] = None,
    team_id: Annotated[str | None, Field(text(), into="query")] = None,
    note: str | None = None,
    **options: Any,
) -> None:
    """A method whose parameters declare its fields."""
    del name, phone, team_id, note, options


def test_aliases_nest_and_the_outermost_doc_wins() -> None:
    """An alias used as ``X | None`` inside another ``Annotated`` keeps its check and wire name."""
    declared = fields_of(create)
    specs = {s.name: s for s in declared.fields}
    assert set(specs) == {"name", "phone", "team_id"}  # ``note`` declares no Field
    assert specs["name"].required
    assert not specs["phone"].required
    assert specs["phone"].doc == "Another doc for the same check."
    assert specs["phone"].field.wire == "phoneNumber"


def test_check_keeps_given_values_and_names_the_bad_field() -> None:
    """``None`` is not sent, a bad value names its field, a missing required one says so."""
    declared = fields_of(create)
    assert declared.check({"name": "Ada", "phone": None, "note": "x"}) == {"name": "Ada"}
    with pytest.raises(InvalidRequestError) as caught:
        declared.check({"name": "Ada", "phone": "555-0100"})
    assert caught.value.field == "phone"
    with pytest.raises(InvalidRequestError, match="name: is required"):
        declared.check({"phone": "+12025550143"})


def test_wire_names_follow_the_case_unless_a_field_names_its_own() -> None:
    """camelCase by the dialect, ``phoneNumber`` as declared; query fields apart from body ones."""
    declared = fields_of(create)
    values = {"name": "Ada", "phone": "+12025550143", "team_id": "team_1"}
    body = declared.build(values, "camel")
    assert body == {"name": "Ada", "phoneNumber": "+12025550143"}
    assert declared.build(declared.check(values), "camel", checked=True) == body
    query = declared.build(values, "camel", "query")
    assert query == {"teamId": "team_1"}
    assert declared.build(declared.check(values), "camel", "query", checked=True) == query
    assert declared.build({"team_id": "t"}, "snake", "query", checked=True) == {"team_id": "t"}
