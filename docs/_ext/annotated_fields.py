"""
Griffe extension: let `griffe_typingdoc` read endpoint fields the way talkkit declares them.

A resource method declares each field as ``Annotated[type, Doc("..."), Field(...)]`` (see
`talkkit._fields`), written in two ways that griffe_typingdoc does not follow by itself:

- ``Doc`` is imported from `talkkit._fields`, which re-exports `typing_extensions.Doc`.
  griffe_typingdoc recognizes ``Doc`` by its canonical path, and Griffe stops at the first
  alias (``talkkit._fields.Doc``).
- A field shared by several methods is a module-level alias (``TeamId = Annotated[...]``)
  used as the parameter's annotation: by name (``TeamId``, ``f.Callee``), made optional
  (``Name | None``), or generic in its base type (``AssistantName[str]`` on create,
  ``AssistantName[str | None]`` on update).

Listed before ``griffe_typingdoc`` in ``mkdocs.yml``, this extension replaces an annotation
that names such an alias with the ``Annotated[...]`` it stands for, and points each metadata
call at the end of its alias chain, so griffe_typingdoc renders every ``Doc`` as the
parameter's documentation (and ``unwrap_annotated`` shows the plain type). It changes what
the docs read, never the code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import griffe

_ANNOTATED = {"typing.Annotated", "typing_extensions.Annotated"}


def _members(obj: griffe.Object) -> Iterator[griffe.Object]:
    """Every module, class, function and attribute below ``obj`` (aliases left out), depth first."""
    for member in obj.members.values():
        if member.is_alias:
            continue
        yield member
        if member.is_module or member.is_class:
            yield from _members(member)


class AnnotatedFields(griffe.Extension):
    """Expand ``Annotated`` aliases and resolve re-exported metadata (``Doc``) in annotations."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _members(pkg):
            if obj.is_function:
                for parameter in obj.parameters:
                    parameter.annotation = self._fix(parameter.annotation, obj)
            elif obj.is_attribute:
                obj.annotation = self._fix(obj.annotation, obj)

    def _fix(self, annotation: str | griffe.Expr | None, obj: griffe.Object) -> Any:
        collection = obj.modules_collection
        annotation = _expand(collection, annotation)
        if not _is_annotated(annotation) or not isinstance(annotation.slice, griffe.ExprTuple):
            return annotation
        for data in annotation.slice.elements[1:]:
            if isinstance(data, griffe.ExprCall) and isinstance(data.function, griffe.ExprName):
                path = data.function.canonical_path
                final = _final_path(collection, path)
                if final != path and "." in final:
                    module, name = final.rsplit(".", 1)
                    data.function = griffe.ExprName(name, parent=module)
        return annotation


def _expand(collection: Any, annotation: Any) -> Any:
    """
    An annotation naming an ``Annotated`` alias, as the ``Annotated[...]`` it stands for.

    ``TeamId`` or ``f.Callee`` -> its ``Annotated[...]``; ``Name | None`` -> ``Annotated[str |
    None, ...]``; ``Name[str]`` (a generic alias whose base type is its type variable) ->
    ``Annotated[str, ...]``. Anything else is returned as written.
    """
    if isinstance(annotation, griffe.ExprBinOp) and annotation.operator == "|":
        for side, other in ((annotation.left, annotation.right), (annotation.right, None)):
            expanded = _expand(collection, side)
            if expanded is not side and _is_annotated(expanded):
                base, *metadata = _elements(expanded)
                union = (
                    griffe.ExprBinOp(base, "|", other)
                    if other is not None
                    else griffe.ExprBinOp(annotation.left, "|", base)
                )
                return _annotated(expanded, [union, *metadata])
        return annotation
    name, argument = annotation, None
    if isinstance(annotation, griffe.ExprSubscript):
        name, argument = annotation.left, annotation.slice
    if not isinstance(name, griffe.ExprName | griffe.ExprAttribute):
        return annotation
    target = _final(collection, name.canonical_path)
    value = getattr(target, "value", None) if target is not None else None
    if target is None or not target.is_attribute or not _is_annotated(value):
        return annotation
    if argument is None:
        return value
    base, *metadata = _elements(value)
    variable = _final(collection, getattr(base, "canonical_path", ""))
    if variable is None or "TypeVar" not in str(getattr(variable, "value", "")):
        return annotation
    return _annotated(value, [argument, *metadata])


def _elements(annotated: griffe.ExprSubscript) -> list[Any]:
    inner = annotated.slice
    return list(inner.elements) if isinstance(inner, griffe.ExprTuple) else [inner]


def _annotated(like: griffe.ExprSubscript, elements: list[Any]) -> griffe.ExprSubscript:
    return griffe.ExprSubscript(like.left, griffe.ExprTuple(elements, implicit=True))


def _is_annotated(value: object) -> bool:
    return isinstance(value, griffe.ExprSubscript) and value.canonical_path in _ANNOTATED


def _final(collection: Any, path: str) -> griffe.Object | None:
    """The object at the end of ``path``'s alias chain, if it is in the loaded packages."""
    try:
        obj = collection.get_member(path)
        return obj.final_target if obj.is_alias else obj
    except (KeyError, ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def _final_path(collection: Any, path: str) -> str:
    """Follow aliases inside the loaded packages; stop at the first path outside them."""
    seen: set[str] = set()
    while path not in seen:
        seen.add(path)
        try:
            obj = collection.get_member(path)
        except (KeyError, ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
            return path
        if not obj.is_alias:
            return str(obj.path)
        path = obj.target_path
    return path


class MergedParameters(griffe.Extension):
    """
    One parameters table per function, in signature order.

    Listed after ``griffe_typingdoc``: a method that documents some parameters in ``Args:``
    and others with ``Doc`` gets two sections from it; they are merged into the first.
    """

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _members(pkg):
            if obj.is_function and obj.docstring is not None:
                _merge_tables(obj)


def _merge_tables(obj: griffe.Object) -> None:
    """Merge a function's parameter tables into its first, in signature order."""
    assert obj.docstring is not None  # (checked by the caller)
    sections = obj.docstring.parsed
    tables = [s for s in sections if s.kind is griffe.DocstringSectionKind.parameters]
    if len(tables) < 2:
        return
    order = {p.name: i for i, p in enumerate(obj.parameters)}
    merged = {p.name: p for table in reversed(tables) for p in table.value}
    tables[0].value = sorted(
        merged.values(), key=lambda p: order.get(p.name.lstrip("*"), len(order))
    )
    for table in tables[1:]:
        sections.remove(table)
