"""
Scenarios 1 and 2: a contact import and a dialing batch through the ``talkkit`` command line
against a served emulator that fails 18 % of the requests, checked against the emulator's truth.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anyio

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
from reliability._sizes import GRACE, Size, chaos, describe_chaos
from reliability._truth import (
    ResultRow,
    Results,
    check_contact_rows,
    check_repeats,
    check_results_file,
    check_rows_sent_once,
    journal_rows,
    read_results,
    results_by_key,
    sends_by_subject,
)
from talkkit import AsyncTalkturo
from talkkit.emulator import TALKTURO_TEAM_ID, TALKTURO_TOKEN, Emulator
from talkkit.testing import ServedEmulator

__all__ = [
    "OUTCOMES",
    "chaos_dial",
    "chaos_import",
    "check_counts",
    "contact_truth",
    "fault_line",
    "faults_seen",
    "new_emulator",
    "outcome_figures",
    "precreate_contacts",
]

CONTACTS_ROUTE = "POST /api/crm/contacts"
CONTACTS_PATH = "/crm/contacts"
CALL_ROUTE = "POST /api/v1/agents/*/call"
CALL_PATH = "/call"
HISTORY_ROUTE = "GET /api/v1/calls"
OUTCOMES = ("done", "skipped", "failed", "unknown", "not_sent", "not_placed")
"""Every outcome a row can end with; the summary's counts of them add up to its total."""


def new_emulator(seed: int, *, refuse_duplicates: bool = True) -> Emulator:
    """An emulator without server-side rate limits (the faults throttle instead)."""
    return Emulator(
        seed=seed,
        rate_limits={"talkturo": None, "talkover": None},
        refuse_duplicates=refuse_duplicates,
    )


def faults_seen(emu: Emulator, method: str, suffix: str, since: int = 0) -> Counter[str]:
    """How many requests to a route (from the ``since``-th on) got each fault (``none``: none)."""
    return Counter(
        r.fault or "none"
        for r in emu.request_log[since:]
        if r.method == method and r.path.endswith(suffix) and r.platform != "talkory"
    )


def fault_line(seen: Counter[str]) -> str:
    """A route's requests and the faults they got, as the report shows them."""
    names = (
        ("error", "5xx"),
        ("throttle", "429"),
        ("drop", "drop"),
        ("commit_drop", "commit+drop"),
    )
    parts = [f"{seen.get(key, 0):,} {label}" for key, label in names]
    return f"{sum(seen.values()):,} requests: " + ", ".join(parts)


def outcome_figures(
    scenario: Scenario, summary: dict[str, Any], run: CliRun, run_name: str = ""
) -> None:
    """The summary's counts and the CLI's own request counters as report rows."""
    requests = summary.get("requests", {})
    for name in OUTCOMES:
        scenario.figure(f"outcome{run_name}: {name}", summary[name])
    codes = Counter(f["code"] for f in summary["failures"])
    if codes:
        scenario.figure(
            f"failure codes{run_name}", ", ".join(f"{c} {n:,}" for c, n in codes.most_common())
        )
    scenario.figure(f"reconciled (summary){run_name}", summary["reconciled"])
    if summary.get("aborted"):
        scenario.figure(f"stopped{run_name}", summary["aborted"])
    if requests:  # the command line counts them; the library's summary does not
        scenario.figure(
            f"client{run_name}: attempts / retries / 429 / 5xx / dropped",
            " / ".join(
                f"{requests.get(k, 0):,}"
                for k in ("attempts", "retries", "throttled", "server_errors", "dropped")
            ),
        )
    scenario.figure(f"exit status{run_name}", run.returncode)


def check_counts(
    scenario: Scenario,
    summary: dict[str, Any],
    rows: int,
    run: CliRun | None = None,
    name: str = "",
) -> None:
    """
    The summary's outcomes add up to the input rows, and (for ``run``) the exit status is 0
    exactly when every row ended done or skipped and the job was not stopped.
    """
    counts = {o: summary[o] for o in OUTCOMES}
    scenario.check(
        f"the counts{name} add up: done + skipped + failed + unknown + not_sent + not_placed "
        "== total == rows",
        sum(counts.values()) == summary["total"] == rows,
        f"{counts} vs total {summary['total']}, {rows} rows",
    )
    if run is not None:
        ok = counts["done"] + counts["skipped"] == rows and not summary["aborted"]
        scenario.check(
            f"exit status{name} 0 exactly when every row ended done or skipped, else 1",
            run.returncode == (0 if ok else 1),
            run.returncode,
        )


