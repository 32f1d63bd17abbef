"""The Markdown report of one run of the suite."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from reliability._harness import Scenario
from reliability._sizes import Size

__all__ = ["render"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("talkkit")
    except PackageNotFoundError:
        return "source tree"


def _source() -> str:
    """The commit the run tested, and whether ``src/`` had changes not committed yet."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args],
            cwd=Path(__file__).parent.parent,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown commit"
    changed = git("status", "--porcelain", "--", "src")
    count = len(changed.splitlines())
    return f"commit {commit}" + (f" + {count} uncommitted change(s) in src/" if count else "")


def render(size: Size, scenarios: Sequence[Scenario], seconds: float, day: date) -> str:
    """The report: a summary table, then one section per scenario with figures and checks."""
    verdict = "PASS" if all(s.ok for s in scenarios) else "FAIL"
    lines = [
        f"# talkkit reliability report — {day.isoformat()}",
        "",
        f"`python -m reliability --size {size.name}` · talkkit {_version()} ({_source()}) · "
        f"Python {platform.python_version()} · {platform.system()} · "
        f"{os.cpu_count()} CPUs · everything on 127.0.0.1 · total {seconds / 60:.1f} min · "
        f"**{verdict}**",
        "",
        "| # | Scenario | Checks | Time |",
        "|---|---|---|---|",
    ]
    for number, scenario in enumerate(scenarios, 1):
        held = sum(c.ok for c in scenario.checks)
        mark = "pass" if scenario.ok else "**FAIL**"
        lines.append(
            f"| {number} | {_cell(scenario.title)} | {held}/{len(scenario.checks)} {mark} | "
            f"{scenario.seconds:.0f} s |"
        )
    for number, scenario in enumerate(scenarios, 1):
        lines += ["", f"## {number}. {scenario.title}", "", "| Figure | Value |", "|---|---|"]
        lines += [f"| {_cell(label)} | {_cell(value)} |" for label, value in scenario.figures]
        lines += ["", "| Check | Held | Seen |", "|---|---|---|"]
        lines += [
            f"| {_cell(c.name)} | {'yes' if c.ok else '**NO**'} | {_cell(c.detail)[:300]} |"
            for c in scenario.checks
        ]
        if scenario.notes:
            lines.append("")
            lines += [f"- {note}" for note in scenario.notes]
    return "\n".join(lines) + "\n"
