"""`talkkit contacts import`, `companies import` and `calls dial` against a served emulator."""

from __future__ import annotations

import json
from typing import Any

import pytest

from talkkit.cli import _common
from talkkit.emulator import FaultRule
from talkkit.emulator._constants import OTHER_TEAM_ID

from .conftest import OVER_TOKEN, TURO_TOKEN, Cli

GOOD = (
    "first_name,last_name,email,phone,tags,custom.plan,lead_status\n"
    "Ada,Lovelace,ada@example.com,+14155550100,vip; founder,pro,new\n"
    "Grace,Hopper,grace@example.com,,,,\n"
    "Alan,Turing,,+14155550101,,team,\n"
)
BAD = (
    b"first_name,last_name,email,phone\n"
    b"Ada,Lovelace,ada@example.com,+14155550100\n"
    b"Grace,Hopper,grace@example.com,+1555\n"  # not a valid number
    b"Alan,,alan@example.com,\n"  # last_name missing
    b"Bad,Bytes,b\xffd@example.com,\n"  # not UTF-8
    b"Extra,Cells,extra@example.com,,surplus\n"  # one cell too many
    b"Edsger,Dijkstra,edsger@example.com,\n"
)


def _json(stdout: str) -> dict[str, Any]:
    """stdout holds exactly one JSON object and nothing else."""
    data = json.loads(stdout)
    assert isinstance(data, dict)
    return data


def _emails(cli: Cli) -> list[str]:
    return sorted(c["email"] for c in cli.emu.talkturo.contacts.values() if c["email"])


def test_contacts_import_creates_every_row_and_exits_0(cli: Cli, company_id: str) -> None:
    """Good rows are created with their fields (tags split on ;, custom.<name> columns)."""
    result = cli.run("contacts", "import", cli.csv(GOOD), "--company-id", company_id)
    assert result.exit_code == 0, result.output
    stored = {c["first_name"]: c for c in cli.emu.talkturo.contacts.values()}
    assert sorted(stored) == ["Ada", "Alan", "Grace"]
    ada = stored["Ada"]
    assert ada["tags"] == ["vip", "founder"]
    assert ada["custom_fields"] == {"plan": "pro"}
    assert ada["company_id"] == company_id
    assert "contacts: 3/3 (100%)" in result.output  # plain progress lines off a terminal
    assert "│ contacts │     3 │    3 │" in result.output  # the summary table


def test_bad_rows_are_listed_and_good_rows_imported(cli: Cli, company_id: str) -> None:
    """Each bad row fails with its row number and field; the good ones go in; exit 1."""
    result = cli.run("contacts", "import", cli.csv(BAD), "--company-id", company_id, "--json")
    assert result.exit_code == 1, result.output
    summary = _json(result.stdout)
    assert (summary["total"], summary["done"], summary["failed"]) == (6, 2, 4)
    failures = {f["row"]: f for f in summary["failures"]}
    assert {row: f["field"] for row, f in failures.items()} == {
        2: "phone",
        3: "last_name",
        4: "email",
        5: "columns",
    }
    assert all(
        f["code"] == "invalid_input" and f["key"].startswith("row:") for f in failures.values()
    )
    assert "not valid UTF-8" in failures[4]["message"]
    assert "5 cells but the header has 4" in failures[5]["message"]
    assert _emails(cli) == ["ada@example.com", "edsger@example.com"]


def test_bad_rows_table_without_json(cli: Cli, company_id: str) -> None:
    """Without --json the failures are a table naming row, field and reason."""
    result = cli.run("contacts", "import", cli.csv(BAD), "--company-id", company_id)
    assert result.exit_code == 1
    assert "Failed or unknown contacts (first 4 of 4" in result.output
    assert "│   4 │ row:4 │ failed  │ email " in result.output


def test_json_summary_shape(cli: Cli, company_id: str) -> None:
    """--json prints one object with the counts, the failures and what was sent."""
    result = cli.run("contacts", "import", cli.csv(GOOD), "--company-id", company_id, "--json")
    assert result.exit_code == 0
    summary = _json(result.stdout)
    assert {"total", "done", "skipped", "failed", "unknown", "failures"} <= set(summary)
    assert summary["total"] == summary["done"] == 3
    assert summary["failures"] == []
    assert summary["command"] == "contacts import"
    assert summary["interrupted"] is False
    assert summary["requests"]["attempts"] == 4  # the preflight's one read, then 3 creates
    assert "contacts: 3/3" in result.stderr  # progress went to stderr


