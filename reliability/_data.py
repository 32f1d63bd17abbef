"""
Generated input for the scenarios: contact rows and phone numbers, with a seeded sprinkle of bad
rows, rows that already exist and repeated numbers, written as the CSV files the CLI reads.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

import attrs

__all__ = [
    "COMPANY_COLUMNS",
    "CompanyInput",
    "ContactInput",
    "NumberInput",
    "company_input",
    "contact_input",
    "number_input",
    "write_csv",
]

CONTACT_COLUMNS = ("first_name", "last_name", "email", "phone")
COMPANY_COLUMNS = ("name", "city", "phone")
_EVERY = 200  # one in this many rows gets each special treatment


def _phone(area: str, i: int) -> str:
    """A valid, unique US number for ``i`` < 100,000 (exchanges 200–209)."""
    return f"+1{area}{200 + i // 10_000:03d}{i % 10_000:04d}"


@attrs.frozen
class ContactInput:
    """
    Contact rows and what is special about some of them.

    Attributes:
        rows: The rows in file order (row ``i`` is data row ``i + 1`` of the CSV).
        invalid: Indexes of rows that must fail validation (bad email, bad phone, no last name).
        existing: Indexes of rows created before the import (the import must skip them).
        repeated: Indexes of rows whose email repeats the row before (skipped before sending,
            naming that row).
    """

    rows: list[dict[str, str]]
    invalid: frozenset[int]
    existing: frozenset[int]
    repeated: frozenset[int] = frozenset()

    @property
    def valid(self) -> list[int]:
        """Indexes of the rows that pass validation (repeats included)."""
        return [i for i in range(len(self.rows)) if i not in self.invalid]

    def repeats(self) -> dict[int, int]:
        """Each repeating row → the row it repeats, as 1-based row numbers."""
        return {i + 1: i for i in self.repeated}

    def keys(self) -> dict[int, str]:
        """Each valid row's key (``email:…``) by its 1-based row number."""
        return {i + 1: f"email:{self.email(i)}" for i in self.valid}

    def email(self, index: int) -> str:
        """The row's email, lower-cased (its natural key)."""
        return self.rows[index]["email"].lower()


def contact_input(count: int, *, specials: bool = True) -> ContactInput:
    """
    ``count`` contacts; with ``specials``, 1.5 % invalid rows, 0.5 % existing ones and 0.5 %
    repeating the email of the row before (under another name).
    """
    rows: list[dict[str, str]] = []
    invalid: set[int] = set()
    existing: set[int] = set()
    repeated: set[int] = set()
    for i in range(count):
        row = {
            "first_name": f"First{i}",
            "last_name": f"Last{i}",
            "email": f"user{i}@chaos.example",
            "phone": _phone("212", i) if i % 4 == 0 else "",
        }
        kind = i % _EVERY if specials else -1
        if kind == 17:
            row["email"] = f"user{i}-at-chaos.example"  # not an email address
            invalid.add(i)
        elif kind == 57:
            row["phone"] = "+1212"  # not a possible number
            invalid.add(i)
        elif kind == 97:
            row["last_name"] = ""  # a required field missing
            invalid.add(i)
        elif kind == 137:
            existing.add(i)
        elif kind == 177:
            row["email"] = rows[-1]["email"]  # row 176 of each 200 is a plain valid row
            repeated.add(i)
        rows.append(row)
    return ContactInput(rows, frozenset(invalid), frozenset(existing), frozenset(repeated))


@attrs.frozen
class NumberInput:
    """
    Numbers to dial.

    Attributes:
        numbers: In file order (number ``i`` is data row ``i + 1``).
        invalid: Indexes of numbers that are not E.164.
        repeated: Indexes of numbers equal to the one before (must be skipped, never dialled).
    """

    numbers: list[str]
    invalid: frozenset[int]
    repeated: frozenset[int]

    @property
    def valid(self) -> set[str]:
        """The distinct numbers that may be dialled."""
        return {n for i, n in enumerate(self.numbers) if i not in self.invalid}

    def repeats(self) -> dict[int, int]:
        """Each repeating row → the row it repeats, as 1-based row numbers."""
        return {i + 1: i for i in self.repeated}

    def keys(self) -> dict[int, str]:
        """Each valid row's key (``phone:…``) by its 1-based row number."""
        return {i + 1: f"phone:{n}" for i, n in enumerate(self.numbers) if i not in self.invalid}


def number_input(count: int) -> NumberInput:
    """``count`` numbers: 0.5 % not E.164, 0.5 % repeating the previous one."""
    numbers: list[str] = []
    invalid: set[int] = set()
    repeated: set[int] = set()
    for i in range(count):
        kind = i % _EVERY
        if kind == 31:
            numbers.append("+1646")
            invalid.add(i)
        elif kind == 71:
            numbers.append(numbers[-1])
            repeated.add(i)
        else:
            numbers.append(_phone("646", i))
    return NumberInput(numbers, frozenset(invalid), frozenset(repeated))


@attrs.frozen
class CompanyInput:
    """
    Company rows.

    Attributes:
        rows: In file order (row ``i`` is data row ``i + 1``).
        invalid: Indexes of rows that must fail validation (bad phone, empty name).
    """

    rows: list[dict[str, str]]
    invalid: frozenset[int]

    def key(self, index: int) -> str:
        """The row's key as the journal and the emulator's log spell it (``name:…``)."""
        return f"name:{self.rows[index]['name'].lower()}"

    def keys(self) -> dict[int, str]:
        """Each valid row's key by its 1-based row number."""
        return {i + 1: self.key(i) for i in range(len(self.rows)) if i not in self.invalid}


def company_input(count: int) -> CompanyInput:
    """``count`` companies with distinct names; 1 % invalid rows (bad phone, empty name)."""
    rows: list[dict[str, str]] = []
    invalid: set[int] = set()
    for i in range(count):
        row = {"name": f"Company {i} Ltd", "city": "Springfield", "phone": ""}
        kind = i % _EVERY
        if kind == 57:
            row["phone"] = "+1212"  # not a possible number
            invalid.add(i)
        elif kind == 97:
            row["name"] = " "  # a required field blank
            invalid.add(i)
        rows.append(row)
    return CompanyInput(rows, frozenset(invalid))


def write_csv(path: Path, columns: Iterable[str], rows: Iterable[Mapping[str, str]]) -> Path:
    """Write ``rows`` under a header of ``columns``."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)
    return path
