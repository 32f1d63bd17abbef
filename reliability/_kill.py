"""
Scenario 3: an import SIGKILLed at seeded points (under the same faults), resumed each time with
the same journal, then run to the end.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import attrs

from reliability._chaos import (
    CONTACTS_ROUTE,
    check_counts,
    contact_truth,
    new_emulator,
    outcome_figures,
)
from reliability._data import CONTACT_COLUMNS, contact_input, write_csv
from reliability._harness import Scenario, cli_command, cli_env, create_company, run_cli, serve
from reliability._sizes import Size, chaos
from reliability._truth import journal_rows, read_results

__all__ = ["JournalState", "journal_state", "kill_and_resume", "kill_at"]

_START_TIMEOUT = 120.0  # seconds one run may take to reach its kill point


@attrs.frozen
class JournalState:
    """What a journal file holds: SQLite's verdict on it and its items by state."""

    integrity: str
    states: dict[str, int]


def journal_state(path: Path) -> JournalState:
    """Open the journal as a fresh reader would (recovering its WAL) and check it."""
    if not path.exists():
        return JournalState("ok (not created yet)", {})
    db = sqlite3.connect(path)
    try:
        integrity = str(db.execute("PRAGMA integrity_check").fetchone()[0])
        try:
            rows = db.execute("SELECT state, COUNT(*) FROM items GROUP BY state").fetchall()
        except sqlite3.OperationalError:  # killed before the schema was committed
            rows = []
    finally:
        db.close()
    return JournalState(integrity, {str(s): int(n) for s, n in rows})


def kill_at(
    progress: Callable[[], int],
    command: list[str],
    env: dict[str, str],
    point: int,
    log: Path,
    *,
    cwd: Path | None = None,
) -> bool:
    """
    Start a run; SIGKILL it once ``progress()`` (read on the emulator) reaches ``point``.

    Returns False when the run finished first.
    """
    with log.open("ab") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=out, cwd=cwd)
        try:
            deadline = time.monotonic() + _START_TIMEOUT
            while progress() < point:
                if proc.poll() is not None:
                    return False
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the run did not reach {point} (at {progress()})")
                time.sleep(0.002)
            proc.send_signal(signal.SIGKILL)
        except BaseException:
            proc.kill()
            raise
        finally:
            proc.wait(timeout=30)
    return proc.returncode == -signal.SIGKILL


def kill_and_resume(size: Size, workdir: Path, *, seed: int = 2028) -> Scenario:
    """Scenario 3: kill the import ``size.kills`` times, resume it each time, then finish it."""
    scenario = Scenario(f"Kill and resume ({size.kill_rows:,} contacts, {size.kills} SIGKILLs)")
    data = contact_input(size.kill_rows, specials=False)
    path = write_csv(workdir / "resume.csv", CONTACT_COLUMNS, data.rows)
    journal = workdir / "resume.db"
    rng = random.Random(seed)
    points = sorted(rng.sample(range(1, size.kill_rows), size.kills))
    emu = new_emulator(seed, refuse_duplicates=False)
    integrity: list[str] = []
    pending: Counter[str] = Counter()
    at_kill: list[int] = []
    started = time.monotonic()
    with serve(emu) as served:
        company = create_company(served)
        emu.faults.add(chaos(CONTACTS_ROUTE))
        env = cli_env(served)
        args = ["contacts", "import", str(path), "--company-id", company]
        args += ["--journal", str(journal), "--concurrency", str(size.import_concurrency)]

        def stored() -> int:
            return len(emu.talkturo.contacts)

        for point in points:
            if not kill_at(stored, cli_command(*args), env, point, workdir / "killed-runs.log"):
                break
            at_kill.append(stored())
            state = journal_state(journal)
            integrity.append(state.integrity)
            pending.update(journal_rows(journal, states=("pending",)).keys())
            done = state.states.get("done", 0) + state.states.get("skipped", 0)
            scenario.check(
                f"kill {len(at_kill)}: the journal claims no more than was stored",
                done <= at_kill[-1],
                f"{done} done or skipped in the journal, {at_kill[-1]} stored",
            )
        results = workdir / "results.csv"
        run = run_cli([*args, "--json", "--results", str(results)], env)
        scenario.seconds = time.monotonic() - started
        summary = run.summary
        final = journal_state(journal)
        integrity.append(final.integrity)
        contact_truth(
            scenario,
            emu,
            data,
            summary,
            journal,
            pending_at_kills=pending,
            results=read_results(results),
        )
        check_counts(scenario, summary, len(data.rows), run)
        outcome_figures(scenario, summary, run, " (final run)")
    scenario.figure("kills (SIGKILL)", len(at_kill))
    scenario.figure("contacts stored at each kill", ", ".join(f"{n:,}" for n in at_kill))
    scenario.figure("rows pending in the journal at the kills", pending.total())
    scenario.figure("final run: rows taken from the journal", summary["from_journal"])
    scenario.figure("journal at the end", _states(final.states))
    scenario.figure("PRAGMA integrity_check", ", ".join(sorted(Counter(integrity))))
    scenario.figure("time (all runs)", f"{scenario.seconds:.1f} s")
    scenario.check(
        f"killed {size.kills} times", len(at_kill) == size.kills, f"{len(at_kill)} kills"
    )
    scenario.check(
        "the journal passes PRAGMA integrity_check after every kill and at the end",
        all(i.startswith("ok") for i in integrity),
        integrity,
    )
    scenario.check("no row left pending", "pending" not in final.states, final.states)
    scenario.check(
        "the final run resumed from the journal",
        summary["from_journal"] > 0,
        summary["from_journal"],
    )
    scenario.notes.append(
        f"Kill points (stored contacts, seeded with {seed}): "
        + ", ".join(f"{p:,}" for p in points)
        + ". The same faults as the chaos import are on, so kills also land during retries, "
        "re-sends and Retry-After waits. A row pending at a kill may or may not have been "
        "stored: the resumed run re-sends it, and against the real API counts the 409 for its "
        "own contact as done."
    )
    scenario.notes.append(
        "The emulator refuses no duplicate here (`Emulator(refuse_duplicates=False)`), so every "
        "create the client sends is stored and counted per email on the server: a row may reach "
        "it twice only after an answer it never got (processed, then the connection dropped; or "
        "the run was killed while the row was pending). Any other second send is a failure."
    )
    return scenario


def _states(states: dict[str, int]) -> str:
    return ", ".join(f"{name} {count:,}" for name, count in sorted(states.items()))