def test_existing_contacts_are_skipped_on_a_second_run(cli: Cli, company_id: str) -> None:
    """Without a journal a re-run sends again; the API's 409s make every row skipped; exit 0."""
    path = cli.csv(GOOD)
    assert cli.run("contacts", "import", path, "--company-id", company_id).exit_code == 0
    again = cli.run("contacts", "import", path, "--company-id", company_id, "--json")
    assert again.exit_code == 0
    assert _json(again.stdout)["skipped"] == 3
    assert len(cli.emu.talkturo.contacts) == 3


def test_journal_skips_finished_rows(cli: Cli, company_id: str) -> None:
    """A re-run with the journal sends nothing for rows it already finished."""
    path, journal = cli.csv(GOOD), str(cli.tmp_path / "j.db")
    args = ("contacts", "import", path, "--company-id", company_id, "--journal", journal)
    assert cli.run(*args).exit_code == 0
    again = cli.run(*args, "--json")
    summary = _json(again.stdout)
    assert (summary["done"], summary["from_journal"], summary["requests_sent"]) == (3, 3, 0)


def test_unknown_contacts_are_settled_by_a_run_with_the_journal(cli: Cli, company_id: str) -> None:
    """Answers lost: exit 1 saying a re-run with the journal re-sends them; it does, once each."""
    path, journal = cli.csv(GOOD), str(cli.tmp_path / "j.db")
    args = ("contacts", "import", path, "--company-id", company_id, "--journal", journal)
    cli.emu.faults.add(FaultRule("POST /api/crm/contacts", commit_drop_rate=1.0))
    first = cli.run(*args)
    assert first.exit_code == 1
    assert "3 contacts have an unknown outcome" in first.output
    assert "with the same --journal sends those with an email or phone again" in first.output
    cli.emu.faults.clear()
    again = cli.run(*args, "--json")
    assert again.exit_code == 0, again.output
    summary = _json(again.stdout)
    assert (summary["total"], summary["done"], summary["unknown"]) == (3, 3, 0)
    assert _emails(cli) == ["ada@example.com", "grace@example.com"]
    assert len(cli.emu.talkturo.contacts) == 3  # Alan (phone only) too, once


def _contacts_csv(companies: list[str]) -> str:
    names = [("Ada", "Lovelace"), ("Grace", "Hopper")]
    lines = [
        f"{first},{last},{first.lower()}@example.com,{company}"
        for (first, last), company in zip(names, companies, strict=True)
    ]
    return "first_name,last_name,email,company_id\n" + "\n".join(lines) + "\n"


def test_retry_failed_sends_failed_rows_again(cli: Cli, company_id: str) -> None:
    """Rows that failed are reported from the journal on a re-run, and sent again with --retry-failed."""
    journal = str(cli.tmp_path / "j.db")
    broken = cli.csv(_contacts_csv([company_id, "comp_gone"]))  # the API answers 404
    first = cli.run("contacts", "import", broken, "--journal", journal, "--json")
    assert first.exit_code == 1
    assert (_json(first.stdout)["done"], _json(first.stdout)["failed"]) == (1, 1)
    fixed = cli.csv(_contacts_csv([company_id, company_id]), "fixed.csv")
    again = cli.run("contacts", "import", fixed, "--journal", journal, "--json")
    assert again.exit_code == 1
    summary = _json(again.stdout)
    assert (summary["failed"], summary["from_journal"], summary["requests_sent"]) == (1, 2, 0)
    assert _emails(cli) == ["ada@example.com"]
    retried = cli.run("contacts", "import", fixed, "--journal", journal, "--retry-failed", "--json")
    assert retried.exit_code == 0, retried.output
    summary = _json(retried.stdout)
    assert (summary["done"], summary["failed"], summary["requests_sent"]) == (2, 0, 1)
    assert _emails(cli) == ["ada@example.com", "grace@example.com"]


