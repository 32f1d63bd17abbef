"""
Bulk commands that finish the user's work: preflight, not_sent rows after an early stop,
reconciled and followed calls, and the results file — against a served emulator.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

from talkkit.cli._results import RESULTS_COLUMNS
from talkkit.cli._runner import preflight_message
from talkkit.emulator import FaultRule
from talkkit.errors import PreflightError

from .conftest import TURO_TOKEN, Cli

_CONTACTS = "/api/crm/contacts"
_CALL_ROUTE = "POST /api/v1/agents/*/call"


def _json(stdout: str) -> dict[str, Any]:
    data = json.loads(stdout)
    assert isinstance(data, dict)
    return data


def _results(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        assert tuple(reader.fieldnames or ()) == RESULTS_COLUMNS
        return list(reader)


def _adds_up(summary: dict[str, Any]) -> None:
    outcomes = ("done", "skipped", "failed", "unknown", "not_sent", "not_placed")
    assert sum(summary[name] for name in outcomes) == summary["total"], summary


def _contact_rows(count: int) -> str:
    lines = "".join(f"First{i},Last{i},user{i}@example.com\n" for i in range(count))
    return "first_name,last_name,email\n" + lines


def _posts(cli: Cli, path: str) -> int:
    return sum(1 for r in cli.emu.request_log if r.method == "POST" and r.path == path)


# -- preflight -------------------------------------------------------------------------------


def test_missing_company_exits_2_naming_the_flag_and_sends_nothing(
    cli: Cli, company_id: str
) -> None:
    """A company that does not exist: exit 2 before the first row, `--company-id <value>`."""
    result = cli.run(
        "contacts", "import", cli.csv(_contact_rows(30)), "--company-id", "comp_missing"
    )
    assert result.exit_code == 2, result.output
    assert "--company-id comp_missing: " in result.output
    assert "Nothing was sent" in result.output
    assert "Traceback" not in result.output
    assert _posts(cli, _CONTACTS) == 0
    assert cli.emu.talkturo.contacts == {}


def test_missing_team_from_the_environment_names_the_variable(cli: Cli, company_id: str) -> None:
    """A team given by TALKTURO_TEAM_ID that does not exist is named as the variable, with its value."""
    result = cli.run(
        "companies", "import", cli.csv("name\nAcme\n"), env={"TALKTURO_TEAM_ID": "team_nope"}
    )
    assert result.exit_code == 2, result.output
    assert "TALKTURO_TEAM_ID=team_nope: " in result.output
    assert cli.emu.talkturo.companies.keys() == {company_id}


def test_missing_agent_exits_2_naming_the_flag_and_places_no_call(cli: Cli) -> None:
    """An agent that does not exist: exit 2, `--agent-id <value>`, no call placed."""
    path = cli.csv("phone\n+12125550100\n+12125550101\n")
    result = cli.run("calls", "dial", path, "--agent-id", "agent_missing", "--json")
    assert result.exit_code == 2, result.output
    assert "--agent-id agent_missing: " in result.stderr
    assert result.stdout == ""
    assert cli.emu.placed_calls == []
    assert not any(r.method == "POST" for r in cli.emu.request_log)


def test_wrong_token_fails_the_preflight_naming_the_variable(cli: Cli, company_id: str) -> None:
    """A refused token: exit 2 naming TALKTURO_TOKEN (never its value); nothing sent."""
    wrong = "tk_test_WRONG_but_secret_4242"
    result = cli.run(
        "contacts", "import", cli.csv(_contact_rows(5)), "--company-id", company_id,
        env={"TALKTURO_TOKEN": wrong},
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "TALKTURO_TOKEN: " in result.output
    assert _posts(cli, _CONTACTS) == 0


def test_preflight_message_names_each_setting() -> None:
    """The job's setting maps to what the user typed; a token is named, never shown."""
    settings = {"company_id": "--company-id comp_9", "token": "TALKTURO_TOKEN"}
    missing = PreflightError("company_id", "not found (404 Company not found)", value="comp_9")
    assert preflight_message(missing, settings).startswith(
        "--company-id comp_9: not found (404 Company not found)."
    )
    refused = PreflightError("token", "was refused by the server (401)", value=TURO_TOKEN)
    text = preflight_message(refused, settings)
    assert text.startswith("TALKTURO_TOKEN: was refused")
    assert TURO_TOKEN not in text
    other = PreflightError("campaign_id", "not found", value="camp_1")
    assert preflight_message(other, settings).startswith("campaign_id camp_1: not found")