async def _precreate(url: str, company: str, rows: list[dict[str, str]]) -> int:
    async with AsyncTalkturo(
        TALKTURO_TOKEN, base_url=url, team_id=TALKTURO_TEAM_ID, rate_limit=None
    ) as client:
        summary = await client.contacts.import_many(rows, company_id=company, concurrency=16)
        return summary.done


def precreate_contacts(served: ServedEmulator, company: str, data: ContactInput) -> None:
    """Store the input's ``existing`` rows before the import (which must skip them)."""
    existing = [data.rows[i] for i in sorted(data.existing)]
    anyio.run(_precreate, served.talkturo_url, company, existing)


def contact_truth(
    scenario: Scenario,
    emu: Emulator,
    data: ContactInput,
    summary: dict[str, Any],
    journal: Path,
    *,
    since: int = 0,
    pending_at_kills: Mapping[str, int] | None = None,
    results: Results | None = None,
) -> None:
    """
    Compare an import with what the emulator stored and logged; add the checks.

    The sums (summary against stored contacts; with duplicate refusal on, the store holds each
    valid distinct row exactly once), then row by row: each row's outcome (its line in the
    ``results`` file, else the journal's final state) against the emulator's log of the creates
    sent for it from the ``since``-th request on (see `reliability._truth.check_contact_rows`).
    Contacts have a natural key, so no row may end unknown: an unclear answer is re-sent until
    the outcome is known.
    """
    contacts = list(emu.talkturo.contacts.values())
    by_email = Counter(str(c["email"]).lower() for c in contacts if c.get("email"))
    by_phone = Counter(str(c["phone"]) for c in contacts if c.get("phone"))
    duplicates = sum(n - 1 for n in by_email.values()) + sum(n - 1 for n in by_phone.values())
    failures = {int(f["row"]) - 1: f for f in summary["failures"]}
    rows = len(data.rows)
    valid = [i for i in range(rows) if i not in data.invalid]
    stored = {i for i in valid if data.email(i) in by_email}
    lost = [i for i in valid if i not in stored and i not in failures]
    unknown = {i for i, f in failures.items() if f["outcome"] == "unknown"}
    failed = {i for i, f in failures.items() if f["outcome"] == "failed"}
    inputs = {data.email(i) for i in range(rows)}
    phantoms = [e for e in by_email if e not in inputs]
    invalid_ok = [
        i
        for i in data.invalid
        if failures.get(i, {}).get("code") == "invalid_input" and failures[i].get("field")
    ]
    unknown_stored = len(unknown & stored)
    scenario.figure("rows in", rows)
    scenario.figure("rows invalid (never sent)", len(data.invalid))
    scenario.figure("rows already in the CRM before the run", len(data.existing))
    scenario.figure("rows stored (emulator truth)", len(stored))
    scenario.figure("contacts stored twice", duplicates)
    scenario.figure("rows lost", len(lost))
    scenario.figure("unknown rows actually stored", unknown_stored)
    scenario.check("every row has one outcome", summary["total"] == rows, summary["total"])
    if emu.refuse_duplicates:
        scenario.check("0 duplicates", duplicates == 0, duplicates)
        wanted = Counter({f"email:{data.email(i)}": 1 for i in valid})
        got = emu.contact_keys()
        scenario.check(
            "the emulator's store is the valid distinct rows, each once",
            got == wanted,
            f"missing {sorted(set(wanted) - set(got))[:3]}, extra "
            f"{sorted(str(k) for k in set(got) - set(wanted))[:3]}, twice "
            f"{sorted(str(k) for k, n in got.items() if n > 1)[:3]}",
        )
    scenario.check(
        "0 unknown rows (a contact's unclear answer is re-sent until known)",
        summary["unknown"] == 0,
        summary["unknown"],
    )
    scenario.check("0 lost", not lost, f"{len(lost)} rows, e.g. {lost[:5]}")
    scenario.check("nothing stored that is not in the input", not phantoms, phantoms[:5])
    scenario.check(
        "failed rows were not stored",
        not (failed - data.existing) & stored,
        sorted((failed - data.existing) & stored)[:5],
    )
    scenario.check(
        "every invalid row failed naming its field",
        len(invalid_ok) == len(data.invalid),
        f"{len(invalid_ok)} of {len(data.invalid)}",
    )
    scenario.check(
        "every failed or unknown row has a reason",
        all(f["code"] and f["message"] for f in failures.values()),
        [f for f in failures.values() if not (f["code"] and f["message"])][:3],
    )
    truth = len(stored) - unknown_stored
    scenario.check(
        "done + skipped == rows stored (less unknown rows that were stored)",
        summary["done"] + summary["skipped"] == truth,
        f"{summary['done']} + {summary['skipped']} vs {truth}",
    )
    check_contact_rows(
        scenario,
        sends_by_subject(emu, CONTACTS_PATH, since=since),
        journal_rows(journal),
        expected={f"email:{data.email(i)}" for i in valid},
        never_sent={f"email:{data.email(i)}" for i in data.invalid},
        pending_at_kills=pending_at_kills,
        results=None if results is None else results_by_key(scenario, results, data.keys()),
    )
    if results is not None:
        check_results_file(scenario, results, rows)
        check_repeats(scenario, results, data.repeats())


