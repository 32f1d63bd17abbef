"""
cattrs converters for the platforms' wire formats, shaped like a cattrs ``preconf`` module.

- attribute names are snake_case; the wire name is derived from the record class's casing
  (``_wire_case``, declared once on each platform's model base) or else the converter's
  ``response_case`` (``checked_at`` <-> ``checkedAt``; a trailing underscore is dropped:
  ``from_`` <-> ``from``);
- reads are lenient: unknown keys are kept in the model's ``extra`` field, unknown enum values
  pass through as plain strings, timestamps become aware datetimes (UTC when unzoned), and
  ``null`` where a list belongs reads as an empty list;
- a structuring failure becomes one `DecodeError` that names the path (``$.providers.gpt``);
- unstructuring mirrors structuring (wire names, ``extra`` merged back, datetimes as ISO 8601),
  so structuring what a converter unstructured gives an equal record.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import attrs

from talkkit.errors import DecodeError

if TYPE_CHECKING:  # cattrs loads with the first converter, not with ``import talkkit``
    import cattrs

_MISFITS = (ValueError, TypeError, KeyError, AttributeError, RecursionError)
"""What else a hook raises for data that does not fit (besides cattrs' validation errors)."""

__all__ = [
    "WireCase",
    "camelize_keys",
    "configure_converter",
    "make_converter",
    "structure",
    "to_camel",
    "wire_case_of",
    "wire_name",
]

T = TypeVar("T")
WireCase = Literal["camel", "snake"]


def to_camel(name: str) -> str:
    """``first_name`` -> ``firstName``; ``address_line1`` -> ``addressLine1``; ``from_`` -> ``from``."""
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def wire_name(name: str, case: WireCase) -> str:
    """An attribute or parameter name as the wire spells it in ``case``."""
    return to_camel(name) if case == "camel" else name.rstrip("_")


def wire_case_of(cls: type[Any], default: WireCase) -> WireCase:
    """The casing ``cls`` declares in a ``_wire_case`` class attribute, else ``default``."""
    case = getattr(cls, "_wire_case", None)
    return "camel" if case == "camel" else "snake" if case == "snake" else default


def camelize_keys(values: Mapping[str, Any]) -> dict[str, Any]:
    """A request body from snake_case keyword arguments (top level only)."""
    return {to_camel(k): v for k, v in values.items()}


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
    elif isinstance(value, str):
        parsed = datetime.fromisoformat(value.strip())
    else:
        raise TypeError(f"expected an ISO 8601 timestamp, got {type(value).__name__}")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _structure_date(value: Any, _: type) -> date:
    if not isinstance(value, str):
        raise TypeError(f"expected a YYYY-MM-DD date, got {type(value).__name__}")
    return date.fromisoformat(value.strip()[:10])


def _lenient_enum_union(tp: Any) -> bool:
    """``SomeEnum | str`` (optionally ``| None``): known values -> enum, others kept as str."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return False
    args = typing.get_args(tp)
    return str in args and any(isinstance(a, type) and issubclass(a, enum.Enum) for a in args)


def _make_lenient_enum_hook(tp: Any) -> Callable[[Any, Any], Any]:
    args = typing.get_args(tp)
    enum_cls = next(a for a in args if isinstance(a, type) and issubclass(a, enum.Enum))
    nullable = type(None) in args
    # A value's member, as ``enum_cls(value)`` finds it first (an alias's too); anything else
    # goes through ``enum_cls(value)`` itself (its ``_missing_`` included).
    members: Mapping[object, enum.Enum] = enum_cls._value2member_map_

    def hook(value: Any, _: Any) -> Any:
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            raise TypeError(f"expected a string, got {type(value).__name__}")
        member = members.get(value)
        if member is not None:
            return member
        try:
            return enum_cls(value)
        except ValueError:
            return value

    return hook


def _is_optional(tp: Any) -> bool:
    """``X | None`` (``Optional[X]``) of one type ``X`` other than a union."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return False
    args = typing.get_args(tp)
    return len(args) == 2 and types.NoneType in args


def _is_list(tp: Any) -> bool:
    return typing.get_origin(tp) is list


def configure_converter(
    converter: cattrs.Converter, *, response_case: WireCase, wire_names: bool = True
) -> None:
    """
    Register talkkit's hooks: simple types first, then the attrs class factories.

    Args:
        converter: The converter to configure.
        response_case: The wire casing of attrs classes that declare none (``_wire_case``).
        wire_names: Unstructure under wire names (``False``: under attribute names).
            Structuring always reads wire names.
    """
    from cattrs.cols import list_structure_factory
    from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

    def list_factory(tp: Any) -> Callable[[Any, Any], Any]:
        base = list_structure_factory(tp, converter)

        def hook(value: Any, cl: Any) -> Any:
            # APIs send null for a list they have nothing in (Talkover's custom_headers).
            return [] if value is None else base(value, cl)

        return hook

    def optional_factory(tp: Any) -> Callable[[Any, Any], Any]:
        # cattrs' own looks the inner type's hook up on every value; this, once.
        (inner,) = (a for a in typing.get_args(tp) if a is not types.NoneType)
        inner_hook = converter.get_structure_hook(inner)

        def hook(value: Any, _: Any) -> Any:
            return None if value is None else inner_hook(value, inner)

        return hook

    converter.register_structure_hook_factory(_is_optional, optional_factory)
    converter.register_structure_hook_factory(_is_list, list_factory)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_structure_hook(date, _structure_date)
    converter.register_structure_hook_factory(_lenient_enum_union, _make_lenient_enum_hook)
    converter.register_unstructure_hook(datetime, lambda d: d.isoformat())
    converter.register_unstructure_hook(date, lambda d: d.isoformat())

    def attrs_factory(cls: type[Any]) -> Callable[[Any, Any], Any]:
        case = wire_case_of(cls, response_case)
        fields = attrs.fields(cls)
        names = {a.name for a in fields}
        overrides = {
            a.name: override(omit=True)
            if a.name == "extra"
            else override(rename=wire_name(a.name, case))
            for a in fields
        }
        base = make_dict_structure_fn(cls, converter, **overrides)  # type: ignore[arg-type]
        if "extra" not in names:
            return base
        known = frozenset(wire_name(a.name, case) for a in fields if a.name != "extra")

        def hook(data: Any, tp: Any) -> Any:
            if type(data) is not dict and not isinstance(data, Mapping):
                raise TypeError(f"expected a JSON object, got {type(data).__name__}")
            obj = base(data, tp)
            if data.keys() - known:  # (one set operation when every key is known)
                extra = {k: v for k, v in data.items() if k not in known}
                object.__setattr__(obj, "extra", extra)
            return obj

        return hook

    def attrs_unstructure_factory(cls: type[Any]) -> Callable[[Any], Any]:
        case = wire_case_of(cls, response_case)
        fields = attrs.fields(cls)
        overrides = {
            a.name: override(omit=True)
            if a.name == "extra"
            else override(rename=wire_name(a.name, case) if wire_names else a.name)
            for a in fields
        }
        base = make_dict_unstructure_fn(cls, converter, **overrides)  # type: ignore[arg-type]
        if not any(a.name == "extra" for a in fields):
            return base

        def hook(obj: Any) -> dict[str, Any]:
            data = base(obj)
            # Unknown keys go back as they came; a declared field wins a clash (only possible
            # in a record built by hand, or under attribute names).
            for key, value in obj.extra.items():
                if key not in data:
                    data[key] = converter.unstructure(value)
            return data

        return hook

    converter.register_structure_hook_factory(attrs.has, attrs_factory)
    converter.register_unstructure_hook_factory(attrs.has, attrs_unstructure_factory)


def make_converter(*, response_case: WireCase, wire_names: bool = True) -> cattrs.Converter:
    """A new converter for one platform (never cattrs' global one); see `configure_converter`."""
    import cattrs

    converter = cattrs.Converter(detailed_validation=True, forbid_extra_keys=False)
    configure_converter(converter, response_case=response_case, wire_names=wire_names)
    return converter


def structure(converter: cattrs.Converter, data: Any, cls: type[T]) -> T:
    """
    Structure ``data`` into ``cls``; the one place cattrs errors are translated.

    Raises:
        DecodeError: The data does not fit, with the path of the first problem.
    """
    try:
        return converter.structure(data, cls)
    except Exception as exc:
        import cattrs

        if isinstance(exc, cattrs.BaseValidationError):
            problems = cattrs.transform_error(exc, path="$")
        elif isinstance(exc, _MISFITS):
            problems = [f"{exc} @ $"]
        else:
            raise
        first = problems[0] if problems else "invalid data @ $"
        path = first.rsplit(" @ ", 1)[-1] if " @ " in first else "$"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        name = getattr(cls, "__name__", str(cls))
        raise DecodeError(f"response does not fit {name}: {first}{more}", path=path) from exc
