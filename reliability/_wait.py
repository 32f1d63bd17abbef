"""
Dialing that waits for every call to end (``talkkit calls dial --wait``, or the library's
``calls.dial_many(wait=True)``) under the chaos faults, checked against the emulator's truth:
each placed call's final status and talk time are the ones the emulator ended it with.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path
from typing import Literal

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
from reliability._data import number_input, write_csv
from reliability._harness import Scenario, cli_command, cli_env, create_agent, run_command, serve
from reliability._sizes import CALL_TIME_SCALE, GRACE, Size, chaos, describe_chaos
from reliability._truth import (
    check_repeats,
    check_results_file,
    check_rows_sent_once,
    journal_rows,
    read_results,
    results_by_key,
    sends_by_subject,
)

__all__ = ["POLL_INTERVAL", "dial_and_wait"]

ROOT = Path(__file__).resolve().parent.parent
POLL_INTERVAL = 0.2
"""Seconds between two looks at the call history in the library run (the command line: 5 s)."""


def _command(
    via: str, path: Path, agent: str, size: Size, journal: Path, results: Path
) -> list[str]:
    options = ["--agent-id", agent, "--journal", str(journal), "--results", str(results)]
    options += ["--concurrency", str(size.dial_concurrency), "--reconcile-grace", f"{GRACE:g}"]
    options += ["--wait"]
    if via == "library":
        options += ["--poll-interval", f"{POLL_INTERVAL:g}"]
        return [sys.executable, "-m", "reliability._dial_many", str(path), *options]
    return cli_command("calls", "dial", str(path), *options, "--rate-limit", "5000/s", "--json")


def dial_and_wait(
    size: Size, workdir: Path, *, via: Literal["cli", "library"] = "cli", seed: int = 2033
) -> Scenario:
    """``size.wait_numbers`` numbers dialled under chaos, every placed call followed to its end."""
    label = "`talkkit calls dial --wait`" if via == "cli" else "`calls.dial_many(wait=True)`"
    scenario = Scenario(f"Waiting for the calls: {label} ({size.wait_numbers:,} numbers)")
    data = number_input(size.wait_numbers)
    path = write_csv(workdir / "numbers.csv", ["phone"], [{"phone": n} for n in data.numbers])
    journal, results = workdir / "wait.db", workdir / "wait.csv"
    emu = new_emulator(seed)
    emu.call_time_scale = CALL_TIME_SCALE
    with serve(emu) as served:
        agent = create_agent(served)
        emu.faults.add(chaos(CALL_ROUTE))
        emu.faults.add(chaos(HISTORY_ROUTE))
        started = time.monotonic()
        run = run_command(
            _command(via, path, agent, size, journal, results), cli_env(served), cwd=ROOT
        )
        scenario.seconds = time.monotonic() - started
        summary = run.summary
        lines = read_results(results)
        keyed = results_by_key(scenario, lines, data.keys())
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
        fates = emu.call_fates()
        lookups = fault_line(faults_seen(emu, "GET", "/calls"))
    done = {k: r for k, r in keyed.items() if r.outcome == "done"}
    wrong = [
        f"{key}: {r.status} {r.duration} vs {fate.status if fate else None} "
        f"{fate.duration if fate else None}"
        for key, r in sorted(done.items())
        if (fate := fates.get(r.resource_id or "")) is None
        or (r.status, r.duration) != (fate.status, float(fate.duration))
    ]
    truth = Counter(fates[r.resource_id].status for r in done.values() if r.resource_id in fates)
    talk = sum(fates[r.resource_id].duration for r in done.values() if r.resource_id in fates)
    unknown_placed = {
        call_id
        for call_id, fate in fates.items()
        if keyed.get(f"phone:{fate.to}") is not None
        and keyed[f"phone:{fate.to}"].outcome == "unknown"
    }
    scenario.figure("calls placed (emulator truth)", len(fates))
    scenario.figure(
        "final statuses (emulator truth)",
        ", ".join(
            f"{s} {n:,}" for s, n in sorted(Counter(f.status for f in fates.values()).items())
        ),
    )
    scenario.figure(
        "final statuses (summary)",
        ", ".join(f"{s} {n:,}" for s, n in sorted(summary["statuses"].items())),
    )
    scenario.figure("talk time (summary)", f"{summary['talk_time_seconds']:,.0f} s")
    scenario.figure("emulator: call-history requests (reconcile and follow)", lookups)
    scenario.check(
        "every done call's status and talk time in the results file are the emulator's",
        not wrong,
        wrong[:3],
    )
    scenario.check(
        "the summary's statuses are the emulator's final statuses of the done calls, none "
        "unfinished",
        Counter(summary["statuses"]) == truth and sum(truth.values()) == len(done),
        f"{summary['statuses']} vs {dict(truth)}",
    )
    scenario.check(
        "the summary's talk time is the emulator's",
        summary["talk_time_seconds"] == float(talk),
        f"{summary['talk_time_seconds']} vs {talk}",
    )
    scenario.check(
        "every placed call was followed (done) unless its number is reported unknown",
        {r.resource_id for r in done.values()} == set(fates) - unknown_placed,
        f"{len(done)} done, {len(fates)} placed, {len(unknown_placed)} unknown",
    )
    outcome_figures(scenario, summary, run)
    scenario.figure("time", f"{scenario.seconds:.1f} s")
    scenario.notes.append(
        f"The emulator moves each call through its statuses on a seeded script "
        f"(`call_time_scale={CALL_TIME_SCALE:g}`: a four-minute call ends in a quarter of a "
        "second); `emu.call_fates()` is the truth. Faults on the call endpoint and the call "
        f"history (both the lookups of unclear calls and the polls that follow the placed "
        f"ones): {describe_chaos()}. A poll that fails is asked again at the next one."
    )
    return scenario