def chaos_import(size: Size, workdir: Path, *, seed: int = 2026) -> Scenario:
    """Scenario 1: ``size.contacts`` rows through ``talkkit contacts import`` under chaos."""
    scenario = Scenario(f"Chaos import ({size.contacts:,} contacts)")
    data = contact_input(size.contacts)
    path = write_csv(workdir / "contacts.csv", CONTACT_COLUMNS, data.rows)
    emu = new_emulator(seed)
    with serve(emu) as served:
        company = create_company(served)
        precreate_contacts(served, company, data)
        emu.faults.add(chaos(CONTACTS_ROUTE))
        since = len(emu.request_log)
        journal = workdir / "import.db"  # each row's outcome, for the per-row checks
        results = workdir / "import-results.csv"
        args = ["contacts", "import", str(path), "--company-id", company, "--json"]
        args += ["--concurrency", str(size.import_concurrency), "--journal", str(journal)]
        args += ["--results", str(results)]
        started = time.monotonic()
        run = run_cli(args, cli_env(served))
        scenario.seconds = time.monotonic() - started
        summary = run.summary
        contact_truth(
            scenario, emu, data, summary, journal, since=since, results=read_results(results)
        )
        outcome_figures(scenario, summary, run)
        seen = faults_seen(emu, "POST", "/crm/contacts", since)
        scenario.figure("emulator: contact creates", fault_line(seen))
    scenario.figure(
        "time", f"{scenario.seconds:.1f} s ({size.contacts / scenario.seconds:,.0f} rows/s)"
    )
    check_counts(scenario, summary, len(data.rows), run)
    scenario.check("the job was not stopped", summary["aborted"] is None, summary["aborted"])
    scenario.notes.append(f"Faults on every contact create: {describe_chaos()}.")
    throttles = seen.get("throttle", 0)
    scenario.notes.append(
        f"The Retry-After is that short on purpose: every 429 pauses all workers of the key "
        f"(the shared cooldown), so with a realistic one second the {throttles:,} throttles of "
        f"this run would add up to {throttles / 3600:.1f} h of waiting, measuring the sleep "
        "instead of the SDK."
    )
    scenario.notes.append(
        "A contact has a natural key (its email or phone, which the API refuses twice with "
        "409), so an unclear answer is re-sent within the run (up to ten times) until its "
        "outcome is known: no row may end `unknown`, and the store must hold each valid "
        "distinct row exactly once. A row repeating an earlier row's email is skipped before "
        "sending, naming that row; every row's line in the `--results` file must match the "
        "emulator's log and the journal."
    )
    return scenario


def _dial_args(path: Path, agent: str, size: Size, journal: Path) -> list[str]:
    return [
        "calls", "dial", str(path), "--agent-id", agent, "--json",
        "--concurrency", str(size.dial_concurrency),
        "--rate-limit", "5000/s",  # the documented 100/min would make this an hour
        "--journal", str(journal),
        "--reconcile-grace", f"{GRACE:g}",
    ]  # fmt: skip


def _dial_run(
    scenario: Scenario,
    emu: Emulator,
    data: NumberInput,
    args: list[str],
    env: dict[str, str],
    results: Path,
    journal: Path,
    name: str,
) -> tuple[dict[str, Any], Results, dict[str, ResultRow]]:
    """
    One ``talkkit calls dial`` run with its per-row checks against the emulator; returns its
    summary and results file (as read, and by key).
    """
    run = run_cli([*args, "--results", str(results)], env)
    summary = run.summary
    lines = read_results(results)
    check_results_file(scenario, lines, len(data.numbers), name)
    check_counts(scenario, summary, len(data.numbers), run, name)
    keyed = results_by_key(scenario, lines, data.keys(), name)
    check_rows_sent_once(
        scenario,
        ("calls", "call"),
        sends_by_subject(emu, CALL_PATH),
        journal_rows(journal),
        expected={f"phone:{n}" for n in data.valid},
        never_sent={f"phone:{data.numbers[i]}" for i in data.invalid},
        results=keyed,
        name=name,
    )
    check_repeats(scenario, lines, data.repeats(), name)
    outcome_figures(scenario, summary, run, name)
    return summary, lines, keyed


