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

from reliability._data import CONTACT_COLUMNS, ContactInput, contact_input, number_input, write_csv
from reliability._harness import (
    CliRun,
    Scenario,
    cli_env,
    create_agent,
    create_company,
    run_cli,
    serve,
)
from reliability._sizes import Size, chaos, describe_chaos
from reliability._truth import (
    check_contact_rows,
    check_rows_sent_once,
    journal_rows,
    sends_by_subject,
)
from talkkit import AsyncTalkturo
from talkkit.emulator import TALKTURO_TEAM_ID, TALKTURO_TOKEN, Emulator

__all__ = [
    "chaos_dial",
    "chaos_import",
    "contact_truth",
    "fault_line",
    "faults_seen",
    "new_emulator",
    "outcome_figures",
]

CONTACTS_ROUTE = "POST /api/crm/contacts"
CONTACTS_PATH = "/crm/contacts"
CALL_ROUTE = "POST /api/v1/agents/*/call"
CALL_PATH = "/call"
HISTORY_ROUTE = "GET /api/v1/calls"


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
    for name in ("done", "skipped", "failed", "unknown"):
        scenario.figure(f"outcome: {name}", summary[name])
    codes = Counter(f["code"] for f in summary["failures"])
    if codes:
        scenario.figure("failure codes", ", ".join(f"{c} {n:,}" for c, n in codes.most_common()))
    scenario.figure("reconciled (summary)", summary["reconciled"])
    if requests:  # the command line counts them; the library's summary does not
        scenario.figure(
            f"client{run_name}: attempts / retries / 429 / 5xx / dropped",
            " / ".join(
                f"{requests.get(k, 0):,}"
                for k in ("attempts", "retries", "throttled", "server_errors", "dropped")
            ),
        )
    scenario.figure(f"exit status{run_name}", run.returncode)


async def _precreate(url: str, company: str, rows: list[dict[str, str]]) -> int:
    async with AsyncTalkturo(
        TALKTURO_TOKEN, base_url=url, team_id=TALKTURO_TEAM_ID, rate_limit=None
    ) as client:
        summary = await client.contacts.import_many(rows, company_id=company, concurrency=16)
        return summary.done


