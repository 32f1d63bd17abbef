"""
``python -m reliability [--size full|ci] [--only NAME ...] [--out FILE]``: run the suite, write
the Markdown report, exit 1 if any check failed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from reliability._chaos import chaos_dial, chaos_import
from reliability._harness import Scenario
from reliability._kill import kill_and_resume
from reliability._once import chaos_companies, kill_and_resume_companies, kill_and_resume_dial
from reliability._report import render
from reliability._sizes import SIZES, Size
from reliability._stops import job_stops
from reliability._suites import run_fuzz, run_tests
from reliability._wait import dial_and_wait

__all__ = ["SCENARIOS", "main"]

SCENARIOS: dict[str, Callable[[Size, Path], Scenario]] = {
    "import": chaos_import,
    "companies": chaos_companies,
    "dial": chaos_dial,
    "stops": job_stops,
    "dial-wait": lambda size, workdir: dial_and_wait(size, workdir, via="cli"),
    "dial-wait-library": lambda size, workdir: dial_and_wait(size, workdir, via="library"),
    "resume": kill_and_resume,
    "resume-dial": lambda size, workdir: kill_and_resume_dial(size, workdir, via="cli"),
    "resume-dial-library": lambda size, workdir: kill_and_resume_dial(size, workdir, via="library"),
    "resume-companies": kill_and_resume_companies,
    "fuzz": lambda size, _: run_fuzz(size),
    "secrets": lambda size, _: run_tests("Secrets (tests/security)", ["tests/security"]),
    "bad-input": lambda size, _: run_tests(
        "Bad input (tests/reliability/test_bad_input.py)", ["tests/reliability/test_bad_input.py"]
    ),
    "transport": lambda size, _: run_tests(
        "Transport edge cases (tests/reliability/test_transport.py)",
        ["tests/reliability/test_transport.py", "-W", "error"],
    ),
}
"""The scenarios in report order, by the name ``--only`` takes."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite; return the exit status (0: every check held)."""
    parser = argparse.ArgumentParser(prog="python -m reliability", description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--only", nargs="+", choices=list(SCENARIOS), metavar="NAME")
    parser.add_argument(
        "--out", type=Path, help="report file (default: reliability/REPORT-<date>[-ci].md)"
    )
    options = parser.parse_args(argv)
    size = SIZES[options.size]
    today = date.today()
    suffix = "" if size.name == "full" else f"-{size.name}"
    out = options.out or Path(__file__).parent / f"REPORT-{today.isoformat()}{suffix}.md"
    names = options.only or list(SCENARIOS)
    scenarios: list[Scenario] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="talkkit-reliability-") as tmp:
        for name in names:
            workdir = Path(tmp) / name
            workdir.mkdir()
            print(f"[reliability] {name} ...", file=sys.stderr, flush=True)
            scenario = SCENARIOS[name](size, workdir)
            verdict = "pass" if scenario.ok else "FAIL\n" + scenario.failed_checks()
            print(f"[reliability] {name}: {scenario.seconds:.1f} s, {verdict}", file=sys.stderr)
            scenarios.append(scenario)
    report = render(size, scenarios, time.monotonic() - started, today)
    out.write_text(report, encoding="utf-8")
    print(report)
    print(f"[reliability] report written to {out}", file=sys.stderr)
    return 0 if all(s.ok for s in scenarios) else 1


if __name__ == "__main__":
    raise SystemExit(main())