def chaos_dial(size: Size, workdir: Path, *, seed: int = 2027) -> Scenario:
    """
    Scenario 2: ``size.numbers`` numbers through ``talkkit calls dial`` under chaos; a re-run
    with the journal; a re-run with ``--redial-not-placed`` under the same faults; and, the
    faults over, ``talkkit calls reconcile`` and a last redial that leaves every valid number
    called exactly once.
    """
    scenario = Scenario(f"Chaos dialing ({size.numbers:,} numbers) and redialing the not placed")
    data = number_input(size.numbers)
    path = write_csv(workdir / "numbers.csv", ["phone"], [{"phone": n} for n in data.numbers])
    valid = len(data.valid)
    emu = new_emulator(seed)
    with serve(emu) as served:
        env = cli_env(served)
        agent = create_agent(served)
        emu.faults.add(chaos(CALL_ROUTE))
        emu.faults.add(chaos(HISTORY_ROUTE))
        journal = workdir / "dial.db"
        args = _dial_args(path, agent, size, journal)
        started = time.monotonic()
        summary, _, keyed = _dial_run(
            scenario, emu, data, args, env, workdir / "results-1.csv", journal, ""
        )
        first_run = time.monotonic() - started
        _dial_truth(scenario, emu, data, summary, keyed)
        scenario.figure("emulator: call requests", fault_line(faults_seen(emu, "POST", "/call")))
        lookups = faults_seen(emu, "GET", "/calls")
        scenario.figure("emulator: call-history lookups", fault_line(lookups))
        scenario.check(
            "at most 1 % of the valid numbers unknown",
            summary["unknown"] <= valid // 100,
            f"{summary['unknown']} of {valid}",
        )
        placed_first = len(emu.placed_calls)
        _, _, rerun = _dial_run(
            scenario, emu, data, args, env, workdir / "results-2.csv", journal, " (re-run)"
        )
        placed_again = len(emu.placed_calls) - placed_first
        scenario.figure("re-run with the journal: calls placed", placed_again)
        scenario.check("a re-run with the journal places no call", placed_again == 0, placed_again)
        changed = sorted(
            f"{key}: {r.outcome} → {rerun[key].outcome}"
            for key, r in keyed.items()
            if key in rerun
            and r.outcome != "unknown"
            and (r.outcome, r.resource_id) != (rerun[key].outcome, rerun[key].resource_id)
        )
        scenario.check(
            "the re-run reports every number as the first run did (from the journal), but the "
            "unknown ones, which it looks up again",
            not changed,
            changed[:5],
        )
        not_placed = {key for key, r in rerun.items() if r.outcome == "not_placed"}
        _, redialled = _redial(
            scenario, emu, data, args, env, workdir, journal, not_placed, " (redial)"
        )
        emu.faults.clear()  # the outage is over
        before = len(emu.placed_calls)
        reconcile = ["calls", "reconcile", "--journal", str(journal), "--json"]
        reconcile += ["--reconcile-grace", f"{GRACE:g}", "--rate-limit", "5000/s"]
        settled = run_cli(reconcile, env)
        unclear = sum(r.outcome == "unknown" for r in redialled.values())
        scenario.figure(
            "`calls reconcile`: unknown looked up → done / not placed / unknown",
            f"{settled.summary['total']:,} → {settled.summary['done']:,} / "
            f"{settled.summary['not_placed']:,} / {settled.summary['unknown']:,}",
        )
        scenario.check(
            "`talkkit calls reconcile` looks up each unknown number, settles it, places no call",
            settled.summary["total"] == unclear
            and settled.summary["unknown"] == 0
            and len(emu.placed_calls) == before,
            f"{settled.summary['total']} looked up of {unclear} unknown, "
            f"{len(emu.placed_calls) - before} placed; exit {settled.returncode}",
        )
        left = {k for k, r in redialled.items() if r.outcome in ("not_placed", "unknown")}
        final, _ = _redial(
            scenario, emu, data, args, env, workdir, journal, left, " (last redial, no faults)"
        )
    per_number = emu.calls_per_number()
    scenario.check(
        "after the last redial every valid number was called exactly once, no other number",
        per_number == Counter(dict.fromkeys(data.valid, 1)),
        f"{len(per_number)} numbers called, {sum(n > 1 for n in per_number.values())} twice, "
        f"{len(data.valid - set(per_number))} never",
    )
    scenario.check(
        "the last redial ends every valid number done (repeats skipped, invalid rows failed)",
        (final["done"], final["skipped"], final["failed"])
        == (valid, len(data.repeated), len(data.invalid)),
        f"{final['done']} / {final['skipped']} / {final['failed']}",
    )
    scenario.seconds = time.monotonic() - started
    scenario.figure("time (first run / all runs)", f"{first_run:.1f} s / {scenario.seconds:.1f} s")
    scenario.notes.append(
        f"Faults on the call endpoint and on the call-history lookups: {describe_chaos()}. A "
        "5xx or a dropped connection after a call request was sent cannot tell whether the call "
        "was placed, so the number is looked up in the call history at once and once more "
        f"after the grace period (`--reconcile-grace {GRACE:g}`; the default 60 s allows for a "
        "real history that shows calls late): found, `done` (reconciled, with the call's id); "
        "not there, `not_placed` (the emulator must not have placed it); the history "
        "unreadable, `unknown`. A re-run with the journal dials nothing; only "
        "`--redial-not-placed` dials the not placed numbers again, each once."
    )
    return scenario


