"""
Jobs that must not run, or must stop: preflight, a wrong token, a storm of server failures.

- The preflight: a missing company or team, a missing or unpublished agent, a wrong token — each
  command exits 2 before the first row, naming the flag (or the variable) and the value (never
  the token's), and nothing but reads reaches the server.
- A wrong token with ``--no-preflight``: the job stops on the first answers; the counts add up;
  every row not processed is ``not_sent``, stored nowhere and not final in the journal; a
  resumed run with the right token (under the chaos faults, for contacts) sends them and ends
  with each valid row stored, or each valid number called, exactly once.
- A storm (every contact create failing: 5xx, drops, creates whose answer is lost): the job
  stops; the rows in flight keep their real outcome, the rest are ``not_sent``; the resumed
  run, the outage over, stores each valid row exactly once.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import anyio

from reliability._chaos import (
    CALL_PATH,
    CONTACTS_PATH,
    CONTACTS_ROUTE,
    check_counts,
    contact_truth,
    new_emulator,
    outcome_figures,
    precreate_contacts,
)
from reliability._data import (
    CONTACT_COLUMNS,
    ContactInput,
    NumberInput,
    contact_input,
    number_input,
    write_csv,
)
from reliability._harness import (
    CliRun,
    Scenario,
    cli_env,
    create_agent,
    create_company,
    run_cli,
    serve,
)
from reliability._kill import journal_state
from reliability._sizes import GRACE, Size, chaos, describe_chaos
from reliability._truth import (
    DUPLICATE,
    FINAL,
    ResultRow,
    check_contact_rows,
    check_repeats,
    check_results_file,
    check_rows_sent_once,
    journal_rows,
    read_results,
    results_by_key,
    sends_by_subject,
)
from talkkit import AsyncTalkover
from talkkit.emulator import TALKOVER_TOKEN, TALKTURO_TOKEN, Emulator, FaultRule
from talkkit.testing import ServedEmulator

__all__ = ["WRONG_TALKOVER_TOKEN", "WRONG_TALKTURO_TOKEN", "job_stops"]

WRONG_TALKTURO_TOKEN = "tk_test_wrong_reliability_0123456789"
WRONG_TALKOVER_TOKEN = "talq_wrong_reliability_9876543210"
TOKENS = (TALKTURO_TOKEN, TALKOVER_TOKEN, WRONG_TALKTURO_TOKEN, WRONG_TALKOVER_TOKEN)
STORM = FaultRule(CONTACTS_ROUTE, error_rate=0.6, drop_rate=0.1, commit_drop_rate=0.3)
"""Every contact create fails: 60 % 5xx, 10 % dropped, 30 % stored but the answer lost."""


def _writes(emu: Emulator, since: int) -> list[str]:
    """The requests other than reads that reached the server from the ``since``-th on."""
    return [f"{r.method} {r.path}" for r in emu.request_log[since:] if r.method != "GET"]


def _posts(emu: Emulator, suffix: str, since: int) -> int:
    return sum(1 for r in emu.request_log[since:] if r.method == "POST" and r.path.endswith(suffix))


def _no_token(scenario: Scenario, where: str, texts: list[str]) -> None:
    """No token, right or wrong, in any of ``texts`` (output, results file, journal bytes)."""
    shown = [t[:10] + "…" for t in TOKENS if any(t in text for text in texts)]
    scenario.check(f"no token in {where}", not shown, shown)


def _files(*paths: Path) -> list[str]:
    """The raw bytes of files (and a journal's -wal), as text."""
    texts = []
    for path in paths:
        for part in (path, path.with_name(path.name + "-wal")):
            if part.exists():
                texts.append(part.read_bytes().decode("latin-1"))
    return texts


async def _draft(url: str) -> str:
    async with AsyncTalkover(TALKOVER_TOKEN, base_url=url, rate_limit=None) as client:
        return (await client.agents.create(name="Draft", label="never published")).id


def _refused(
    scenario: Scenario,
    emu: Emulator,
    name: str,
    args: list[str],
    env: dict[str, str],
    named: tuple[str, ...],
) -> None:
    """A command the preflight must refuse: exit 2, ``named`` in its message, nothing sent."""
    calls, since = len(emu.placed_calls), len(emu.request_log)
    run = run_cli(args, env)
    output = run.stdout + run.stderr
    writes = _writes(emu, since)
    scenario.check(
        f"preflight, {name}: exit 2 naming {' and '.join(named)}, nothing but reads sent",
        run.returncode == 2
        and all(n in output for n in named)
        and not writes
        and len(emu.placed_calls) == calls,
        f"exit {run.returncode}, sent {writes[:3]}, said {output.strip()[-200:]!r}",
    )
    _no_token(scenario, f"the output of the refused {name}", [output])


def _preflight(
    scenario: Scenario,
    emu: Emulator,
    served: ServedEmulator,
    contacts: Path,
    numbers: Path,
    company: str,
    agent: str,
) -> None:
    env = cli_env(served)
    wrong = cli_env(
        served, TALKTURO_TOKEN=WRONG_TALKTURO_TOKEN, TALKOVER_TOKEN=WRONG_TALKOVER_TOKEN
    )
    draft = anyio.run(_draft, served.talkover_url)
    importing = ["contacts", "import", str(contacts), "--json"]
    dialing = ["calls", "dial", str(numbers), "--json", "--rate-limit", "5000/s"]
    cases: list[tuple[str, list[str], dict[str, str], tuple[str, ...]]] = [
        ("a missing company", [*importing, "--company-id", "comp_missing"], env,
         ("--company-id", "comp_missing")),
        ("a wrong Talkturo token", [*importing, "--company-id", company], wrong,
         ("TALKTURO_TOKEN",)),
        ("a missing team", [*importing, "--company-id", company, "--team-id", "team_missing"],
         env, ("--team-id", "team_missing")),
        ("a missing agent", [*dialing, "--agent-id", "agent_missing"], env,
         ("--agent-id", "agent_missing")),
        ("an unpublished agent", [*dialing, "--agent-id", draft], env, ("--agent-id", draft)),
        ("a wrong Talkover token", [*dialing, "--agent-id", agent], wrong, ("TALKOVER_TOKEN",)),
    ]  # fmt: skip
    for name, args, values, named in cases:
        _refused(scenario, emu, name, args, values, named)


def _stopped_run(
    scenario: Scenario,
    run: CliRun,
    results: Path,
    journal: Path,
    data: ContactInput | NumberInput,
    name: str,
    in_flight: tuple[str, int] | None = None,
) -> tuple[dict[str, Any], dict[str, ResultRow]]:
    """
    The checks every stopped run shares: counts; every row not sent but those settled before
    sending (and, with ``in_flight`` — an outcome and the concurrency — at most that many rows
    in flight when the job stopped, which end so); the rows not sent not final in the journal.
    Returns the summary and the results file by key.
    """
    summary = run.summary
    lines = read_results(results)
    rows = len(data.rows) if isinstance(data, ContactInput) else len(data.numbers)
    check_results_file(scenario, lines, rows, name)
    keyed = results_by_key(scenario, lines, data.keys(), name)
    check_counts(scenario, summary, rows, run, name)
    outcomes = lines.outcomes()
    scenario.check(
        f"{name}: the summary's counts are the results file's",
        all(summary[o] == outcomes.get(o, 0) for o in ("done", "failed", "unknown", "not_sent")),
        f"{ {o: summary[o] for o in ('done', 'failed', 'unknown', 'not_sent')} } vs "
        f"{dict(outcomes)}",
    )
    scenario.check(
        f"{name}: the job stopped, saying why", bool(summary["aborted"]), summary["aborted"]
    )
    not_sent = {k for k, r in keyed.items() if r.outcome == "not_sent"}
    final = journal_rows(journal, states=FINAL)
    scenario.check(
        f"{name}: no row not sent is final in the journal (a resumed run sends it)",
        not not_sent & set(final),
        sorted(not_sent & set(final))[:5],
    )
    scenario.check(
        f"{name}: the rows not sent are counted, not listed one by one",
        not any(f["outcome"] == "not_sent" for f in summary["failures"]),
        [f for f in summary["failures"] if f["outcome"] == "not_sent"][:2],
    )
    processed = [r for r in lines.rows.values() if r.outcome != "not_sent"]
    wrongly = [
        r
        for r in processed
        if not ((r.outcome, r.code) == ("failed", "invalid_input") and r.row - 1 in data.invalid)
        and not ((r.outcome, r.code) == ("skipped", DUPLICATE) and r.row - 1 in data.repeated)
    ]
    flying = [r for r in wrongly if in_flight is not None and r.outcome == in_flight[0]]
    wrongly = [r for r in wrongly if r not in flying]
    limit = 0 if in_flight is None else in_flight[1]
    also = "" if in_flight is None else f", at most {limit} in flight ending {in_flight[0]}"
    scenario.check(
        f"{name}: every row not sent but those settled before sending (invalid rows failed, "
        f"repeats skipped){also}",
        not wrongly and len(flying) <= limit,
        f"{len(flying)} in flight; {wrongly[:2]}",
    )
    scenario.figure(f"{name}: valid distinct rows not sent", len(not_sent))
    return summary, keyed


def _wrong_token_import(
    scenario: Scenario,
    emu: Emulator,
    served: ServedEmulator,
    data: ContactInput,
    path: Path,
    company: str,
    workdir: Path,
    size: Size,
) -> None:
    journal, results = workdir / "import.db", workdir / "import-wrong.csv"
    args = ["contacts", "import", str(path), "--company-id", company, "--json"]
    args += ["--journal", str(journal), "--concurrency", str(size.import_concurrency)]
    wrong = cli_env(served, TALKTURO_TOKEN=WRONG_TALKTURO_TOKEN)
    stored, since = len(emu.talkturo.contacts), len(emu.request_log)
    name = "wrong Talkturo token"
    run = run_cli([*args, "--no-preflight", "--results", str(results)], wrong)
    valid = {f"email:{data.email(i)}" for i in data.valid}
    summary, keyed = _stopped_run(scenario, run, results, journal, data, name)
    posts = _posts(emu, CONTACTS_PATH, since)
    scenario.figure(f"{name}: creates that reached the server (each answered 401)", posts)
    scenario.check(
        f"{name}: stopped on the first answers (at most --concurrency creates sent)",
        0 < posts <= size.import_concurrency,
        posts,
    )
    scenario.check(
        f"{name}: nothing stored", len(emu.talkturo.contacts) == stored,
        len(emu.talkturo.contacts) - stored,
    )  # fmt: skip
    check_contact_rows(
        scenario,
        sends_by_subject(emu, CONTACTS_PATH, since=since),
        journal_rows(journal),
        expected=valid,
        never_sent={f"email:{data.email(i)}" for i in data.invalid},
        results=keyed,
    )
    outcome_figures(scenario, summary, run, f" ({name})")
    _no_token(
        scenario, f"the output, results file and journal ({name})",
        [run.stdout, run.stderr, *_files(results, journal)],
    )  # fmt: skip
    emu.faults.add(chaos(CONTACTS_ROUTE))
    resumed = workdir / "import-resumed.csv"
    again = run_cli([*args, "--results", str(resumed)], cli_env(served))
    second = again.summary
    check_counts(scenario, second, len(data.rows), again, " (resumed, right token)")
    contact_truth(scenario, emu, data, second, journal, since=since, results=read_results(resumed))
    scenario.check(
        "the resumed run sent every row the stopped one did not (none from the journal)",
        second["not_sent"] == second["from_journal"] == 0
        and second["done"] + second["skipped"] == len(data.valid),
        f"not sent {second['not_sent']}, from journal {second['from_journal']}, done "
        f"{second['done']} + skipped {second['skipped']} vs {len(data.valid)} valid rows",
    )
    outcome_figures(scenario, second, again, " (resumed, right token)")
    emu.faults.clear()


def _wrong_token_dial(
    scenario: Scenario,
    emu: Emulator,
    served: ServedEmulator,
    data: NumberInput,
    path: Path,
    agent: str,
    workdir: Path,
    size: Size,
) -> None:
    journal, results = workdir / "dial.db", workdir / "dial-wrong.csv"
    args = ["calls", "dial", str(path), "--agent-id", agent, "--json"]
    args += ["--journal", str(journal), "--concurrency", str(size.dial_concurrency)]
    args += ["--rate-limit", "5000/s", "--reconcile-grace", f"{GRACE:g}"]
    wrong = cli_env(served, TALKOVER_TOKEN=WRONG_TALKOVER_TOKEN)
    placed, since = len(emu.placed_calls), len(emu.request_log)
    name = "wrong Talkover token"
    run = run_cli([*args, "--no-preflight", "--results", str(results)], wrong)
    valid = {f"phone:{n}" for n in data.valid}
    summary, keyed = _stopped_run(scenario, run, results, journal, data, name)
    posts = _posts(emu, CALL_PATH, since)
    scenario.figure(f"{name}: call requests that reached the server (each answered 401)", posts)
    scenario.check(
        f"{name}: stopped on the first answers (at most --concurrency calls asked for)",
        0 < posts <= size.dial_concurrency,
        posts,
    )
    scenario.check(
        f"{name}: no call placed, every valid number not sent",
        len(emu.placed_calls) == placed
        and all(r.outcome == "not_sent" for r in keyed.values())
        and summary["not_sent"] >= len(valid),
        f"{len(emu.placed_calls) - placed} placed, not sent {summary['not_sent']}",
    )
    never = {f"phone:{data.numbers[i]}" for i in data.invalid}
    check_rows_sent_once(
        scenario,
        ("calls", "call"),
        sends_by_subject(emu, CALL_PATH),
        journal_rows(journal),
        valid,
        never,
        keyed,
    )
    outcome_figures(scenario, summary, run, f" ({name})")
    _no_token(
        scenario, f"the output, results file and journal ({name})",
        [run.stdout, run.stderr, *_files(results, journal)],
    )  # fmt: skip
    resumed = workdir / "dial-resumed.csv"
    again = run_cli([*args, "--results", str(resumed)], cli_env(served))
    second = again.summary
    after = read_results(resumed)
    resumed_name = " (resumed dialing)"
    check_results_file(scenario, after, len(data.numbers), resumed_name)
    check_counts(scenario, second, len(data.numbers), again, resumed_name)
    check_rows_sent_once(
        scenario,
        ("calls", "call"),
        sends_by_subject(emu, CALL_PATH),
        journal_rows(journal),
        valid,
        never,
        results_by_key(scenario, after, data.keys(), resumed_name),
    )
    check_repeats(scenario, after, data.repeats())
    expected = (len(data.valid), len(data.repeated), len(data.invalid), 0)
    got = (second["done"], second["skipped"], second["failed"], second["from_journal"])
    scenario.check(
        "the resumed dialing with the right token calls every valid number, none from the "
        "journal (done, skipped repeats, failed invalid, from journal)",
        got == expected,
        f"{got} vs {expected}",
    )
    scenario.check(
        "every valid number called exactly once, no other",
        emu.calls_per_number() == Counter(dict.fromkeys(data.valid, 1)),
        sorted(emu.calls_per_number().items())[:3],
    )
    outcome_figures(scenario, second, again, " (resumed dialing)")


def _storm(
    scenario: Scenario,
    emu: Emulator,
    served: ServedEmulator,
    data: ContactInput,
    path: Path,
    workdir: Path,
    size: Size,
) -> None:
    company = create_company(served)
    precreate_contacts(served, company, data)
    journal, results = workdir / "storm.db", workdir / "storm.csv"
    args = ["contacts", "import", str(path), "--company-id", company, "--json"]
    args += ["--journal", str(journal), "--concurrency", str(size.import_concurrency)]
    env = cli_env(served)
    since = len(emu.request_log)
    emu.faults.add(STORM)
    name = "storm"
    run = run_cli([*args, "--results", str(results)], env)
    valid = {f"email:{data.email(i)}" for i in data.valid}
    summary, keyed = _stopped_run(
        scenario, run, results, journal, data, name, ("unknown", size.import_concurrency)
    )
    posts = _posts(emu, CONTACTS_PATH, since)
    scenario.figure(f"{name}: creates sent before the stop", posts)
    scenario.check(
        f"{name}: stopped on the storm rule (of the last 50 sends at least 80 % failed)",
        "of the last 50" in str(summary["aborted"]) and summary["not_sent"] > 0,
        summary["aborted"],
    )
    check_contact_rows(
        scenario,
        sends_by_subject(emu, CONTACTS_PATH, since=since),
        journal_rows(journal),
        expected=valid,
        never_sent={f"email:{data.email(i)}" for i in data.invalid},
        results=keyed,
    )
    outcome_figures(scenario, summary, run, f" ({name})")
    emu.faults.clear()  # the outage is over
    resumed = workdir / "storm-resumed.csv"
    again = run_cli([*args, "--results", str(resumed)], env)
    second = again.summary
    check_counts(scenario, second, len(data.rows), again, " (after the storm)")
    contact_truth(scenario, emu, data, second, journal, since=since, results=read_results(resumed))
    outcome_figures(scenario, second, again, " (after the storm)")
    state = journal_state(journal)
    scenario.check("after the storm: no row left pending", "pending" not in state.states,
                   state.states)  # fmt: skip


def job_stops(size: Size, workdir: Path, *, seed: int = 2032) -> Scenario:
    """Preflight refusals, a wrong token with the preflight off, and a storm; each resumed."""
    scenario = Scenario(
        f"Preflight and early stops ({size.wrong_token_rows:,} contacts, "
        f"{size.wrong_token_numbers:,} numbers)"
    )
    contacts = contact_input(size.wrong_token_rows)
    numbers = number_input(size.wrong_token_numbers)
    contacts_csv = write_csv(workdir / "contacts.csv", CONTACT_COLUMNS, contacts.rows)
    numbers_csv = write_csv(
        workdir / "numbers.csv", ["phone"], [{"phone": n} for n in numbers.numbers]
    )
    emu = new_emulator(seed)
    started = time.monotonic()
    with serve(emu) as served:
        company = create_company(served)
        agent = create_agent(served)
        precreate_contacts(served, company, contacts)
        _preflight(scenario, emu, served, contacts_csv, numbers_csv, company, agent)
        _wrong_token_import(scenario, emu, served, contacts, contacts_csv, company, workdir, size)
        _wrong_token_dial(scenario, emu, served, numbers, numbers_csv, agent, workdir, size)
    storm = new_emulator(seed + 1)  # a fresh store: the import above stored every row
    with serve(storm) as served:
        _storm(scenario, storm, served, contacts, contacts_csv, workdir, size)
    scenario.seconds = time.monotonic() - started
    scenario.figure("time (all runs)", f"{scenario.seconds:.1f} s")
    scenario.notes.append(
        "The preflight reads the job's parents (the team and company of an import, the agent "
        "of dialing) and so checks the token too, before the first row: a failure exits 2 and "
        "only reads reach the server. With `--no-preflight` a wrong token is found by the first "
        "answers: the job stops, the rows not processed end `not_sent` (counted, not listed; "
        "never final in the journal), and the same command with the right token sends them. "
        f"The resumed import runs under the chaos faults ({describe_chaos()})."
    )
    scenario.notes.append(
        "The storm: every contact create failing (60 % 5xx, 10 % dropped, 30 % stored with "
        "the answer lost). The job stops once 80 % of its last 50 sends failed so; the rows "
        "in flight keep their outcome (a row whose create was stored but unanswered must not "
        "be reported not sent), the rest are not sent, and the resumed run stores each valid "
        "row exactly once."
    )
    return scenario
