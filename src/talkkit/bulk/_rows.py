"""
From an input row to the keyword arguments of one call: cells to Python values, nothing more.

A row's values are then checked by the method's own declared fields (``fields_of(method)``),
so a bulk row is refused by exactly the code that refuses a single call, naming the field.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from talkkit.bulk._sources import CUSTOM_PREFIX
from talkkit.errors import InvalidRequestError

__all__ = ["parse_bool", "row_values"]

_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


def row_values(
    row: object,
    columns: Collection[str],
    *,
    parse: Mapping[str, Callable[[str, Any], Any]] | None = None,
    custom: str | None = None,
) -> dict[str, Any]:
    """
    The values of one row's cells, by column, ready for a method's field check.

    Blanks around text are dropped and an empty cell counts as absent. Only ``columns`` are
    kept: others are ignored (the CLI names them once, before the first row). ``parse`` turns a
    column's text into the value its field takes (``"yes"`` into ``True``, see `parse_bool`);
    with ``custom``, the ``custom.<name>`` cells go under that key as one ``{name: cell}``
    mapping (absent when there are none).

    Args:
        row: A mapping of column names to cells (a CSV row, a dict).
        columns: The columns the job reads.
        parse: Per column, ``(column, cell) -> value``; raises `InvalidRequestError`.
        custom: Where the ``custom.<name>`` cells go (e.g. ``"custom_fields"``).

    Raises:
        InvalidRequestError: The row is not a mapping, a cell holds bytes that are not text in
            the file's encoding, or ``parse`` refuses a cell, naming the column.

    .. versionadded:: 0.1
    """
    if not isinstance(row, Mapping):
        raise InvalidRequestError(
            "row", "must be a mapping of field names to values", value=type(row).__name__
        )
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, cell in row.items():
        if not isinstance(key, str):
            continue  # csv.DictReader puts surplus cells under the key None
        name = key.strip()
        if isinstance(cell, str):
            if not cell.isascii() and any("\udc80" <= ch <= "\udcff" for ch in cell):
                raise InvalidRequestError(name, "is not valid UTF-8 text")
            cell = cell.strip()
            if cell == "":
                continue
        if cell is None:
            continue
        if name in columns:
            values[name] = cell if parse is None or name not in parse else parse[name](name, cell)
        elif custom is not None and name.startswith(CUSTOM_PREFIX) and name != CUSTOM_PREFIX:
            extra[name.removeprefix(CUSTOM_PREFIX)] = cell
    if extra and custom is not None:
        values[custom] = extra
    return values


def parse_bool(field: str, value: Any) -> bool:
    """
    A yes/no cell as a boolean: ``true``/``false``, ``yes``/``no``, ``y``/``n``, ``1``/``0``.

    Raises:
        InvalidRequestError: Any other text, naming ``field``.

    .. versionadded:: 0.1
    """
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidRequestError(field, "must be true or false", value=value)