def _redial(
    scenario: Scenario,
    emu: Emulator,
    data: NumberInput,
    args: list[str],
    env: dict[str, str],
    workdir: Path,
    journal: Path,
    expected: set[str],
    name: str,
) -> tuple[dict[str, Any], dict[str, ResultRow]]:
    """
    A run with ``--redial-not-placed``: it dials only the numbers the journal holds as
    not placed (``expected``), each once, and every row's outcome matches the emulator's log.
    """
    before = len(emu.placed_calls)
    results = workdir / f"results-{len(list(workdir.glob('results-*.csv'))) + 1}.csv"
    summary, _, keyed = _dial_run(
        scenario, emu, data, [*args, "--redial-not-placed"], env, results, journal, name
    )
    dialled = Counter(f"phone:{call.to}" for call in emu.placed_calls[before:])
    scenario.figure(f"numbers dialled{name}", f"{len(dialled):,} of {len(expected):,} asked")
    scenario.check(
        f"the run{name} dialled only numbers the journal held as not placed",
        set(dialled) <= expected,
        sorted(set(dialled) - expected)[:5],
    )
    return summary, keyed


def _dial_truth(
    scenario: Scenario,
    emu: Emulator,
    data: NumberInput,
    summary: dict[str, Any],
    results: Mapping[str, ResultRow],
) -> None:
    called = Counter(call.to for call in emu.placed_calls)
    twice = {n: c for n, c in called.items() if c > 1}
    outcomes = {key.removeprefix("phone:"): r.outcome for key, r in results.items()}
    not_called = data.valid - set(called)
    unreported = sorted(
        n for n in not_called if outcomes.get(n) not in ("failed", "unknown", "not_placed")
    )
    wrongly_called = sorted(
        n for n, o in outcomes.items() if o in ("failed", "not_placed", "not_sent") and n in called
    )
    unknown_called = sum(1 for n, o in outcomes.items() if o == "unknown" and n in called)
    lost_answers = faults_seen(emu, "POST", "/call").get("commit_drop", 0)
    scenario.figure("numbers in", summary["total"])
    scenario.figure("distinct valid numbers", len(data.valid))
    scenario.figure("numbers called (emulator truth)", len(called))
    scenario.figure("numbers called twice", len(twice))
    scenario.figure("calls placed whose answer was lost (commit+drop)", lost_answers)
    scenario.figure("… reconciled against call history", summary["reconciled"])
    scenario.figure("… reported unknown", unknown_called)
    scenario.figure("unknown numbers never called", summary["unknown"] - unknown_called)
    scenario.figure("not placed (absent from the history after the grace)", summary["not_placed"])
    scenario.check("0 numbers called twice", not twice, twice)
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
        "every lost answer is reconciled or reported unknown (never not_placed)",
        summary["reconciled"] + unknown_called == lost_answers,
        f"{summary['reconciled']} + {unknown_called} vs {lost_answers}",
    )
    scenario.check(
        "repeated numbers are skipped",
        summary["skipped"] == len(data.repeated),
        f"{summary['skipped']} vs {len(data.repeated)}",
    )
    scenario.check("the job was not stopped", summary["aborted"] is None, summary["aborted"])