# -- early stop: not_sent --------------------------------------------------------------------


def test_wrong_token_without_preflight_counts_not_sent_rows_a_resumed_run_sends(
    cli: Cli, company_id: str
) -> None:
    """--no-preflight and a refused token: the job stops, the counts add up, the rows never
    sent are not_sent (one line says so), and the same command with the right token sends them."""
    rows, journal = 40, str(cli.tmp_path / "j.db")
    path = cli.csv(_contact_rows(rows))
    args = ("contacts", "import", path, "--company-id", company_id, "--journal", journal)
    wrong = {"TALKTURO_TOKEN": "tk_test_WRONG_but_secret_4242"}
    first = cli.run(*args, "--no-preflight", "--concurrency", "2", "--json", env=wrong)
    assert first.exit_code == 1, first.output
    summary = _json(first.stdout)
    _adds_up(summary)
    assert summary["total"] == rows
    assert summary["done"] == summary["failed"] == 0
    assert summary["not_sent"] == rows
    assert summary["aborted"]
    assert all(f["outcome"] != "not_sent" for f in summary["failures"])
    assert cli.emu.talkturo.contacts == {}

    human = cli.run(*args, "--no-preflight", "--concurrency", "2", env=wrong)
    assert human.exit_code == 1
    assert f"{rows} rows not sent: the job stopped (401 " in human.output
    assert "run the same command again to send them" in human.output
    assert "Check the credentials (TALKTURO_TOKEN" in human.output
    assert "Failed or unknown" not in human.output  # nothing failed: the rows were not sent

    resumed = cli.run(*args, "--json")
    assert resumed.exit_code == 0, resumed.output
    summary = _json(resumed.stdout)
    assert (summary["done"], summary["not_sent"]) == (rows, 0)
    assert cli.emu.contact_keys() == Counter({f"email:user{i}@example.com": 1 for i in range(rows)})


# -- the results file ------------------------------------------------------------------------


def test_results_file_has_one_line_per_row_with_the_servers_ids(cli: Cli, company_id: str) -> None:
    """One line per data row — invalid and repeated rows too — with the emulator's ids."""
    path = cli.csv(
        "first_name,last_name,email,phone\n"
        "Ada,Lovelace,ada@example.com,\n"
        "\n"  # a blank line is not a row
        "Grace,Hopper,grace@example.com,+1555\n"  # row 2: invalid phone, never sent
        "Alan,Turing,alan@example.com,\n"
        "Ada,Again,ada@example.com,\n"  # row 4 repeats row 1's email
    )
    results = cli.tmp_path / "out" / "results.csv"
    results.parent.mkdir()
    result = cli.run(
        "contacts", "import", path, "--company-id", company_id, "--results", str(results)
    )
    assert result.exit_code == 1, result.output
    assert f"Results: 4 rows written to {results}" in result.output
    lines = {int(line["row"]): line for line in _results(results)}
    assert sorted(lines) == [1, 2, 3, 4]
    stored = {c["email"]: c["id"] for c in cli.emu.talkturo.contacts.values()}
    assert lines[1]["outcome"] == lines[3]["outcome"] == "done"
    assert lines[1]["id"] == stored["ada@example.com"]
    assert lines[3]["id"] == stored["alan@example.com"]
    assert lines[1]["key"] == "email:ada@example.com"
    invalid = lines[2]
    assert (invalid["outcome"], invalid["code"], invalid["field"]) == (
        "failed",
        "invalid_input",
        "phone",
    )
    assert invalid["id"] == ""
    assert invalid["message"]
    assert (lines[4]["outcome"], lines[4]["code"]) == ("skipped", "duplicate_in_input")
    assert "repeats row 1" in lines[4]["message"]
    assert lines[4]["id"] in ("", stored["ada@example.com"])


