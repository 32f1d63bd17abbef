"""
Griffe extension: give attrs classes the ``__init__`` attrs generates for them.

Griffe reads the source without importing it, so it does not see the ``__init__`` that
``@attrs.define`` / ``@attrs.frozen`` write at import time (it does this for dataclasses only).
Without it, a record or a config object renders with no signature, and the ``Args:`` of its
docstring (its constructor arguments) look like parameters that do not exist. This rebuilds the
signature the way attrs does: the annotated fields of the class and of its attrs bases, in
order, with their defaults (``attrs.field(default=...)``, ``factory=``), keyword-only where
the class or the field says so, and a private field's leading underscore dropped.
It changes what the docs read, never the code.
"""

from __future__ import annotations

from typing import Any

import griffe

_DECORATORS = {"attrs.define", "attrs.frozen", "attrs.mutable", "attr.define", "attr.frozen"}
_FIELD = {"attrs.field", "attr.field", "attr.ib"}


def _decorator(cls: griffe.Class) -> griffe.Expr | None:
    for decorator in cls.decorators:
        value = decorator.value
        if isinstance(value, griffe.Expr) and value.canonical_path in _DECORATORS:
            return value
    return None


def _arguments(call: object) -> dict[str, Any]:
    if not isinstance(call, griffe.ExprCall):
        return {}
    return {
        argument.name: argument.value
        for argument in call.arguments
        if isinstance(argument, griffe.ExprKeyword)
    }


def _own_parameters(cls: griffe.Class, kw_only: bool) -> list[griffe.Parameter]:
    parameters = []
    for member in cls.members.values():
        if member.is_alias or not member.is_attribute or member.annotation is None:
            continue
        if "property" in member.labels or "instance-attribute" not in member.labels:
            continue  # properties and ClassVars are not fields
        value = member.value
        field = _arguments(value) if getattr(value, "canonical_path", None) in _FIELD else None
        if field is not None and str(field.get("init")) == "False":
            continue
        if field is None:
            default = value
        elif "factory" in field:
            default = griffe.ExprCall(function=field["factory"], arguments=[])
        else:
            default = field.get("default")
        keyword = kw_only or (field is not None and str(field.get("kw_only")) == "True")
        parameters.append(
            griffe.Parameter(
                member.name.lstrip("_"),
                annotation=member.annotation,
                kind=griffe.ParameterKind.keyword_only
                if keyword
                else griffe.ParameterKind.positional_or_keyword,
                default=default,
                docstring=member.docstring,
            )
        )
    return parameters


def _parameters(cls: griffe.Class) -> list[griffe.Parameter]:
    try:
        lineage = [*reversed(cls.mro()), cls]
    except ValueError:
        lineage = [cls]
    by_name: dict[str, griffe.Parameter] = {}
    for klass in lineage:
        if (decorator := _decorator(klass)) is not None:
            kw_only = str(_arguments(decorator).get("kw_only")) == "True"
            for parameter in _own_parameters(klass, kw_only):
                by_name.pop(parameter.name, None)  # a redefined field moves to the end
                by_name[parameter.name] = parameter
    ordered = list(by_name.values())
    return [p for p in ordered if p.kind is not griffe.ParameterKind.keyword_only] + [
        p for p in ordered if p.kind is griffe.ParameterKind.keyword_only
    ]


class AttrsInit(griffe.Extension):
    """Add the attrs-generated ``__init__`` to every attrs class that does not define one."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        self._visit(pkg, set())

    def _visit(self, obj: griffe.Module | griffe.Class, seen: set[str]) -> None:
        if obj.path in seen:
            return
        seen.add(obj.path)
        if isinstance(obj, griffe.Class) and "__init__" not in obj.members and _decorator(obj):
            self_param = griffe.Parameter(
                "self", kind=griffe.ParameterKind.positional_or_keyword, annotation=None
            )
            init = griffe.Function(
                "__init__",
                lineno=0,
                endlineno=0,
                parent=obj,
                parameters=griffe.Parameters(self_param, *_parameters(obj)),
                returns="None",
            )
            obj.set_member("__init__", init)
        for member in obj.members.values():
            if not member.is_alias and (member.is_module or member.is_class):
                self._visit(member, seen)  # type: ignore[arg-type]
