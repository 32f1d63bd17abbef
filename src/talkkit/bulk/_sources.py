"""
CSV input for bulk jobs: rows streamed one at a time, the header checked before anything is sent.

`read_csv` reads only the header; iterating the `CsvSource` opens the file again and yields one
``{column: cell}`` dict per data row, so memory stays flat for millions of rows. Rows that
cannot be read correctly are still yielded, as mappings that refuse to be read: the bulk
job's validation then fails that row, naming the problem, and the other rows go on.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, AnyStr, NoReturn

import attrs

from talkkit.errors import InvalidRequestError

__all__ = ["CUSTOM_PREFIX", "CsvSource", "RejectedRow", "read_csv"]

CUSTOM_PREFIX = "custom."
"""A column ``custom.<name>`` holds the custom field (or call variable) ``<name>``."""

_ENCODING = "utf-8-sig"  # a byte-order mark (Excel's "CSV UTF-8") is dropped
# Byte-order marks and the codec that reads (and drops) each. UTF-32 first: its
# little-endian mark begins with UTF-16's. Files without a mark are read as UTF-8.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, _ENCODING),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ERRORS = "surrogateescape"  # undecodable bytes survive as lone surrogates; recipes refuse them
_DELIMITERS = ",;\t|"
_COUNT_CHUNK = 1 << 20


class RejectedRow(Mapping[str, str]):
    """
    A data row that could not be read as ``{column: cell}`` (too many cells, broken quoting).

    Reading its items raises the `InvalidRequestError` that names the problem, so the bulk
    operation's validation fails this row (``invalid_input``) without sending anything.
    """

    __slots__ = ("error",)

    def __init__(self, field: str, reason: str) -> None:
        self.error = InvalidRequestError(field, reason)

    def _refuse(self) -> NoReturn:
        raise InvalidRequestError(self.error.field, self.error.reason)

    def __getitem__(self, key: str) -> str:
        self._refuse()

    def __iter__(self) -> Iterator[str]:
        self._refuse()

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return f"RejectedRow({self.error.field!r}, {self.error.reason!r})"


@attrs.frozen
class CsvSource:
    """
    A CSV file of rows named by its header, iterated lazily (any number of times).

    Attributes:
        path: The file.
        header: Column names as written in the first line (surrounding blanks removed);
            empty for an empty file.
        delimiter: The cell separator, detected from the header (``,`` ``;`` tab or ``|``).
        encoding: The codec the file is read with, detected from its byte-order mark
            (UTF-8, UTF-16 or UTF-32); UTF-8 when it has none.
    """

    path: Path
    header: tuple[str, ...]
    delimiter: str = ","
    encoding: str = _ENCODING

    @property
    def empty(self) -> bool:
        """The file has no header line at all (zero bytes, or only blank lines)."""
        return not self.header

    def __iter__(self) -> Iterator[Mapping[str, str]]:
        """Yield each data row: a dict of the non-missing cells, or a `RejectedRow`."""
        if self.empty:
            return
        columns = len(self.header)
        with _open_text(self.path, self.encoding) as file:
            reader = csv.reader(file, delimiter=self.delimiter)
            for cells in reader:  # skip to the header (blank lines may come first)
                if _has_content(cells):
                    break
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield RejectedRow("csv", f"cannot be read as CSV ({exc})")
                    continue
                if not _has_content(cells):
                    continue  # a blank line is not a row
                if len(cells) > columns and any(c.strip() for c in cells[columns:]):
                    yield RejectedRow(
                        "columns",
                        f"the row has {len(cells)} cells but the header has {columns} columns "
                        "(an unquoted delimiter in a value?)",
                    )
                    continue
                yield {name: cell for name, cell in zip(self.header, cells, strict=False) if name}

    def count_rows(self) -> int:
        """
        Count the data rows quickly by counting line ends (for a progress bar's total).

        Approximate when quoted cells span lines or the file has blank lines.
        """
        if self.empty:
            return 0
        if self.encoding == _ENCODING:  # count bytes: an ASCII line end is one byte in UTF-8
            with self.path.open("rb") as raw:
                return _count_lines(iter(lambda: raw.read(_COUNT_CHUNK), b""), b"\n", b"\r")
        with _open_text(self.path, self.encoding) as text:  # UTF-16/32: count characters
            return _count_lines(iter(lambda: text.read(_COUNT_CHUNK), ""), "\n", "\r")

    def check_columns(
        self, *, required: Iterable[str | tuple[str, ...]], known: Collection[str]
    ) -> tuple[str, ...]:
        """
        Check the header for a job: every required column present (a tuple: any one of them).

        Returns:
            The columns the job will ignore: neither in ``known`` nor ``custom.<name>``.

        Raises:
            InvalidRequestError: A required column is missing, or a column appears twice.
        """
        present = set(self.header)
        seen: set[str] = set()
        for name in self.header:
            if name and name in seen:
                raise InvalidRequestError("header", f"the column {name!r} appears twice")
            seen.add(name)
        missing = [
            " or ".join(option) if isinstance(option, tuple) else option
            for option in required
            if not present.intersection((option,) if isinstance(option, str) else option)
        ]
        if missing:
            shown = ", ".join(repr(c) for c in self.header if c) or "no column names"
            raise InvalidRequestError(
                "header",
                f"missing required column(s): {', '.join(missing)} (the header has {shown})",
            )
        return tuple(
            name
            for name in self.header
            if name not in known
            and not (name.startswith(CUSTOM_PREFIX) and len(name) > len(CUSTOM_PREFIX))
        )


def _count_lines(chunks: Iterable[AnyStr], newline: AnyStr, carriage: AnyStr) -> int:
    newlines = returns = 0
    last = newline[:0]
    for chunk in chunks:
        newlines += chunk.count(newline)
        returns += chunk.count(carriage)
        last = chunk[-1:]
    lines = newlines or returns  # old Mac files end lines with a bare CR
    if last not in (newline, carriage):
        lines += 1  # the last line has no line end
    return max(lines - 1, 0)


def _detect_encoding(path: Path) -> str:
    with path.open("rb") as file:
        start = file.read(len(codecs.BOM_UTF32))
    return next((codec for bom, codec in _BOMS if start.startswith(bom)), _ENCODING)


def _open_text(path: Path, encoding: str) -> IO[str]:
    return path.open(encoding=encoding, errors=_ERRORS, newline="")


def _has_content(cells: list[str]) -> bool:
    return bool(cells) and not (len(cells) == 1 and not cells[0].strip())


def read_csv(path: str | Path) -> CsvSource:
    """
    Open a CSV file of rows for a bulk job; only the header is read now.

    The file is UTF-8, or UTF-16 / UTF-32 when it starts with their byte-order mark (Excel's
    "Unicode text"); a UTF-8 byte-order mark is fine too. Bytes that are not valid in the
    encoding are kept, so the row holding them fails with the column named while the
    others go on.

    Raises:
        OSError: The file cannot be opened.
    """
    file_path = Path(path)
    encoding = _detect_encoding(file_path)
    with _open_text(file_path, encoding) as file:
        sample = ""
        for line in file:
            if line.strip():
                sample = line
                break
    if not sample:
        return CsvSource(file_path, (), encoding=encoding)
    delimiter = max(_DELIMITERS, key=sample.count) if "," not in sample else ","
    header = next(csv.reader([sample], delimiter=delimiter), [])
    return CsvSource(file_path, tuple(cell.strip() for cell in header), delimiter, encoding)