def test_journal_of_another_job_is_a_usage_error(cli: Cli, company_id: str) -> None:
    """A journal made for another team is refused before anything is sent (exit 2)."""
    journal = str(cli.tmp_path / "j.db")
    path = cli.csv(GOOD)
    assert (
        cli.run(
            "contacts", "import", path, "--company-id", company_id, "--journal", journal
        ).exit_code
        == 0
    )
    result = cli.run(
        "contacts", "import", path, "--company-id", company_id, "--journal", journal,
        "--team-id", OTHER_TEAM_ID, "--no-preflight",  # the preflight would refuse the team
    )  # fmt: skip
    assert result.exit_code == 2
    assert "belongs to another job" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["missing.csv"], {}, "File 'missing.csv' does not exist"),
        (["{no_last}"], {}, "missing required column(s): last_name"),
        (["{good}", "--rate-limit", "5/fortnight"], {}, "is not a rate"),
        (["{good}", "--concurrency", "0"], {}, "--concurrency"),
        (["{good}"], {"TALKTURO_TOKEN": None}, "TALKTURO_TOKEN is not set"),
        (["{good}"], {"TALKTURO_BASE_URL": None}, "TALKTURO_BASE_URL is not set"),
        (["{good}"], {"TALKTURO_TEAM_ID": None}, "--team-id is required"),
        (["{good}"], {"TALKTURO_BASE_URL": "http://api.example.com/api"}, "cleartext"),
    ],
)
def test_usage_errors_exit_2(
    cli: Cli, company_id: str, args: list[str], env: dict[str, str | None], message: str
) -> None:
    """Usage errors: a clear message, no traceback, exit 2, nothing sent."""
    files = {"good": cli.csv(GOOD, "good.csv"), "no_last": cli.csv("first_name\nAda\n", "x.csv")}
    argv = [a.format(**files) for a in args]
    result = cli.run("contacts", "import", *argv, "--company-id", company_id, env=env)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert cli.emu.talkturo.contacts == {}


def test_company_is_required_without_a_column(cli: Cli) -> None:
    """Without --company-id every row would fail: refused up front."""
    result = cli.run("contacts", "import", cli.csv(GOOD))
    assert result.exit_code == 2
    assert "--company-id is required" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "is empty"), ("first_name,last_name\n", "has a header but no rows")],
)
def test_empty_files_do_nothing(cli: Cli, content: str, message: str) -> None:
    """An empty or header-only file: a clear message, zero items, exit 0."""
    result = cli.run("contacts", "import", cli.csv(content), "--company-id", "c", "--json")
    assert result.exit_code == 0
    assert message in result.stderr
    assert _json(result.stdout)["total"] == 0


def test_unknown_columns_are_warned_once(cli: Cli, company_id: str) -> None:
    """Columns that are not fields are named once, as ignored; the import goes on."""
    path = cli.csv("first_name,last_name,nickname,plan\nAda,Lovelace,Ada,pro\n")
    result = cli.run("contacts", "import", path, "--company-id", company_id)
    assert result.exit_code == 0
    assert result.stderr.count("ignored column(s) 'nickname', 'plan'") == 1
    assert "custom.<name>" in result.stderr


def test_wrong_token_stops_the_job_exit_1(cli: Cli, company_id: str) -> None:
    """Without the preflight, a refused token stops the job (exit 1): the rows are not_sent,
    one line says so and names the env var, and the token is never shown."""
    wrong = "tk_test_WRONG_but_secret_4242"
    path = cli.csv("first_name,last_name,email\n" + "".join(f"F,L,u{i}@x.io\n" for i in range(50)))
    result = cli.run(
        "contacts", "import", path, "--company-id", company_id, "--concurrency", "2",
        "--no-preflight", env={"TALKTURO_TOKEN": wrong},
    )  # fmt: skip
    assert result.exit_code == 1
    assert "50 rows not sent: the job stopped (401" in result.output
    assert "Check the credentials (TALKTURO_TOKEN, TALKTURO_BASE_URL)" in result.output
    assert cli.emu.talkturo.contacts == {}
    sent = [r for r in cli.emu.request_log if r.path == "/api/crm/contacts"]
    assert 1 <= len(sent) <= 2  # only what was in flight when the first 401 came back


def test_companies_import(cli: Cli) -> None:
    """Companies are created from `name` rows; a name already taken is skipped."""
    path = cli.csv("name,website,custom.tier\nAcme,https://acme.example,gold\nGlobex,,\n")
    result = cli.run("companies", "import", path, "--json")
    assert result.exit_code == 0, result.output
    assert _json(result.stdout)["done"] == 2
    names = sorted(c["name"] for c in cli.emu.talkturo.companies.values())
    assert names == ["Acme", "Globex"]
    again = cli.run("companies", "import", path, "--json")
    assert _json(again.stdout)["skipped"] == 2


