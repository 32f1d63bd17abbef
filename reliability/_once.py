"""
The scenarios of items the client must send at most once, whatever happens: calls and companies.

Neither has a natural key the server dedupes by, so an unclear create is never sent again: it is
looked up (call history, company search) or reported ``unknown``. The emulator refuses no
duplicate here, and every create that reaches it is counted per number or per company name, so a
second send of one item shows however the run ends.

- ``chaos_companies``: a company import under the chaos faults, then a re-run with its journal.
- ``kill_and_resume_dial``: dialing SIGKILLed at seeded points and resumed with the same journal,
  through ``talkkit calls dial`` or the library's ``calls.dial_many`` (``via``).
- ``kill_and_resume_companies``: the same for ``talkkit companies import``.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import attrs

from reliability._chaos import (
    CALL_PATH,
    CALL_ROUTE,
    HISTORY_ROUTE,
    check_counts,
    fault_line,
    faults_seen,
    new_emulator,
    outcome_figures,
)
from reliability._data import COMPANY_COLUMNS, company_input, number_input, write_csv
from reliability._harness import (
    Scenario,
    cli_command,
    cli_env,
    create_agent,
    run_cli,
    run_command,
    serve,
)
from reliability._kill import journal_state, kill_at
from reliability._sizes import GRACE, Size, chaos, describe_chaos
from reliability._truth import (
    ResultRow,
    check_repeats,
    check_results_file,
    check_rows_sent_once,
    journal_rows,
    read_results,
    results_by_key,
    sends_by_subject,
)
from talkkit.emulator import Emulator

__all__ = ["chaos_companies", "kill_and_resume_companies", "kill_and_resume_dial"]

ROOT = Path(__file__).resolve().parent.parent
COMPANIES_ROUTE = "POST /api/crm/companies"
COMPANY_SEARCH_ROUTE = "GET /api/crm/companies"
COMPANIES_PATH = "/crm/companies"


def _reachable(items: int) -> int:
    """
    How far a kill point may go: each kill leaves the rows in flight pending, and a pending row
    that never reached the server ends ``unknown``, never sent; 5xx answers add more. Points
    beyond three quarters of the rows might never be reached.
    """
    return max(items * 3 // 4, 2)


@attrs.define
class _Kills:
    """What the killed runs of one scenario left behind."""

    at_kill: list[int] = attrs.Factory(list)
    integrity: list[str] = attrs.Factory(list)
    pending: int = 0
    overclaims: list[list[str]] = attrs.Factory(list)  # per kill: done in the journal, not created


def _kill_repeatedly(
    progress: Callable[[], int],
    created: Callable[[], set[str]],
    command: list[str],
    env: dict[str, str],
    points: list[int],
    journal: Path,
    log: Path,
) -> _Kills:
    """
    Run ``command`` and SIGKILL it each time ``progress()`` (records on the server) reaches
    the next point; resume it each time.

    ``created`` returns the keys (``phone:…``, ``name:…``) the server has created records for.
    """
    kills = _Kills()
    for point in points:
        if not kill_at(progress, command, env, point, log, cwd=ROOT):
            break
        truth = created()
        kills.at_kill.append(len(truth))
        state = journal_state(journal)
        kills.integrity.append(state.integrity)
        kills.pending += state.states.get("pending", 0)
        done = journal_rows(journal, states=("done",))
        kills.overclaims.append(sorted(set(done) - truth))
    return kills


def _kill_checks(
    scenario: Scenario,
    kills: _Kills,
    wanted: int,
    what: str,
    final: dict[str, int],
    summary: dict[str, Any],
) -> None:
    for number, overclaimed in enumerate(kills.overclaims, 1):
        scenario.check(
            f"kill {number}: every row the journal says done was created on the server",
            not overclaimed,
            overclaimed[:5],
        )
    scenario.figure("kills (SIGKILL)", len(kills.at_kill))
    scenario.figure(
        f"{what} on the server at each kill", ", ".join(f"{n:,}" for n in kills.at_kill)
    )
    scenario.figure("rows pending in the journal at the kills", kills.pending)
    scenario.figure("final run: rows taken from the journal", summary["from_journal"])
    scenario.figure("journal at the end", ", ".join(f"{s} {n:,}" for s, n in sorted(final.items())))
    scenario.figure("PRAGMA integrity_check", ", ".join(sorted(Counter(kills.integrity))))
    scenario.check(
        f"killed {wanted} times", len(kills.at_kill) == wanted, f"{len(kills.at_kill)} kills"
    )
    scenario.check(
        "the journal passes PRAGMA integrity_check after every kill and at the end",
        all(i.startswith("ok") for i in kills.integrity),
        kills.integrity,
    )
    scenario.check("no row left pending", "pending" not in final, final)
    scenario.check(
        "the final run resumed from the journal",
        summary["from_journal"] > 0,
        summary["from_journal"],
    )


def _dial_command(via: str, path: Path, agent: str, size: Size, journal: Path) -> list[str]:
    options = ["--agent-id", agent, "--journal", str(journal)]
    options += ["--concurrency", str(size.dial_concurrency), "--reconcile-grace", f"{GRACE:g}"]
    if via == "library":
        return [sys.executable, "-m", "reliability._dial_many", str(path), *options]
    return cli_command("calls", "dial", str(path), *options, "--rate-limit", "5000/s")


def kill_and_resume_dial(
    size: Size, workdir: Path, *, via: Literal["cli", "library"] = "cli", seed: int = 2029
) -> Scenario:
    """Kill dialing ``size.sent_once_kills`` times at seeded points, resume each time, finish."""
    label = "`talkkit calls dial`" if via == "cli" else "the library (`calls.dial_many`)"
    scenario = Scenario(
        f"Kill and resume dialing through {label} "
        f"({size.kill_numbers:,} numbers, {size.sent_once_kills} SIGKILLs)"
    )
    data = number_input(size.kill_numbers)
    path = write_csv(workdir / f"dial-{via}.csv", ["phone"], [{"phone": n} for n in data.numbers])
    journal = workdir / f"dial-{via}.db"
    rng = random.Random(seed)
    points = sorted(rng.sample(range(1, _reachable(len(data.valid))), size.sent_once_kills))
    emu = new_emulator(seed)
    started = time.monotonic()
    with serve(emu) as served:
        agent = create_agent(served)
        emu.faults.add(chaos(CALL_ROUTE))
        emu.faults.add(chaos(HISTORY_ROUTE))
        env = cli_env(served)
        command = _dial_command(via, path, agent, size, journal)
        kills = _kill_repeatedly(
            lambda: len(emu.placed_calls),
            lambda: {f"phone:{call.to}" for call in list(emu.placed_calls)},
            command,
            env,
            points,
            journal,
            workdir / f"killed-dial-{via}.log",
        )
        results = workdir / f"results-{via}.csv"
        last = [*command, "--results", str(results)]
        run = run_command(last + ([] if via == "library" else ["--json"]), env, cwd=ROOT)
        scenario.seconds = time.monotonic() - started
        summary = run.summary
        lines = read_results(results)
        keyed = results_by_key(scenario, lines, data.keys())
        final = journal_state(journal)
        kills.integrity.append(final.integrity)
        _calls_truth(scenario, emu, data.valid, len(data.repeated), summary, keyed)
        check_results_file(scenario, lines, len(data.numbers))
        check_counts(scenario, summary, len(data.numbers), run)
        check_rows_sent_once(
            scenario,
            ("calls", "call"),
            sends_by_subject(emu, CALL_PATH),
            journal_rows(journal),
            expected={f"phone:{n}" for n in data.valid},
            never_sent={f"phone:{data.numbers[i]}" for i in data.invalid},
            results=keyed,
        )
        check_repeats(scenario, lines, data.repeats())
        outcome_figures(scenario, summary, run, " (final run)")
        scenario.figure("emulator: call requests", _faults(emu, "POST", "/call"))
        scenario.figure("emulator: call-history lookups", _faults(emu, "GET", "/calls"))
    _kill_checks(scenario, kills, size.sent_once_kills, "calls", final.states, summary)
    scenario.figure("time (all runs)", f"{scenario.seconds:.1f} s")
    scenario.notes.append(
        f"Kill points (calls placed, seeded with {seed}): "
        + ", ".join(f"{p:,}" for p in points)
        + f". Faults on the call endpoint and on the call-history lookups: {describe_chaos()}. "
        "A number pending in the journal at a kill may or may not have been called: the "
        "resumed run looks it up in the call history (done when found; not_placed when not "
        f"there {GRACE:g} s after its attempt; unknown when the history cannot be read) and "
        "never dials it again."
    )
    return scenario


def _calls_truth(
    scenario: Scenario,
    emu: Emulator,
    valid: set[str],
    repeated: int,
    summary: dict[str, Any],
    results: Mapping[str, ResultRow],
) -> None:
    called = Counter(call.to for call in emu.placed_calls)
    twice = {n: c for n, c in called.items() if c > 1}
    reported = {key.removeprefix("phone:"): r.outcome for key, r in results.items()}
    unreported = sorted(
        n for n in valid - set(called) if reported.get(n) not in ("failed", "unknown", "not_placed")
    )
    wrongly_called = sorted(
        n for n, o in reported.items() if o in ("failed", "not_placed", "not_sent") and n in called
    )
    unknown_called = sum(1 for n, o in reported.items() if o == "unknown" and n in called)
    scenario.figure("numbers in", summary["total"])
    scenario.figure("distinct valid numbers", len(valid))
    scenario.figure("numbers called (emulator truth)", len(called))
    scenario.figure("numbers called twice", len(twice))
    scenario.check("0 numbers called twice", not twice, dict(list(twice.items())[:5]))
    scenario.check(
        "every number not called is reported failed, not_placed or unknown",
        not unreported,
        unreported[:5],
    )
    scenario.check(
        "no number reported failed, not_placed or not_sent was called",
        not wrongly_called,
        wrongly_called[:5],
    )
    scenario.check(
        "done == numbers called (less unknown ones that were called)",
        summary["done"] == len(called) - unknown_called,
        f"{summary['done']} vs {len(called)} - {unknown_called}",
    )
    scenario.check(
        "repeated numbers are skipped",
        summary["skipped"] == repeated,
        f"{summary['skipped']} vs {repeated}",
    )


def _faults(emu: Emulator, method: str, suffix: str) -> str:
    return fault_line(faults_seen(emu, method, suffix))


def _company_truth(
    scenario: Scenario,
    emu: Emulator,
    journal: Path,
    keys: set[str],
    invalid: set[str],
    results: Mapping[str, ResultRow] | None = None,
) -> None:
    names = Counter(str(c["name"]).lower() for c in emu.talkturo.companies.values())
    twice = {n: c for n, c in names.items() if c > 1}
    scenario.figure("companies stored (emulator truth)", len(names))
    scenario.figure("company names stored twice", len(twice))
    scenario.check("0 companies stored twice (counted per name on the server)", not twice, twice)
    check_rows_sent_once(
        scenario,
        ("companies", "company"),
        sends_by_subject(emu, COMPANIES_PATH),
        journal_rows(journal),
        expected=keys,
        never_sent=invalid,
        results=results,
    )


def _company_emulator(seed: int) -> Emulator:
    emu = new_emulator(seed, refuse_duplicates=False)
    emu.faults.add(chaos(COMPANIES_ROUTE))
    emu.faults.add(chaos(COMPANY_SEARCH_ROUTE))
    return emu


def chaos_companies(size: Size, workdir: Path, *, seed: int = 2031) -> Scenario:
    """
    ``size.companies`` rows through ``talkkit companies import`` under chaos, then again with
    the journal, then (the faults over) with ``--retry-failed``, which creates the companies the
    first run reported not placed, each once.
    """
    scenario = Scenario(f"Chaos company import ({size.companies:,} companies)")
    data = company_input(size.companies)
    path = write_csv(workdir / "companies.csv", COMPANY_COLUMNS, data.rows)
    journal = workdir / "companies.db"
    keys = {data.key(i) for i in range(len(data.rows)) if i not in data.invalid}
    invalid = {data.key(i) for i in data.invalid}
    emu = _company_emulator(seed)
    with serve(emu) as served:
        env = cli_env(served)
        args = ["companies", "import", str(path), "--journal", str(journal), "--json"]
        args += ["--concurrency", str(size.import_concurrency)]
        args += ["--reconcile-grace", f"{GRACE:g}"]
        first = workdir / "results-1.csv"
        started = time.monotonic()
        run = run_cli([*args, "--results", str(first)], env)
        scenario.seconds = time.monotonic() - started
        summary = run.summary
        lines = read_results(first)
        check_results_file(scenario, lines, len(data.rows))
        check_counts(scenario, summary, len(data.rows), run)
        _company_truth(
            scenario, emu, journal, keys, invalid, results_by_key(scenario, lines, data.keys())
        )
        outcome_figures(scenario, summary, run)
        scenario.figure("emulator: company creates", _faults(emu, "POST", COMPANIES_PATH))
        stored = len(emu.talkturo.companies)
        rerun = workdir / "results-2.csv"
        again = run_cli([*args, "--results", str(rerun)], env).summary
        created_again = len(emu.talkturo.companies) - stored
        first_keys = results_by_key(scenario, lines, data.keys())
        again_keys = results_by_key(scenario, read_results(rerun), data.keys(), " (re-run)")
        emu.faults.clear()  # the outage is over
        retried = workdir / "results-3.csv"
        retry = run_cli([*args, "--retry-failed", "--results", str(retried)], env)
        after = read_results(retried)
        name = " (--retry-failed)"
        check_results_file(scenario, after, len(data.rows), name)
        check_counts(scenario, retry.summary, len(data.rows), retry, name)
        retried_keys = results_by_key(scenario, after, data.keys(), name)
        _company_truth(scenario, emu, journal, keys, invalid, retried_keys)
        outcome_figures(scenario, retry.summary, retry, " (--retry-failed)")
    scenario.check(
        "every invalid row failed before sending",
        sum(f["code"] == "invalid_input" for f in summary["failures"]) == len(data.invalid),
        len(data.invalid),
    )
    scenario.figure("re-run with the journal: companies created", created_again)
    scenario.check(
        "a re-run with the journal creates no company", created_again == 0, created_again
    )
    changed = sorted(
        f"{key}: {r.outcome} → {again_keys[key].outcome}"
        for key, r in first_keys.items()
        if key in again_keys
        and r.outcome != "unknown"
        and (r.outcome, r.resource_id) != (again_keys[key].outcome, again_keys[key].resource_id)
    )
    scenario.check(
        "the re-run reports every row as the first run did (from the journal), but the unknown "
        "ones, which it looks up again",
        again["total"] == len(data.rows) and not changed,
        f"total {again['total']}; {changed[:5]}",
    )
    not_placed = {k for k, r in again_keys.items() if r.outcome == "not_placed"}
    created = {k for k, r in retried_keys.items() if r.outcome == "done" and k in not_placed}
    scenario.figure(
        "--retry-failed: not placed before / created now", f"{len(not_placed)} / {len(created)}"
    )
    scenario.check(
        "--retry-failed created every company the journal held as not placed",
        created == not_placed,
        sorted(not_placed - created)[:5],
    )
    outcomes = {k: r.outcome for k, r in retried_keys.items()}
    left = {k for k in keys if outcomes.get(k) != "done"}
    stored_keys = emu.company_keys()
    scenario.check(
        "after it, every valid company is stored exactly once but those it reports not placed",
        stored_keys == Counter(dict.fromkeys(keys - left, 1))
        and all(outcomes.get(k) == "not_placed" for k in left),
        f"stored {len(stored_keys)}, {sum(n > 1 for n in stored_keys.values())} twice; "
        f"left {sorted((k, outcomes.get(k)) for k in left)[:3]}",
    )
    scenario.figure("time (first run)", f"{scenario.seconds:.1f} s")
    scenario.notes.append(
        f"Faults on company creates and on the name searches that reconcile them: "
        f"{describe_chaos()}. The emulator refuses no duplicate name "
        "(`Emulator(refuse_duplicates=False)`), so a company sent twice would be stored twice. "
        "An unclear create is looked up by name at once and once more after the grace period "
        f"(`--reconcile-grace {GRACE:g}`): found, done; not there, `not_placed` (never created "
        "again by a plain re-run; `--retry-failed` creates it); the search unreadable, unknown."
    )
    return scenario


def kill_and_resume_companies(size: Size, workdir: Path, *, seed: int = 2030) -> Scenario:
    """Kill a company import ``size.sent_once_kills`` times, resume it each time, finish it."""
    scenario = Scenario(
        f"Kill and resume a company import ({size.kill_companies:,} companies, "
        f"{size.sent_once_kills} SIGKILLs)"
    )
    data = company_input(size.kill_companies)
    path = write_csv(workdir / "companies.csv", COMPANY_COLUMNS, data.rows)
    journal = workdir / "companies.db"
    keys = {data.key(i) for i in range(len(data.rows)) if i not in data.invalid}
    rng = random.Random(seed)
    points = sorted(rng.sample(range(1, _reachable(len(keys))), size.sent_once_kills))
    emu = _company_emulator(seed)
    started = time.monotonic()
    with serve(emu) as served:
        env = cli_env(served)
        args = ["companies", "import", str(path), "--journal", str(journal)]
        args += ["--concurrency", str(size.import_concurrency)]
        args += ["--reconcile-grace", f"{GRACE:g}"]
        kills = _kill_repeatedly(
            lambda: len(emu.talkturo.companies),
            lambda: {f"name:{c['name'].lower()}" for c in list(emu.talkturo.companies.values())},
            cli_command(*args),
            env,
            points,
            journal,
            workdir / "killed-companies.log",
        )
        results = workdir / "results.csv"
        run = run_cli([*args, "--json", "--results", str(results)], env)
        scenario.seconds = time.monotonic() - started
        summary = run.summary
        final = journal_state(journal)
        kills.integrity.append(final.integrity)
        lines = read_results(results)
        check_results_file(scenario, lines, len(data.rows))
        check_counts(scenario, summary, len(data.rows), run)
        invalid = {data.key(i) for i in data.invalid}
        keyed = results_by_key(scenario, lines, data.keys())
        _company_truth(scenario, emu, journal, keys, invalid, keyed)
        outcome_figures(scenario, summary, run, " (final run)")
    _kill_checks(scenario, kills, size.sent_once_kills, "companies", final.states, summary)
    scenario.figure("time (all runs)", f"{scenario.seconds:.1f} s")
    scenario.notes.append(
        f"Kill points (companies stored, seeded with {seed}): "
        + ", ".join(f"{p:,}" for p in points)
        + ". A company pending at a kill is looked up by name by the resumed run, never created "
        f"again (not there {GRACE:g} s after its attempt: `not_placed`); the emulator refuses "
        "no duplicate name, so a second create would show."
    )
    return scenario
