"""
The reliability checker is not blind: each wrong claim about a row (an outcome the emulator's log
contradicts, a results file that disagrees with the journal) fails a check.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from reliability._harness import Scenario
from reliability._truth import (
    RESULTS_COLUMNS,
    JournalRow,
    ResultRow,
    Results,
    Sends,
    check_contact_rows,
    check_repeats,
    check_results_file,
    check_rows_sent_once,
    read_results,
    results_by_key,
)

from talkkit.emulator import LoggedRequest

KEY = "phone:+12025550100"


def _post(created: str | None, fault: str | None = None, status: int = 201) -> LoggedRequest:
    return LoggedRequest(
        platform="talkover",
        method="POST",
        path="/api/v1/agents/a/call",
        status=status,
        token_hash=None,
        request_id=None,
        idempotency_key=None,
        fault=fault,
        at=datetime.now(UTC),
        subject=KEY,
        created=created,
    )


def _line(
    outcome: str, resource_id: str | None = None, *, row: int = 1, key: str = KEY
) -> ResultRow:
    return ResultRow(row, key, outcome, resource_id, None, None, None, None, "")


def _failed(
    sends: dict[str, Sends], journal: JournalRow | None, line: ResultRow | None = None
) -> list[str]:
    """The failed checks of one call's row (no results file when ``line`` is None)."""
    scenario = Scenario("t")
    check_rows_sent_once(
        scenario,
        ("calls", "call"),
        sends,
        {} if journal is None else {KEY: journal},
        expected={KEY},
        results=None if line is None else {KEY: line},
    )
    return [c.name for c in scenario.checks if not c.ok]


PLACED = {KEY: Sends((_post("call_1"),))}
NOTHING: dict[str, Sends] = {}


@pytest.mark.parametrize(
    ("sends", "journal", "line"),
    [
        (PLACED, JournalRow("done", "call_1", None), _line("done", "call_1")),
        (PLACED, JournalRow("done", "call_1", "reconciled"), _line("done", "call_1")),
        (NOTHING, JournalRow("not_placed", None, "not_in_history"), _line("not_placed")),
        (NOTHING, None, _line("not_sent")),
        (NOTHING, JournalRow("pending", None, None), _line("not_sent")),
        (PLACED, JournalRow("unknown", None, None), _line("unknown")),
        (NOTHING, JournalRow("not_placed", None, None), None),
    ],
    ids=["done", "reconciled", "not-placed", "not-sent", "not-sent-pending", "unknown", "journal"],
)
def test_true_claims_pass(
    sends: dict[str, Sends], journal: JournalRow | None, line: ResultRow | None
) -> None:
    """Each outcome, as the emulator's log bears it out, passes every check."""
    assert _failed(sends, journal, line) == []


@pytest.mark.parametrize(
    ("sends", "journal", "results", "failing"),
    [
        (PLACED, JournalRow("not_placed", None, None), {KEY: _line("not_placed")}, "matches"),
        (PLACED, None, {KEY: _line("not_sent")}, "matches"),
        (PLACED, JournalRow("done", "call_2", None), {KEY: _line("done", "call_2")}, "matches"),
        (NOTHING, JournalRow("done", "call_1", None), {KEY: _line("done", "call_1")}, "matches"),
        (NOTHING, JournalRow("not_placed", None, None), {KEY: _line("not_sent")}, "agree"),
        (PLACED, JournalRow("done", "call_1", None), {KEY: _line("done", "call_9")}, "agree"),
        (PLACED, JournalRow("done", "call_1", None), {KEY: _line("unknown")}, "agree"),
        (NOTHING, JournalRow("pending", None, None), None, "final state"),
        (PLACED, JournalRow("done", "call_1", None), {}, "final state"),
    ],
    ids=[
        "placed-but-not-placed",
        "placed-but-not-sent",
        "someone-elses-id",
        "done-never-created",
        "not-sent-but-final",
        "other-id-in-results",
        "other-outcome-in-results",
        "left-pending",
        "no-line",
    ],
)
def test_false_claims_fail(
    sends: dict[str, Sends],
    journal: JournalRow | None,
    results: dict[str, ResultRow] | None,
    failing: str,
) -> None:
    """A claim the log or the journal contradicts fails the check named."""
    scenario = Scenario("t")
    check_rows_sent_once(
        scenario,
        ("calls", "call"),
        sends,
        {} if journal is None else {KEY: journal},
        expected={KEY},
        results=results,
    )
    failed = [c.name for c in scenario.checks if not c.ok]
    assert any(failing in name for name in failed), failed


def test_a_call_placed_twice_fails() -> None:
    """Two creates for one number fail the never-twice check, whatever the row claims."""
    twice = {KEY: Sends((_post("call_1"), _post("call_2")))}
    failed = _failed(twice, JournalRow("done", "call_1", None), _line("done", "call_1"))
    assert any("twice" in name for name in failed), failed


def test_contacts_not_sent_must_not_be_stored() -> None:
    """A contact reported not sent that the emulator stored fails; one it did not store passes."""
    key = "email:a@x.com"
    stored = {key: Sends((_post("c_1"),))}
    for sends, ok in ((stored, False), ({}, True)):
        scenario = Scenario("t")
        line = _line("not_sent", key=key)
        check_contact_rows(scenario, sends, {}, {key}, results={key: line})
        assert scenario.ok is ok, scenario.failed_checks()


def test_the_results_file_must_have_one_line_per_row_naming_its_key(tmp_path: Path) -> None:
    """Missing or repeated lines, a wrong key, a repeat not skipped by name: each fails."""
    path = tmp_path / "r.csv"
    lines = [
        ",".join(RESULTS_COLUMNS),
        "1,phone:+1,done,call_1,,,,,",
        "2,row:2,not_sent,,,,aborted,,",
        "3,phone:+9,done,call_3,,,,,",
        "4,phone:+1,skipped,,,,duplicate_in_input,,repeats row 1: not sent twice",
        "5,phone:+1,skipped,,,,duplicate_in_input,,repeats row 3: not sent twice",
    ]
    path.write_text("\n".join(lines) + "\n")
    results = read_results(path)
    scenario = Scenario("t")
    check_results_file(scenario, results, 5)
    keyed = results_by_key(scenario, results, {1: "phone:+1", 2: "phone:+2", 3: "phone:+3"})
    check_repeats(scenario, results, {4: 1})
    assert scenario.failed_checks().startswith("each line of the results file names")
    assert keyed["phone:+2"].outcome == "not_sent"
    scenario = Scenario("t")
    check_results_file(scenario, results, 6)
    check_repeats(scenario, results, {4: 1, 5: 1})
    assert len([c for c in scenario.checks if not c.ok]) == 2
    wrong = Results({1: results.rows[1]}, 2)
    scenario = Scenario("t")
    check_results_file(scenario, wrong, 1)
    assert not scenario.ok
    (tmp_path / "bad.csv").write_text("row,key,outcome\n")
    with pytest.raises(ValueError, match="header"):
        read_results(tmp_path / "bad.csv")
