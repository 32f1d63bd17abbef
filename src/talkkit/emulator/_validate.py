"""Collect validation problems from JSON bodies and query strings, then word them per platform."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from talkkit.emulator._errors import Dialect

__all__ = ["Fields", "Problem", "Reader", "laravel_message", "plain_message", "read_all"]


@attrs.frozen
class Problem:
    """One thing wrong with one field: `rule` names the check, `params` its limits."""

    field: str
    rule: str
    params: tuple[object, ...] = ()


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))


def _is_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


_FORMATS: dict[str, Callable[[str], bool]] = {
    "e164": lambda v: re.fullmatch(r"\+[1-9]\d{6,14}", v) is not None,
    "email": lambda v: re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v) is not None,
    "url": lambda v: re.fullmatch(r"https?://[^\s/$.?#][^\s]*", v) is not None,
    "date": _is_date,
    "datetime": _is_datetime,
    "time": lambda v: re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?", v) is not None,
    "country": lambda v: re.fullmatch(r"[A-Z]{2}", v) is not None,
    "area_code": lambda v: re.fullmatch(r"\d{3}", v) is not None,
}

_MISSING = object()


class Fields:
    """
    Typed reads from a JSON object (or a query string) that record problems instead of raising.

    Every accessor returns `None` when the field is absent or invalid, so a handler reads all
    fields, then calls `check()` once to answer with every problem in the platform's dialect.
    """

    def __init__(
        self, data: Mapping[str, Any], *, prefix: str = "", from_query: bool = False
    ) -> None:
        self.data = data
        self.prefix = prefix
        self.from_query = from_query
        self.problems: list[Problem] = []

    def add(self, name: str, rule: str, *params: object) -> None:
        """Record a problem found by the handler itself (for example an unknown id)."""
        self.problems.append(Problem(self.prefix + name, rule, params))

    def check(self, dialect: Dialect) -> None:
        """Raise the dialect's validation error when any problem was recorded."""
        if self.problems:
            raise dialect.invalid(self.problems)

    def has(self, name: str) -> bool:
        """Tell whether the field was sent at all (even as null)."""
        return name in self.data

    def _raw(self, name: str, required: bool) -> Any:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.add(name, "required")
            return _MISSING
        return value

    def text(
        self,
        name: str,
        *,
        required: bool = False,
        max_len: int | None = None,
        min_len: int | None = None,
        choices: Sequence[str] | None = None,
        fmt: str | None = None,
    ) -> str | None:
        """Read a string, checking length, allowed values and a named format."""
        value = self._raw(name, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.add(name, "string")
            return None
        if min_len is not None and len(value) < min_len:
            self.add(name, "min_len", min_len)
            return None
        return self._check_text(name, value, max_len, choices, fmt)

    def _check_text(
        self,
        name: str,
        value: str,
        max_len: int | None,
        choices: Sequence[str] | None,
        fmt: str | None,
    ) -> str | None:
        if max_len is not None and len(value) > max_len:
            self.add(name, "max_len", max_len)
        elif choices is not None and value not in choices:
            self.add(name, "in", *choices)
        elif fmt is not None and not _FORMATS[fmt](value):
            self.add(name, fmt)
        else:
            return value
        return None

    def number(
        self,
        name: str,
        *,
        required: bool = False,
        lo: float | None = None,
        hi: float | None = None,
        integer: bool = False,
    ) -> float | None:
        """Read a number (an integer when `integer`), checking an inclusive range."""
        value = self._raw(name, required)
        if value is _MISSING:
            return None
        if self.from_query and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = int(value) if integer else float(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(name, "integer" if integer else "number")
            return None
        if integer and not isinstance(value, int):
            self.add(name, "integer")
            return None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.add(name, "between", lo, hi)
            return None
        return value

    def integer(
        self, name: str, *, required: bool = False, lo: int | None = None, hi: int | None = None
    ) -> int | None:
        """Read an integer, checking an inclusive range."""
        value = self.number(name, required=required, lo=lo, hi=hi, integer=True)
        return None if value is None else int(value)

    def flag(self, name: str, *, required: bool = False) -> bool | None:
        """Read a boolean (in a query string: `true`/`false`/`1`/`0`)."""
        value = self._raw(name, required)
        if value is _MISSING:
            return None
        if self.from_query and isinstance(value, str) and value.lower() in _QUERY_BOOLS:
            return _QUERY_BOOLS[value.lower()]
        if not isinstance(value, bool):
            self.add(name, "boolean")
            return None
        return value

    def strings(
        self,
        name: str,
        *,
        required: bool = False,
        min_items: int = 0,
        choices: Sequence[str] | None = None,
        fmt: str | None = None,
    ) -> list[str] | None:
        """Read an array of strings; each item is checked like `text`."""
        items = self._array(name, required, min_items)
        if items is None:
            return None
        out: list[str] = []
        for index, item in enumerate(items):
            key = f"{name}.{index}"
            if not isinstance(item, str):
                self.add(key, "string")
            elif (checked := self._check_text(key, item, None, choices, fmt)) is not None:
                out.append(checked)
        return out if len(out) == len(items) else None

    def integers(
        self, name: str, *, required: bool = False, min_items: int = 0, lo: int, hi: int
    ) -> list[int] | None:
        """Read an array of integers within an inclusive range."""
        items = self._array(name, required, min_items)
        if items is None:
            return None
        bad = [i for i, v in enumerate(items) if type(v) is not int or not lo <= v <= hi]
        for index in bad:
            self.add(f"{name}.{index}", "between", lo, hi)
        return None if bad else list(items)

    def mapping(self, name: str, *, required: bool = False) -> dict[str, Any] | None:
        """Read a JSON object."""
        value = self._raw(name, required)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self.add(name, "object")
            return None
        return value

    def mappings(
        self, name: str, *, required: bool = False, min_items: int = 0
    ) -> list[dict[str, Any]] | None:
        """Read an array of JSON objects."""
        items = self._array(name, required, min_items)
        if items is None:
            return None
        if not all(isinstance(item, dict) for item in items):
            self.add(name, "objects")
            return None
        return list(items)

    def _array(self, name: str, required: bool, min_items: int) -> list[Any] | None:
        value = self.data.get(name)
        if value is None:
            if required:
                self.add(name, "required")
            return None
        if not isinstance(value, list):
            self.add(name, "array")
            return None
        if len(value) < min_items:
            self.add(name, "min_items", min_items)
            return None
        return value


_QUERY_BOOLS = {"true": True, "1": True, "false": False, "0": False}

Reader = Callable[[Fields, str], object]
"""Reads one field, e.g. `functools.partial(Fields.text, required=True, max_len=255)`."""


def read_all(
    fields: Fields, spec: Mapping[str, Reader], *, partial: bool = False
) -> dict[str, Any]:
    """
    Read every field of `spec` (with `partial`, only those present in the body).

    Returns the values by field name; problems are recorded on `fields`.
    """
    return {
        name: read(fields, name) for name, read in spec.items() if not partial or fields.has(name)
    }


def _num(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _range(params: tuple[object, ...]) -> tuple[str, str]:
    lo, hi = params
    return _num(lo), _num(hi)


_PLAIN: dict[str, Callable[[str, tuple[object, ...]], str]] = {
    "required": lambda f, p: f"{f} is required",
    "string": lambda f, p: f"{f} must be a string",
    "integer": lambda f, p: f"{f} must be an integer",
    "number": lambda f, p: f"{f} must be a number",
    "boolean": lambda f, p: f"{f} must be a boolean",
    "array": lambda f, p: f"{f} must be an array",
    "object": lambda f, p: f"{f} must be an object",
    "objects": lambda f, p: f"{f} must be an array of objects",
    "max_len": lambda f, p: f"{f} must be at most {p[0]} characters",
    "min_len": lambda f, p: f"{f} must be at least {p[0]} characters",
    "min_items": lambda f, p: f"{f} must contain at least {p[0]} item(s)",
    "in": lambda f, p: f"{f} must be one of: {', '.join(map(str, p))}",
    "e164": lambda f, p: f"{f} must be E.164",
    "email": lambda f, p: f"{f} must be a valid email address",
    "url": lambda f, p: f"{f} must be a valid URL",
    "date": lambda f, p: f"{f} must be a date (YYYY-MM-DD)",
    "datetime": lambda f, p: f"{f} must be an ISO 8601 timestamp",
    "time": lambda f, p: f"{f} must be a time (HH:MM)",
    "country": lambda f, p: f"{f} must be an ISO 3166-1 alpha-2 country code",
    "area_code": lambda f, p: f"{f} must be 3 digits",
    "exists": lambda f, p: f"{f} does not exist",
    "after": lambda f, p: f"{f} must be after {p[0]}",
}


def _between_plain(field: str, params: tuple[object, ...]) -> str:
    lo, hi = params
    if lo is None:
        return f"{field} must be at most {_num(hi)}"
    if hi is None:
        return f"{field} must be at least {_num(lo)}"
    return f"{field} must be between {_num(lo)} and {_num(hi)}"


def plain_message(problem: Problem) -> str:
    """Word a problem the way Talkturo and Talkory do: `phone must be E.164`."""
    if problem.rule == "between":
        return _between_plain(problem.field, problem.params)
    return _PLAIN[problem.rule](problem.field, problem.params)


_LARAVEL: dict[str, str] = {
    "required": "The {a} field is required.",
    "string": "The {a} field must be a string.",
    "integer": "The {a} field must be an integer.",
    "number": "The {a} field must be a number.",
    "boolean": "The {a} field must be true or false.",
    "array": "The {a} field must be an array.",
    "object": "The {a} field must be an array.",
    "objects": "The {a} field must be an array.",
    "max_len": "The {a} field must not be greater than {0} characters.",
    "min_len": "The {a} field must be at least {0} characters.",
    "min_items": "The {a} field must have at least {0} items.",
    "in": "The selected {a} is invalid.",
    "exists": "The selected {a} is invalid.",
    "e164": "The {a} field format is invalid.",
    "email": "The {a} field must be a valid email address.",
    "url": "The {a} field must be a valid URL.",
    "date": "The {a} field must be a valid date.",
    "datetime": "The {a} field must be a valid date.",
    "time": "The {a} field must match the format H:i.",
    "country": "The {a} field format is invalid.",
    "area_code": "The {a} field format is invalid.",
    "after": "The {a} field must be a date after {0}.",
}


def laravel_message(problem: Problem) -> str:
    """Word a problem the way Talkover (a Laravel app) does: `The name field is required.`."""
    attribute = problem.field.replace("_", " ")
    if problem.rule == "between":
        lo, hi = problem.params
        if lo is None:
            return f"The {attribute} field must not be greater than {_num(hi)}."
        if hi is None:
            return f"The {attribute} field must be at least {_num(lo)}."
        low, high = _range(problem.params)
        return f"The {attribute} field must be between {low} and {high}."
    return _LARAVEL[problem.rule].format(*map(_num, problem.params), a=attribute)
