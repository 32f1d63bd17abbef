"""
Malformed CSV files through ``talkkit contacts import`` and ``talkkit calls dial``: each problem
is named with its row and field, the good rows still go through, and the exit status is the
documented one (0 all done or skipped, 1 some row failed, 2 usage error: nothing sent).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from talkkit.cli._common import EXIT_FAILED, EXIT_OK, EXIT_USAGE

from .conftest import Cli

HEADER = "first_name,last_name,email,phone\n"


def _summary(stdout: str) -> dict[str, Any]:
    data = json.loads(stdout)
    assert isinstance(data, dict)
    return data


def _failures(summary: dict[str, Any]) -> dict[int, tuple[str, str]]:
    """Failed rows: row number -> (field, message)."""
    return {f["row"]: (f["field"], f["message"]) for f in summary["failures"]}


def _import(cli: Cli, company_id: str, content: str | bytes, *extra: str) -> Any:
    return cli.run("contacts", "import", cli.csv(content), "--company-id", company_id, *extra)


def test_missing_required_columns_is_a_usage_error_and_sends_nothing(
    cli: Cli, company_id: str
) -> None:
    """A header without first_name/last_name exits 2 naming the missing columns; nothing is sent."""
    before = len(cli.emu.request_log)
    result = _import(cli, company_id, "name,mail\nAda Lovelace,ada@example.com\n")
    assert result.exit_code == EXIT_USAGE
    assert "missing required column(s): first_name, last_name" in result.output
    assert "'name', 'mail'" in result.output  # what the header does have
    assert len(cli.emu.request_log) == before


def test_a_column_twice_is_a_usage_error(cli: Cli, company_id: str) -> None:
    """The same column twice in the header exits 2 naming it."""
    result = _import(cli, company_id, "first_name,last_name,email,email\nA,B,a@x.com,b@x.com\n")
    assert result.exit_code == EXIT_USAGE
    assert "'email' appears twice" in result.output


def test_unknown_columns_are_named_and_ignored(cli: Cli, company_id: str) -> None:
    """Columns that are not contact fields draw a warning naming them; the rows are imported."""
    result = _import(
        cli, company_id, "first_name,last_name,email,favourite_colour\nAda,L,ada@x.com,blue\n"
    )
    assert result.exit_code == EXIT_OK, result.output
    assert "ignored column(s) 'favourite_colour'" in result.output
    assert cli.stored_emails() == ["ada@x.com"]


def test_bytes_that_are_not_utf8_fail_their_row_and_field(cli: Cli, company_id: str) -> None:
    """A Latin-1 cell fails its row, naming the field; the UTF-8 rows are imported; exit 1."""
    content = HEADER.encode() + b"Jos\xe9,Garc\xeda,jose@x.com,\nAda,Lovelace,ada@x.com,\n"
    result = _import(cli, company_id, content, "--json")
    assert result.exit_code == EXIT_FAILED
    summary = _summary(result.stdout)
    assert _failures(summary) == {1: ("first_name", "first_name: is not valid UTF-8 text")}
    assert cli.stored_emails() == ["ada@x.com"]


def test_a_utf8_byte_order_mark_is_fine(cli: Cli, company_id: str) -> None:
    """Excel's "CSV UTF-8" (a byte-order mark first) imports like plain UTF-8."""
    result = _import(
        cli, company_id, b"\xef\xbb\xbf" + (HEADER + "Zoë,Ødegård,zoe@x.com,\n").encode()
    )
    assert result.exit_code == EXIT_OK, result.output
    assert [c["first_name"] for c in cli.emu.talkturo.contacts.values()] == ["Zoë"]


def test_a_utf16_file_is_read_not_garbled(cli: Cli, company_id: str) -> None:
    """Regression: a UTF-16 file (Excel's "Unicode text", tab-separated) imports like UTF-8."""
    text = "first_name\tlast_name\temail\nZoë\tØdegård\tzoe@x.com\nAda\tL\tada@x.com\n"
    result = _import(cli, company_id, text.encode("utf-16"))
    assert result.exit_code == EXIT_OK, result.output
    assert cli.stored_emails() == ["ada@x.com", "zoe@x.com"]
    assert "\\x00" not in result.output  # not a header of NUL-riddled column names


@pytest.mark.parametrize(
    ("phone", "reason"),
    [
        ("12025550100", "E.164"),
        ("(202) 555-0101", "E.164"),
        ("+999", "not a phone number"),
        ("+1202555010", "not a valid phone number"),
        ("+1 202 555 CALL", "E.164"),  # regression: letters were read as a vanity number
        ("+1 202 555 O100", "E.164"),  # regression: the letter O was dialled as a 6
        ("+12025550100 ext. 7", "E.164"),  # regression: the extension was silently dropped
    ],
)
def test_bad_e164_numbers_fail_their_row_naming_phone(
    cli: Cli, company_id: str, phone: str, reason: str
) -> None:
    """A number that is not E.164 fails its row with the field and the reason; the others go on."""
    content = HEADER + f"Ada,L,ada@x.com,+12025550100\nBad,Number,bad@x.com,{phone}\n"
    result = _import(cli, company_id, content, "--json")
    assert result.exit_code == EXIT_FAILED
    [(row, (field, message))] = _failures(_summary(result.stdout)).items()
    assert (row, field) == (2, "phone")
    assert reason in message
    assert phone in message
    assert cli.stored_emails() == ["ada@x.com"]


