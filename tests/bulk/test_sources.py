"""The CSV source: streaming rows, header checks, and rows that fail with the problem named."""

from __future__ import annotations

import codecs
import tracemalloc
from pathlib import Path

import pytest

from talkkit.bulk._sources import CsvSource, RejectedRow, read_csv
from talkkit.emulator import Emulator
from talkkit.errors import InvalidRequestError
from talkkit.talkover.calls import DIAL_COLUMNS as CALL_FIELDS
from talkkit.talkturo._bulk import contacts_operation
from talkkit.talkturo.contacts import IMPORT_COLUMNS as CONTACT_FIELDS
from talkkit.testing import talkturo_client

CONTACT_REQUIRED = ("first_name", "last_name")


def _write(tmp_path: Path, content: bytes | str, name: str = "rows.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


async def _prepare_all(source: CsvSource) -> list[tuple[str, str | None]]:
    """Run every row through the contacts recipe's validation: (key or 'failed', field)."""
    emu = Emulator()
    async with talkturo_client(emu) as client:
        prepare = contacts_operation(client, team_id=None, company_id="comp_1").prepare
        results: list[tuple[str, str | None]] = []
        for row in source:
            try:
                results.append((prepare(row).key, None))
            except InvalidRequestError as exc:
                results.append(("failed", exc.field))
    return results


def test_rows_stream_as_dicts_named_by_the_header(tmp_path: Path) -> None:
    """Each data row becomes a dict keyed by the (stripped) header; short rows omit cells."""
    path = _write(
        tmp_path, " first_name , last_name,email\r\nAda,Lovelace,ada@x.io\r\nAlan,Turing\r\n"
    )
    source = read_csv(path)
    assert source.header == ("first_name", "last_name", "email")
    assert list(source) == [
        {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@x.io"},
        {"first_name": "Alan", "last_name": "Turing"},
    ]
    assert list(source) == list(source)  # iterable again: it re-reads the file


def test_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" starts with a BOM; the first column is still `first_name`."""
    path = _write(tmp_path, "\ufefffirst_name,last_name\nZoë,Ünal\n".encode())
    source = read_csv(path)
    assert source.header == ("first_name", "last_name")
    assert list(source) == [{"first_name": "Zoë", "last_name": "Ünal"}]


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_utf16_and_utf32_files_are_read_by_their_byte_order_mark(
    tmp_path: Path, bom: bytes, codec: str
) -> None:
    """Excel's "Unicode text" (UTF-16, tab-separated) and UTF-32 read like UTF-8, BOM dropped."""
    text = "first_name\tlast_name\temail\r\nZoë\tĊakır\tzoe@x.io\r\nAda\t😀\tada@x.io\r\n"
    source = read_csv(_write(tmp_path, bom + text.encode(codec)))
    assert source.header == ("first_name", "last_name", "email")
    assert source.delimiter == "\t"
    assert list(source) == [
        {"first_name": "Zoë", "last_name": "Ċakır", "email": "zoe@x.io"},
        {"first_name": "Ada", "last_name": "😀", "email": "ada@x.io"},
    ]
    assert source.count_rows() == 2  # Ċ is U+010A: a 0x0A byte that is not a line end


def test_a_file_without_byte_order_mark_is_utf8(tmp_path: Path) -> None:
    """No BOM: UTF-8, even when the first bytes look like text in another encoding."""
    source = read_csv(_write(tmp_path, "first_name\nZoë\n"))
    assert source.encoding == "utf-8-sig"
    assert list(source) == [{"first_name": "Zoë"}]


def test_semicolon_and_tab_files_are_detected(tmp_path: Path) -> None:
    """A header without commas picks its separator (; tab |); tags keep their `;` when quoted."""
    semi = read_csv(_write(tmp_path, 'first_name;last_name;tags\nAda;L;"a;b"\n', "semi.csv"))
    assert semi.delimiter == ";"
    assert list(semi) == [{"first_name": "Ada", "last_name": "L", "tags": "a;b"}]
    tab = read_csv(_write(tmp_path, "phone\tcustom.plan\n+12025550123\tpro\n", "tab.csv"))
    assert list(tab) == [{"phone": "+12025550123", "custom.plan": "pro"}]


def test_blank_lines_are_not_rows(tmp_path: Path) -> None:
    """Blank lines before the header and between rows are skipped."""
    source = read_csv(_write(tmp_path, "\n\nname\n\nAcme\n   \nGlobex\n"))
    assert source.header == ("name",)
    assert [row["name"] for row in source] == ["Acme", "Globex"]


@pytest.mark.anyio
async def test_invalid_utf8_fails_that_row_naming_the_field(tmp_path: Path) -> None:
    """Undecodable bytes survive as surrogates: that row fails on its column, the others pass."""
    content = (
        b"first_name,last_name,email\nAda,Lovelace,ada@x.io\nBad,Bytes,b\xffd@x.io\nAlan,Turing,\n"
    )
    results = await _prepare_all(read_csv(_write(tmp_path, content)))
    assert results[:2] == [("email:ada@x.io", None), ("failed", "email")]
    assert results[2][0].startswith("row:")  # valid, without email or phone: keyed by a hash


@pytest.mark.anyio
async def test_surplus_cells_fail_the_row(tmp_path: Path) -> None:
    """A row with more cells than the header fails (field `columns`); trailing empties are fine."""
    content = "first_name,last_name,email\nAda,Lovelace,ada@x.io,,\nAlan,Turing,alan@x.io,oops\n"
    source = read_csv(_write(tmp_path, content))
    rows = list(source)
    assert isinstance(rows[1], RejectedRow)
    with pytest.raises(InvalidRequestError, match="4 cells but the header has 3 columns"):
        dict(rows[1])
    assert await _prepare_all(source) == [("email:ada@x.io", None), ("failed", "columns")]


def test_missing_required_column_is_refused_up_front(tmp_path: Path) -> None:
    """check_columns names every missing column and shows the header it found."""
    source = read_csv(_write(tmp_path, "First Name,email\nAda,ada@x.io\n"))
    with pytest.raises(InvalidRequestError) as info:
        source.check_columns(required=CONTACT_REQUIRED, known=CONTACT_FIELDS)
    assert info.value.field == "header"
    assert "first_name, last_name" in str(info.value)
    assert "'First Name'" in str(info.value)


def test_alternative_required_columns(tmp_path: Path) -> None:
    """A tuple means any one of them: calls take `phone` or `phone_number`."""
    ok = read_csv(_write(tmp_path, "phone_number\n+12025550123\n", "a.csv"))
    assert ok.check_columns(required=(("phone", "phone_number"),), known=CALL_FIELDS) == ()
    bad = read_csv(_write(tmp_path, "number\n+12025550123\n", "b.csv"))
    with pytest.raises(InvalidRequestError, match="phone or phone_number"):
        bad.check_columns(required=(("phone", "phone_number"),), known=CALL_FIELDS)


def test_unknown_columns_are_returned_custom_ones_are_known(tmp_path: Path) -> None:
    """Columns that are neither fields nor `custom.<name>` are reported (to be ignored)."""
    source = read_csv(_write(tmp_path, "first_name,last_name,custom.plan,custom.,nickname\n"))
    ignored = source.check_columns(required=CONTACT_REQUIRED, known=CONTACT_FIELDS)
    assert ignored == ("custom.", "nickname")


def test_duplicate_columns_are_refused(tmp_path: Path) -> None:
    """A column named twice would silently lose values: refused."""
    source = read_csv(_write(tmp_path, "first_name,last_name,email,email\n"))
    with pytest.raises(InvalidRequestError, match="'email' appears twice"):
        source.check_columns(required=CONTACT_REQUIRED, known=CONTACT_FIELDS)


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    """An empty file has no header; a header-only file has zero rows."""
    empty = read_csv(_write(tmp_path, "", "empty.csv"))
    assert empty.empty
    assert list(empty) == []
    assert empty.count_rows() == 0
    header_only = read_csv(_write(tmp_path, "name\n", "header.csv"))
    assert not header_only.empty
    assert header_only.count_rows() == 0
    assert list(header_only) == []


@pytest.mark.parametrize(
    ("content", "rows"),
    [
        ("name\nA\nB\nC\n", 3),
        ("name\nA\nB\nC", 3),  # no line end at the end
        ("name\r\nA\r\nB\r\n", 2),
        ("name\rA\rB\r", 2),  # old Mac line ends
    ],
)
def test_count_rows(tmp_path: Path, content: str, rows: int) -> None:
    """count_rows counts line ends quickly (the progress bar's total)."""
    assert read_csv(_write(tmp_path, content)).count_rows() == rows


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_memory_stays_flat_for_a_large_file(tmp_path: Path, encoding: str) -> None:
    """Iterating 30,000 rows holds one row at a time, not the file (UTF-16 too)."""
    path = tmp_path / "big.csv"
    with path.open("w", encoding=encoding) as file:
        file.write("first_name,last_name,email\n")
        for i in range(30_000):
            file.write(f"First{i},Last{i},user{i}@example.com\n")
    source = read_csv(path)
    tracemalloc.start()
    try:
        count = sum(1 for _ in source)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 30_000 == source.count_rows()
    assert peak < 300_000, peak  # the file is 1-2 MB; its rows as dicts would be ~10 MB