def test_results_file_of_calls_holds_the_call_ids(cli: Cli, agent_id: str) -> None:
    """Each dialled row's id is the id of the call the emulator placed to its number."""
    numbers = [f"+1212555{i:04d}" for i in range(6)]
    results = cli.tmp_path / "calls.csv"
    result = cli.run(
        "calls", "dial", cli.csv("phone\n" + "\n".join(numbers) + "\n"),
        "--agent-id", agent_id, "--results", str(results), "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _json(result.stdout)["results"] == str(results)
    lines = _results(results)
    assert len(lines) == len(numbers)
    placed = {call.to: call.call_id for call in cli.emu.placed_calls}
    for line in lines:
        number = numbers[int(line["row"]) - 1]
        assert line["key"] == f"phone:{number}"
        assert line["outcome"] == "done"
        assert line["id"] == placed[number]


def test_results_file_must_not_be_the_input(cli: Cli, company_id: str) -> None:
    """--results naming the input file (or the journal) is refused before anything is read."""
    path = cli.csv(_contact_rows(2))
    result = cli.run("contacts", "import", path, "--company-id", company_id, "--results", path)
    assert result.exit_code == 2
    assert "is the input file" in result.output
    assert Path(path).read_text() == _contact_rows(2)


def test_unwritable_results_file_is_a_usage_error(cli: Cli, company_id: str) -> None:
    """A results file that cannot be created: exit 2 before anything is sent."""
    results = str(cli.tmp_path / "no" / "such" / "dir" / "r.csv")
    result = cli.run(
        "contacts", "import", cli.csv(_contact_rows(2)), "--company-id", company_id,
        "--results", results,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "cannot write the results file" in result.output
    assert _posts(cli, _CONTACTS) == 0


# -- calls: --wait, reconcile, not_placed ------------------------------------------------------


def test_wait_reports_the_emulators_final_statuses(cli: Cli, agent_id: str) -> None:
    """--wait follows every call to its end: statuses, durations and talk time are the truth."""
    cli.emu.call_time_scale = 0.002  # a four-minute call ends in half a second
    numbers = [f"+1415555{i:04d}" for i in range(24)]
    results = cli.tmp_path / "calls.csv"
    args = [
        "calls", "dial", cli.csv("phone\n" + "\n".join(numbers) + "\n"), "--agent-id", agent_id,
        "--wait", "--results", str(results),
    ]  # fmt: skip
    result = cli.run(*args, "--json")
    assert result.exit_code == 0, result.output
    summary = _json(result.stdout)
    fates = cli.emu.call_fates()
    assert len(fates) == len(numbers)
    truth = Counter(fate.status for fate in fates.values())
    assert len(truth) > 1  # the seeded mix: not every call ends the same way
    assert summary["statuses"] == dict(truth)
    assert summary["talk_time_seconds"] == sum(fate.duration for fate in fates.values())
    lines = _results(results)
    assert sorted(line["id"] for line in lines) == sorted(fates)
    for line in lines:
        fate = fates[line["id"]]
        assert (line["key"], line["status"]) == (f"phone:{fate.to}", fate.status)
        assert float(line["duration"] or 0) == fate.duration


def test_wait_shows_how_the_calls_ended(cli: Cli, agent_id: str) -> None:
    """Without --json, a table of the final statuses and the talk time follows the summary."""
    cli.emu.call_time_scale = 0.0  # every call ends at once
    path = cli.csv("phone\n+14155550100\n+14155550101\n+14155550102\n")
    result = cli.run("calls", "dial", path, "--agent-id", agent_id, "--wait")
    assert result.exit_code == 0, result.output
    assert "How the calls ended" in result.output
    assert "talk time" in result.output
    for status in Counter(f.status for f in cli.emu.call_fates().values()):
        assert status in result.output


def test_lost_answers_are_reconciled_or_not_placed_and_redialled_on_request(
    cli: Cli, agent_id: str
) -> None:
    """Calls whose answer was lost: found in the history → done; never placed → not_placed,
    left alone, then dialled (once) by a run with --redial-not-placed."""
    numbers = [f"+1646555{i:04d}" for i in range(8)]
    path = cli.csv("phone\n" + "\n".join(numbers) + "\n")
    journal = str(cli.tmp_path / "calls.db")
    args = ["calls", "dial", path, "--agent-id", agent_id, "--journal", journal]
    cli.emu.faults.add(FaultRule(_CALL_ROUTE, commit_drop_rate=1.0, times=3))  # placed, lost
    cli.emu.faults.add(FaultRule(_CALL_ROUTE, drop_rate=1.0, times=2))  # never placed
    first = cli.run(*args, "--reconcile-grace", "0", "--concurrency", "1", "--json")
    assert first.exit_code == 1, first.output
    summary = _json(first.stdout)
    _adds_up(summary)
    assert (summary["done"], summary["not_placed"], summary["unknown"]) == (6, 2, 0)
    assert summary["reconciled"] == 3
    assert {f["outcome"] for f in summary["failures"]} == {"not_placed"}
    assert sum(cli.emu.calls_per_number().values()) == 6

    again = cli.run(*args)  # without the flag: reported from the journal, not dialled
    assert again.exit_code == 1
    assert "2 calls not placed" in again.output
    assert "--redial-not-placed" in again.output
    assert sum(cli.emu.calls_per_number().values()) == 6

    redial = cli.run(*args, "--redial-not-placed", "--json")
    assert redial.exit_code == 0, redial.output
    assert _json(redial.stdout)["done"] == len(numbers)
    assert cli.emu.calls_per_number() == Counter(dict.fromkeys(numbers, 1))


def test_calls_reconcile_looks_up_a_journals_unknown_calls(cli: Cli, agent_id: str) -> None:
    """`talkkit calls reconcile --journal J` settles what a dial run left unknown, sending no call."""
    numbers = [f"+1718555{i:04d}" for i in range(4)]
    path = cli.csv("phone\n" + "\n".join(numbers) + "\n")
    journal = str(cli.tmp_path / "calls.db")
    cli.emu.faults.add(FaultRule(_CALL_ROUTE, commit_drop_rate=1.0, times=2))  # placed, lost
    cli.emu.faults.add(FaultRule("GET /api/v1/calls*", error_rate=1.0))  # history unreadable
    first = cli.run(
        "calls", "dial", path, "--agent-id", agent_id, "--journal", journal,
        "--reconcile-grace", "0", "--concurrency", "1", "--json",
    )  # fmt: skip
    assert first.exit_code == 1, first.output
    assert _json(first.stdout)["unknown"] == 2
    cli.emu.faults.clear()
    posts = sum(1 for r in cli.emu.request_log if r.method == "POST")

    result = cli.run("calls", "reconcile", "--journal", journal, "--reconcile-grace", "0", "--json")
    assert result.exit_code == 0, result.output
    summary = _json(result.stdout)
    _adds_up(summary)
    assert (summary["total"], summary["done"], summary["reconciled"]) == (2, 2, 2)
    assert sum(1 for r in cli.emu.request_log if r.method == "POST") == posts
    assert cli.emu.calls_per_number() == Counter(dict.fromkeys(numbers, 1))
    again = cli.run("calls", "reconcile", "--journal", journal)
    assert again.exit_code == 0, again.output
    assert "The journal has no call left unknown: nothing to look up." in again.output


def test_calls_reconcile_needs_a_dial_journal(cli: Cli, company_id: str) -> None:
    """A missing journal, or one of another job, is a usage error (exit 2)."""
    missing = cli.run("calls", "reconcile", "--journal", str(cli.tmp_path / "none.db"))
    assert missing.exit_code == 2
    journal = str(cli.tmp_path / "contacts.db")
    path = cli.csv(_contact_rows(1))
    assert (
        cli.run(
            "contacts", "import", path, "--company-id", company_id, "--journal", journal
        ).exit_code
        == 0
    )
    other = cli.run("calls", "reconcile", "--journal", journal)
    assert other.exit_code == 2
    assert "not a calls dial journal" in other.output


def test_redial_not_placed_needs_a_journal(cli: Cli, agent_id: str) -> None:
    """--redial-not-placed without --journal has nothing to redial: exit 2."""
    path = cli.csv("phone\n+12125550100\n")
    result = cli.run("calls", "dial", path, "--agent-id", agent_id, "--redial-not-placed")
    assert result.exit_code == 2
    assert "--redial-not-placed needs --journal" in result.output
    assert cli.emu.placed_calls == []