def test_formatted_e164_numbers_are_normalised(cli: Cli, company_id: str) -> None:
    """A number with spaces after the + is E.164 with formatting: it is stored normalised."""
    result = _import(cli, company_id, HEADER + "Ada,L,ada@x.com,+1 202 555 0100\n")
    assert result.exit_code == EXIT_OK, result.output
    assert [c["phone"] for c in cli.emu.talkturo.contacts.values()] == ["+12025550100"]


def test_missing_required_fields_fail_their_row(cli: Cli, company_id: str) -> None:
    """An empty first or last name fails its row naming the field; a whitespace-only one too."""
    content = HEADER + "Ada,L,ada@x.com,\n,Nameless,n@x.com,\nNo,   ,w@x.com,\nGrace,H,g@x.com,\n"
    result = _import(cli, company_id, content, "--json")
    assert result.exit_code == EXIT_FAILED
    failures = _failures(_summary(result.stdout))
    assert {row: field for row, (field, _) in failures.items()} == {2: "first_name", 3: "last_name"}
    assert cli.stored_emails() == ["ada@x.com", "g@x.com"]


def test_extra_cells_fail_their_row_but_empty_trailing_cells_do_not(
    cli: Cli, company_id: str
) -> None:
    """A row with more cells than the header fails, saying how many; trailing empty cells are fine."""
    content = HEADER + "Ada,L,ada@x.com,,surplus\nGrace,H,g@x.com,,,\n"
    result = _import(cli, company_id, content, "--json")
    assert result.exit_code == EXIT_FAILED
    [(row, (field, message))] = _failures(_summary(result.stdout)).items()
    assert (row, field) == (1, "columns")
    assert "5 cells but the header has 4 columns" in message
    assert cli.stored_emails() == ["g@x.com"]


def test_short_rows_are_missing_fields_not_shifted(cli: Cli, company_id: str) -> None:
    """A row with fewer cells than the header reads the missing ones as empty."""
    result = _import(cli, company_id, HEADER + "Ada,Lovelace\nGrace\n", "--json")
    assert result.exit_code == EXIT_FAILED
    [(row, (field, message))] = _failures(_summary(result.stdout)).items()
    assert (row, field) == (2, "last_name")
    assert message.startswith("last_name: is required")


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "is empty"),
        (b"\n\n  \n", "is empty"),
        (HEADER.encode(), "has a header but no rows"),
    ],
    ids=["zero-bytes", "blank-lines", "header-only"],
)
def test_empty_files_do_nothing_and_exit_0(
    cli: Cli, company_id: str, content: bytes, said: str
) -> None:
    """An empty or header-only file sends nothing, says so, and exits 0 (with --json: zero items)."""
    before = len(cli.emu.request_log)
    result = _import(cli, company_id, content, "--json")
    assert result.exit_code == EXIT_OK
    assert said in result.output
    assert _summary(result.stdout)["total"] == 0
    assert len(cli.emu.request_log) == before


def test_every_kind_of_bad_row_at_once(cli: Cli, company_id: str) -> None:
    """Bad rows of every kind in one file: each named by row and field, the good rows imported."""
    content = (
        HEADER.encode()
        + b"Ada,Lovelace,ada@x.com,+12025550100\n"
        + b"Bad,Email,not-an-email,\n"
        + b"Bad,Phone,p@x.com,555-0100\n"
        + b",Nameless,n@x.com,\n"
        + b"Bad,Bytes,\xff@x.com,\n"
        + b"Too,Many,t@x.com,,x\n"
        + b"Grace,Hopper,grace@x.com,\n"
    )
    result = _import(cli, company_id, content, "--json")
    assert result.exit_code == EXIT_FAILED
    summary = _summary(result.stdout)
    assert (summary["total"], summary["done"], summary["failed"]) == (7, 2, 5)
    fields = {row: field for row, (field, _) in _failures(summary).items()}
    assert fields == {2: "email", 3: "phone", 4: "first_name", 5: "email", 6: "columns"}
    assert all(f["code"] == "invalid_input" for f in summary["failures"])
    assert cli.stored_emails() == ["ada@x.com", "grace@x.com"]


def test_dialing_file_without_a_phone_column_is_a_usage_error(cli: Cli, agent_id: str) -> None:
    """calls dial needs a phone (or phone_number) column: exit 2, nothing dialled."""
    result = cli.run("calls", "dial", cli.csv("number\n+12025550100\n"), "--agent-id", agent_id)
    assert result.exit_code == EXIT_USAGE
    assert "phone or phone_number" in result.output
    assert cli.emu.placed_calls == []


def test_dialing_bad_numbers_fail_their_rows_and_good_ones_are_called(
    cli: Cli, agent_id: str
) -> None:
    """Numbers that are not E.164 fail by row naming phone; the valid ones are called once."""
    content = "phone\n+12025550100\n2025550101\n+1202555\n+12025550100\n+12025550103\n"
    result = cli.run(
        "calls", "dial", cli.csv(content), "--agent-id", agent_id, "--json", "--rate-limit", "50/s"
    )
    assert result.exit_code == EXIT_FAILED
    summary = _summary(result.stdout)
    assert (summary["done"], summary["skipped"], summary["failed"]) == (2, 1, 2)
    assert {row: field for row, (field, _) in _failures(summary).items()} == {
        2: "phone",
        3: "phone",
    }
    assert sorted(call.to for call in cli.emu.placed_calls) == ["+12025550100", "+12025550103"]
