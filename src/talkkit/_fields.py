"""
Endpoint fields, declared once: in the resource method's own signature.

A method's parameters are its fields. The annotation gives the type, the default whether the
field is required, and `typing.Annotated` metadata the rest: a `Doc` (rendered by the API
reference) and a `Field` (the check, the wire name when the dialect's casing does not give it,
where the value goes). `fields_of(method)` reads that once per method; the same `FieldSet` then
checks and names a single call's body or query *and* a bulk job's rows, so a row is checked by
exactly the code that checks a single create::

    async def create(
        self,
        name: Annotated[str, Doc("The company's name."), Field(non_empty)],
        *,
        website: Annotated[str | None, Doc("Its web site."), Field()] = None,
        **options: Unpack[UnsafeRequestOptions],
    ) -> Company:
        body = self._client.fields(Companies.create, locals())
        ...
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, Literal

import attrs
from typing_extensions import Doc

from talkkit._converter import WireCase, wire_name
from talkkit._validate import Check
from talkkit.errors import InvalidRequestError

__all__ = ["Check", "Doc", "Field", "FieldSet", "FieldSpec", "fields_of"]


@attrs.frozen
class Field:
    """
    How one parameter goes on the wire (``Annotated`` metadata of a resource method).

    Attributes:
        check: Validates and converts the value (``None``: sent as given).
        wire: The wire name, when the dialect's casing of the parameter name is not it.
        into: ``"body"`` (default) or ``"query"``.
    """

    check: Check | None = None
    wire: str | None = None
    into: Literal["body", "query"] = "body"


@attrs.frozen
class FieldSpec:
    """One declared field: its parameter name, whether it is required, its `Field`, its doc."""

    name: str
    required: bool
    field: Field
    doc: str | None


_Step = tuple[str, bool, Check | None, str]
"""One field of a plan: its parameter name, whether it is required, its check, its key out."""


def _run(plan: tuple[_Step, ...], values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, required, check, key in plan:
        value = values.get(name)
        if value is None:
            if required:
                raise InvalidRequestError(name, "is required")
            continue
        out[key] = value if check is None else check(name, value)
    return out


@attrs.frozen
class FieldSet:
    """The declared fields of one method, in signature order."""

    fields: tuple[FieldSpec, ...]
    # Worked out once per (casing, destination): each field's name, whether it is required,
    # its check and the key it goes out under (its wire name, or its own name for `check`).
    _plans: dict[tuple[str | None, str | None], tuple[_Step, ...]] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    _names: dict[tuple[str, str], dict[str, str]] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )  # per (casing, destination): parameter name -> key out, for values already checked

    def check(self, values: Mapping[str, Any], *, into: str | None = None) -> dict[str, Any]:
        """
        The checked values of the fields found in ``values``, under their parameter names.

        ``None`` means "not given" (left out); a required field that is not given, or a value
        its check refuses, raises. ``into`` keeps only the body or the query fields.

        Raises:
            InvalidRequestError: Naming the field.
        """
        return _run(self._plan(None, into), values)

    def build(
        self,
        values: Mapping[str, Any],
        case: WireCase,
        into: str = "body",
        *,
        checked: bool = False,
    ) -> dict[str, Any]:
        """
        `check`, and the wire names, in one pass, for the fields that go ``into`` the body or
        query (under the dialect's ``case`` unless a field names its own).

        The per-call path of every resource method: which fields, their checks and wire names
        are worked out once per method and casing, not per call. ``checked``: ``values`` are
        already `check`'s output (a bulk row's), so they are named, not checked again.

        Raises:
            InvalidRequestError: Naming the field.
        """
        if checked:  # only the fields given, renamed (a bulk row's: a few of many fields)
            names = self._names.get((case, into)) or self._name(case, into)
            return {names[name]: value for name, value in values.items() if name in names}
        return _run(self._plan(case, into), values)

    def _name(self, case: WireCase, into: str) -> dict[str, str]:
        names = self._names[case, into] = {name: key for name, _, _, key in self._plan(case, into)}
        return names

    def _plan(self, case: WireCase | None, into: str | None) -> tuple[_Step, ...]:
        plan = self._plans.get((case, into))
        if plan is None:
            plan = self._plans[case, into] = tuple(
                (
                    s.name,
                    s.required,
                    s.field.check,
                    s.name if case is None else (s.field.wire or wire_name(s.name, case)),
                )
                for s in self.fields
                if into is None or s.field.into == into
            )
        return plan

    def names(self) -> frozenset[str]:
        """The parameter names of the declared fields."""
        return frozenset(spec.name for spec in self.fields)


@cache
def fields_of(method: Callable[..., Any]) -> FieldSet:
    """
    The fields a method declares (parameters annotated with a `Field`), read once.

    Raises:
        TypeError: A parameter's annotation cannot be resolved.
    """
    function = inspect.unwrap(method)
    hints = typing.get_type_hints(function, include_extras=True)
    specs: list[FieldSpec] = []
    for param in inspect.signature(function).parameters.values():
        extras = _metadata(hints.get(param.name))
        fields = [e for e in extras if isinstance(e, Field)]
        if not fields:
            continue
        docs = [e.documentation for e in extras if isinstance(e, Doc)]
        required = param.default is inspect.Parameter.empty
        specs.append(FieldSpec(param.name, required, fields[-1], docs[-1] if docs else None))
    return FieldSet(tuple(specs))


def _metadata(hint: Any) -> list[Any]:
    """
    The ``Annotated`` metadata of a hint, innermost first, also through ``Alias | None``.

    A field declared once as an alias (``Name = Annotated[str, Doc(...), Field(...)]``) is
    used as ``Name``, ``Name | None`` or ``Annotated[Name | None, Doc("other words")]``; the
    outermost `Doc` or `Field` wins.
    """
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        inner, *extras = typing.get_args(hint)
        return [*_metadata(inner), *extras]
    if origin is typing.Union or origin is types.UnionType:
        annotated = [a for a in typing.get_args(hint) if a is not type(None)]
        return _metadata(annotated[0]) if len(annotated) == 1 else []
    return []
