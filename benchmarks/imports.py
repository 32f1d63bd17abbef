"""Section 5: ``import talkkit`` in a fresh interpreter against ``import httpx``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict

from benchmarks._common import ROOT, Figure, Goal, Scale, Section, fmt, spread

__all__ = ["run_imports"]

GOAL = 1.5  # `import talkkit` against `import httpx`, medians (issue 18)

_TIMED = (
    "import sys, time\n"
    "started = time.perf_counter()\n"
    "import {module}\n"
    "print(time.perf_counter() - started, 'aiohttp' in sys.modules)\n"
)


# An installed package imports from its bytecode cache; a shell that sets
# PYTHONDONTWRITEBYTECODE would leave talkkit's source checkout compiling every module on every
# import (about 25 ms) while httpx, installed by pip, has its cache.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _child(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, "-c", code],
        cwd=ROOT,
        env=_ENV,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def run_imports(scale: Scale) -> Section:
    """Milliseconds to import each module (interpreter start excluded), interleaved."""
    figures = {module: Figure(f"import {module}", "ms") for module in ("httpx", "talkkit")}
    eager_aiohttp = False
    for module in figures:  # untimed: writes any bytecode cache that is missing
        _child(f"import {module}")
    for _ in range(scale.reps):
        for module, figure in figures.items():
            seconds, aiohttp_loaded = _child(_TIMED.format(module=module)).stdout.split()
            figure.samples.append(float(seconds) * 1000)
            eager_aiohttp |= module == "talkkit" and aiohttp_loaded == "True"
    section = Section("imports", "5. Import time (fresh interpreter)")
    section.table.append(["import", "min ms", "median ms"])
    for figure in figures.values():
        section.table.append([figure.name, fmt(figure.min), fmt(figure.median)])
        section.data[figure.name] = figure.samples
    ratio = figures["talkkit"].median / figures["httpx"].median
    section.table.append(["ratio talkkit ÷ httpx (median)", f"**{ratio:.2f}×**", ""])
    section.goals.append(
        Goal(
            f"`import talkkit` ≤ {GOAL:.1f}× `import httpx` (issue 18)",
            f"{ratio:.2f}× (median {fmt(figures['talkkit'].median)} vs "
            f"{fmt(figures['httpx'].median)} ms; {spread(figures['talkkit'], figures['httpx'])})",
            ratio <= GOAL,
        )
    )
    section.notes.append(
        f"{scale.reps} fresh interpreters per module, interleaved; the time of the import "
        "statement alone (interpreter start excluded). Both import from their bytecode caches, "
        "as an installed package does: an untimed import first writes any that is missing "
        "(`PYTHONDONTWRITEBYTECODE` is lifted for these children)."
    )
    section.extra = _breakdown(eager_aiohttp)
    return section


def _breakdown(eager_aiohttp: bool) -> str:
    """Self time of ``import talkkit`` by top-level package (``python -X importtime``)."""
    lines = _child("import talkkit", "-X", "importtime").stderr.splitlines()
    by_package: dict[str, float] = defaultdict(float)
    for line in lines:
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, self_us, _, name = (part.strip() for part in line.replace(":", "|", 1).split("|"))
        if self_us.isdigit():
            package = name.split(".")[0]
            by_package[package if not package.startswith("_") else "stdlib"] += int(self_us)
    top = sorted(by_package.items(), key=lambda kv: -kv[1])[:10]
    rows = [f"| {name} | {us / 1000:.1f} |" for name, us in top]
    return "\n".join(
        [
            "**Where `import talkkit` spends its time** (self time by top-level package, one "
            "`-X importtime` run; `stdlib` groups private stdlib modules). aiohttp is "
            + ("imported eagerly (it should not be)." if eager_aiohttp else "not imported.")
            + (
                " rich, click and pygments are imported by httpx itself (`httpx._main`, its "
                "command line) whenever they are installed."
                if "rich" in by_package
                else ""
            ),
            "",
            "| package | self ms |",
            "|---|---|",
            *rows,
        ]
    )
