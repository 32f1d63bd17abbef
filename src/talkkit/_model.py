"""
`Model`, the base of every API record: ``to_dict()``, ``to_json()`` and ``_request_id``.

Records stay plain ``@attrs.frozen`` classes; the base adds no attrs field. Each platform
subclasses it once to declare its response casing (``_wire_case``), so that one statement
drives both directions: the converters read the same attribute when they structure a response
and when they unstructure a record.
"""

from __future__ import annotations

import json
import typing
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import attrs

from talkkit._converter import WireCase, make_converter

if TYPE_CHECKING:
    import cattrs

__all__ = ["Created", "Model", "envelope_of", "set_request_id"]

T = TypeVar("T")


@cache
def _converter(wire_names: bool) -> cattrs.Converter:
    """
    The converter of `Model.to_dict`: built on first use, once (not when talkkit is imported).

    Each record class names its own casing, so two converters serve every platform.
    """
    return make_converter(response_case="snake", wire_names=wire_names)


class Model:
    """
    Base of the API records: JSON-ready views and the id of the response a record came from.

    Subclasses are ``@attrs.frozen`` (slotted); this base holds one slot outside the attrs
    fields, so the request id takes no part in ``==``, ``hash``, ``repr``, pickling or
    ``attrs.evolve`` (a copy made those ways has no request id).
    """

    __slots__ = ("_talkkit_request_id",)

    _wire_case: ClassVar[WireCase]
    """
    The platform's response casing: set by each platform's base, overridden by a record the
    platform sends in another casing. Unset, a converter uses its ``response_case``.
    """

    _envelope: ClassVar[str | None] = None
    """The key a success body keeps one such record under (Talkturo's ``"contact"``), if any."""
    _list_envelope: ClassVar[str | None] = None
    """The key a success body keeps a list of them under (``"contacts"``), if any."""

    @property
    def _request_id(self) -> str | None:
        """The ``X-Request-Id`` of the response this record came from (``None`` if built)."""
        return getattr(self, "_talkkit_request_id", None)

    def to_dict(self, *, wire_names: bool = True) -> dict[str, Any]:
        """
        The record as JSON-ready data: datetimes as ISO 8601 strings, enums as their values,
        nested records, lists and dicts converted too, ``None`` fields kept as ``None``.

        Keys the API sent that this version does not know (``extra``) are merged back under
        the names they came with; a declared field wins a clash.

        Args:
            wire_names: Use the platform's wire names (``createdAt`` on Talkory), the ones a
                response carries, so the result reads back into an equal record. ``False``
                uses the Python attribute names (``created_at``, ``from_``).

        .. versionadded:: 0.1
        """
        data: dict[str, Any] = _converter(wire_names).unstructure(self)
        return data

    def to_json(self, *, wire_names: bool = True, indent: int | None = None) -> str:
        """
        `to_dict` as a JSON string (non-ASCII characters kept as they are).

        Args:
            wire_names: See `to_dict`.
            indent: Pretty-print with this indent; ``None`` for one compact line.

        .. versionadded:: 0.1
        """
        return json.dumps(self.to_dict(wire_names=wire_names), indent=indent, ensure_ascii=False)


def set_request_id(value: T, request_id: str | None) -> T:
    """
    Record the response's request id on ``value`` (a `Model`, or each `Model` of a list) and
    return ``value``; anything else is returned untouched.
    """
    if isinstance(value, Model):
        object.__setattr__(value, "_talkkit_request_id", request_id)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, Model):
                object.__setattr__(item, "_talkkit_request_id", request_id)
    return value


def envelope_of(cls: Any) -> str | None:
    """
    Where a success body keeps a payload of type ``cls``: a `Model`'s ``_envelope``, the item
    model's ``_list_envelope`` for ``list[Model]``, else ``None`` (the dialect's default).
    """
    if type(cls) is not type and typing.get_origin(cls) is list:  # (a class: no alias)
        (item,) = typing.get_args(cls)
        return getattr(item, "_list_envelope", None)
    return getattr(cls, "_envelope", None)


@attrs.frozen
class Created:
    """
    What a bulk import keeps of a create's answer: the new record's id (``None`` when the
    answer has none). Only the id is read, not the whole record: structuring it cost about
    6 µs of the job's 200 per row.
    """

    id: str | None = None