def test_calls_dial_calls_each_valid_number_once(cli: Cli, agent_id: str) -> None:
    """Valid numbers are called once (a repeat is skipped); a bad number fails naming `phone`."""
    path = cli.csv("phone,custom.order\n+12125550100,A1\n+12125550101,\n+1212,\n+12125550100,\n")
    result = cli.run(
        "calls", "dial", path, "--agent-id", agent_id, "--rate-limit", "50/s", "--json"
    )
    assert result.exit_code == 1, result.output
    summary = _json(result.stdout)
    assert (summary["done"], summary["skipped"], summary["failed"]) == (2, 1, 1)
    assert summary["failures"][0]["row"] == 3
    assert summary["failures"][0]["field"] == "phone"
    placed = sorted(call.to for call in cli.emu.placed_calls)
    assert placed == ["+12125550100", "+12125550101"]
    first = next(c for c in cli.emu.placed_calls if c.to == "+12125550100")
    assert first.payload == {"order": "A1"}


def test_calls_dial_all_good_exit_0(cli: Cli, agent_id: str) -> None:
    """Every number placed: exit 0; the pacing line says where the rate came from."""
    path = cli.csv("phone\n+12125550100\n+12125550101\n")
    result = cli.run("calls", "dial", path, "--agent-id", agent_id, "--rate-limit", "50/s")
    assert result.exit_code == 0, result.output
    assert "Pacing: 50/s (--rate-limit)" in result.output
    assert len(cli.emu.placed_calls) == 2


def test_calls_token_with_the_wrong_prefix_is_a_usage_error(cli: Cli, agent_id: str) -> None:
    """A Talkover token without `talq_` is refused before sending (exit 2), not echoed."""
    result = cli.run(
        "calls", "dial", cli.csv("phone\n+12125550100\n"), "--agent-id", agent_id,
        env={"TALKOVER_TOKEN": "sk_not_a_talkover_token_1234"},
    )  # fmt: skip
    assert result.exit_code == 2
    assert "Talkover tokens start with 'talq_'" in result.output
    assert cli.emu.placed_calls == []


def test_calls_wrong_token_exit_1(cli: Cli, agent_id: str) -> None:
    """A Talkover token the server refuses during the job: exit 1, nothing placed, not shown."""
    result = cli.run(
        "calls", "dial", cli.csv("phone\n+12125550100\n"), "--agent-id", agent_id, "--json",
        "--no-preflight", env={"TALKOVER_TOKEN": "talq_wrong_secret_value_77"},
    )  # fmt: skip
    assert result.exit_code == 1
    summary = _json(result.stdout)
    assert summary["aborted"] is not None
    assert (summary["total"], summary["not_sent"], summary["failures"]) == (1, 1, [])
    assert cli.emu.placed_calls == []


def test_output_masking_hides_configured_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """`safe` masks credentials from the environment and escapes undecodable bytes."""
    monkeypatch.setattr(_common, "_SECRET_ENVS", ("TALKTURO_TOKEN",))
    monkeypatch.setenv("TALKTURO_TOKEN", TURO_TOKEN)
    assert _common.safe(f"oops {TURO_TOKEN} and {OVER_TOKEN}") == f"oops ******** and {OVER_TOKEN}"
    assert _common.safe("b\udcffd") == "b\\udcffd"


def test_unreachable_redis_is_a_usage_error_before_sending(cli: Cli, company_id: str) -> None:
    """--redis-url pointing nowhere: exit 2, a clear message without the password, nothing sent."""
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sent = len(cli.emu.request_log)
    result = cli.run(
        "contacts",
        "import",
        cli.csv(GOOD),
        "--company-id",
        company_id,
        "--redis-url",
        f"redis://user:hunter2@127.0.0.1:{port}/0",
    )
    assert result.exit_code == 2, result.output
    assert f"127.0.0.1:{port}" in result.output
    assert "hunter2" not in result.output
    assert len(cli.emu.request_log) == sent


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("remaining", "exhausted"), [("0", 1), ("0, 0;w=60", 1), ("3", 0), (None, 0)]
)
async def test_traffic_counts_the_answers_that_exhaust_the_limit(
    remaining: str | None, exhausted: int
) -> None:
    """``X-RateLimit-Remaining: 0`` is counted (read as the rate limiter reads it)."""
    from talkkit._transport import headers_from_raw, read_response

    raw = [(b"Content-Type", b"application/json")]
    if remaining is not None:
        raw.append((b"X-RateLimit-Remaining", remaining.encode()))
    traffic = _common.Traffic()

    async def answer(request: object) -> Any:
        return read_response(200, headers_from_raw(raw), b"{}", {})

    await traffic(None, answer)  # type: ignore[arg-type]
    assert (traffic.attempts, traffic.exhausted) == (1, exhausted)