def contact_truth(
    scenario: Scenario,
    emu: Emulator,
    data: ContactInput,
    summary: dict[str, Any],
    journal: Path,
    *,
    since: int = 0,
    pending_at_kills: Mapping[str, int] | None = None,
) -> None:
    """
    Compare an import with what the emulator stored and logged; add the checks.

    The sums (summary against stored contacts), then row by row: the journal's final state
    of each row against the emulator's log of the creates sent for it from the ``since``-th
    request on (see `reliability._truth.check_contact_rows`).
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
    )


def chaos_import(size: Size, workdir: Path, *, seed: int = 2026) -> Scenario:
    """Scenario 1: ``size.contacts`` rows through ``talkkit contacts import`` under chaos."""
    scenario = Scenario(f"Chaos import ({size.contacts:,} contacts)")
    data = contact_input(size.contacts)
    path = write_csv(workdir / "contacts.csv", CONTACT_COLUMNS, data.rows)
    emu = new_emulator(seed)
    with serve(emu) as served:
        company = create_company(served)
        existing = [data.rows[i] for i in sorted(data.existing)]
        anyio.run(_precreate, served.talkturo_url, company, existing)
        emu.faults.add(chaos(CONTACTS_ROUTE))
        since = len(emu.request_log)
        journal = workdir / "import.db"  # each row's outcome, for the per-row checks
        args = ["contacts", "import", str(path), "--company-id", company, "--json"]
        args += ["--concurrency", str(size.import_concurrency), "--journal", str(journal)]
        started = time.monotonic()
        run = run_cli(args, cli_env(served))
        scenario.seconds = time.monotonic() - started
        summary = run.summary
        contact_truth(scenario, emu, data, summary, journal, since=since)
        outcome_figures(scenario, summary, run)
        seen = faults_seen(emu, "POST", "/crm/contacts", since)
        scenario.figure("emulator: contact creates", fault_line(seen))
    scenario.figure(
        "time", f"{scenario.seconds:.1f} s ({size.contacts / scenario.seconds:,.0f} rows/s)"
    )
    scenario.check(
        "exit status 1 exactly when some row failed or is unknown",
        run.returncode == (0 if summary["failed"] + summary["unknown"] == 0 else 1),
        run.returncode,
    )
    scenario.notes.append(f"Faults on every contact create: {describe_chaos()}.")
    throttles = seen.get("throttle", 0)
    scenario.notes.append(
        f"The Retry-After is that short on purpose: every 429 pauses all workers of the key "
        f"(the shared cooldown), so with a realistic one second the {throttles:,} throttles of "
        f"this run would add up to {throttles / 3600:.1f} h of waiting, measuring the sleep "
        "instead of the SDK."
    )
    scenario.notes.append(
        "`unknown` is the one allowed difference from the emulator's truth: a row whose create "
        "failed in a way that may have been processed, four times in a row (the first attempt "
        "and three re-sends), is reported unknown, whether or not it was in fact stored."
    )
    return scenario


def _dial_args(path: Path, agent: str, size: Size, journal: Path) -> list[str]:
    return [
        "calls", "dial", str(path), "--agent-id", agent, "--json",
        "--concurrency", str(size.dial_concurrency),
        "--rate-limit", "5000/s",  # the documented 100/min would make this an hour
        "--journal", str(journal),
    ]  # fmt: skip


def chaos_dial(size: Size, workdir: Path, *, seed: int = 2027) -> Scenario:
    """Scenario 2: ``size.numbers`` numbers through ``talkkit calls dial`` under chaos, twice."""
    scenario = Scenario(f"Chaos dialing ({size.numbers:,} numbers)")
    data = number_input(size.numbers)
    path = write_csv(workdir / "numbers.csv", ["phone"], [{"phone": n} for n in data.numbers])
    emu = new_emulator(seed)
    with serve(emu) as served:
        agent = create_agent(served)
        emu.faults.add(chaos(CALL_ROUTE))
        emu.faults.add(chaos(HISTORY_ROUTE))
        journal = workdir / "dial.db"
        args = _dial_args(path, agent, size, journal)
        started = time.monotonic()
        run = run_cli(args, cli_env(served))
        scenario.seconds = time.monotonic() - started
        summary = run.summary
        placed_first = len(emu.placed_calls)
        _dial_truth(scenario, emu, data.valid, data.repeated, summary)
        check_rows_sent_once(
            scenario,
            ("calls", "call"),
            sends_by_subject(emu, CALL_PATH),
            journal_rows(journal),
            expected={f"phone:{n}" for n in data.valid},
            never_sent={f"phone:{data.numbers[i]}" for i in data.invalid},
        )
        outcome_figures(scenario, summary, run)
        seen = faults_seen(emu, "POST", "/call")
        scenario.figure("emulator: call requests", fault_line(seen))
        lookups = faults_seen(emu, "GET", "/calls")
        scenario.figure("emulator: call-history lookups", fault_line(lookups))
        again = run_cli(args, cli_env(served))
        second = again.summary
        placed_again = len(emu.placed_calls) - placed_first
    scenario.figure("re-run with the journal: calls placed", placed_again)
    scenario.figure(
        "re-run: unknown numbers looked up again / found in the history",
        f"{summary['unknown']:,} / {summary['unknown'] - second['unknown']:,}",
    )
    scenario.check("a re-run with the journal places no call", placed_again == 0, placed_again)
    scenario.check(
        "the re-run reports every number",
        second["total"] == size.numbers and second["from_journal"] > 0,
        f"total {second['total']}, from journal {second['from_journal']}",
    )
    scenario.figure("time (first run)", f"{scenario.seconds:.1f} s")
    scenario.notes.append(
        "The same faults hit the call endpoint and the call-history lookups that reconcile "
        "unclear calls. A 5xx or a dropped connection after a call request was sent cannot "
        "tell whether the call was placed, so the number is looked up in the call history: "
        "found, it is `done` (reconciled); not found, it stays `unknown` and is never "
        "dialled again automatically, not even by a re-run with the journal."
    )
    return scenario


def _dial_truth(
    scenario: Scenario,
    emu: Emulator,
    valid: set[str],
    repeated: frozenset[int],
    summary: dict[str, Any],
) -> None:
    called = Counter(call.to for call in emu.placed_calls)
    twice = {n: c for n, c in called.items() if c > 1}
    outcomes = {
        str(f["key"]).removeprefix("phone:"): f["outcome"]
        for f in summary["failures"]
        if str(f["key"]).startswith("phone:")
    }
    not_called = valid - set(called)
    unreported = sorted(n for n in not_called if n not in outcomes)
    failed_called = sorted(n for n, o in outcomes.items() if o == "failed" and n in called)
    unknown_called = sum(1 for n, o in outcomes.items() if o == "unknown" and n in called)
    lost_answers = faults_seen(emu, "POST", "/call").get("commit_drop", 0)
    scenario.figure("numbers in", summary["total"])
    scenario.figure("distinct valid numbers", len(valid))
    scenario.figure("numbers called (emulator truth)", len(called))
    scenario.figure("numbers called twice", len(twice))
    scenario.figure("calls placed whose answer was lost (commit+drop)", lost_answers)
    scenario.figure("… reconciled against call history", summary["reconciled"])
    scenario.figure("… reported unknown", unknown_called)
    scenario.figure("unknown numbers never called", summary["unknown"] - unknown_called)
    scenario.check("0 numbers called twice", not twice, twice)
    scenario.check(
        "every number not called is reported failed or unknown", not unreported, unreported[:5]
    )
    scenario.check("no number reported failed was called", not failed_called, failed_called[:5])
    scenario.check(
        "done == numbers called (less unknown ones that were called)",
        summary["done"] == len(called) - unknown_called,
        f"{summary['done']} vs {len(called)} - {unknown_called}",
    )
    scenario.check(
        "every lost answer is reconciled or reported unknown",
        summary["reconciled"] + unknown_called == lost_answers,
        f"{summary['reconciled']} + {unknown_called} vs {lost_answers}",
    )
    scenario.check(
        "repeated numbers are skipped",
        summary["skipped"] == len(repeated),
        f"{summary['skipped']} vs {len(repeated)}",
    )
