"""
Scenarios 4 and 5: the pytest folders of the suite (fuzz, secrets, bad input, transport), run in
a subprocess and summarised: tests passed, and examples per fuzz test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from reliability._harness import Scenario
from reliability._sizes import Size

__all__ = ["fuzz_examples", "pytest_counts", "run_fuzz", "run_tests"]

ROOT = Path(__file__).resolve().parent.parent
MIN_FUZZ_EXAMPLES = {"fuzz": 2_500, "fuzz-ci": 100}
"""
Examples each property test must have run. Hypothesis stops short of its profile's
``max_examples`` when the test fails (it then only shrinks the failing example: the counts of
a failing run say nothing about the profile) or when it has tried every input; no fuzz test's
search space is that small, so a short count here means a failure or a broken profile.
"""
MIN_FUZZ_TOTAL = {"fuzz": 10_000, "fuzz-ci": 1_000}
_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")
_TEST = re.compile(r"^(\S+::\S+):$")
_PASSING = re.compile(r"(\d+) passing")


def pytest_counts(output: str) -> Counter[str]:
    """The counts of pytest's final line (``passed``, ``failed``...)."""
    lines = [line for line in output.splitlines() if " in " in line and _COUNT.search(line)]
    if not lines:
        return Counter()
    found = _COUNT.findall(lines[-1])
    return Counter({{"errors": "error"}.get(kind, kind): int(n) for n, kind in found})


def fuzz_examples(output: str) -> dict[str, int]:
    """Passing examples per test, from ``--hypothesis-show-statistics`` output."""
    examples: dict[str, int] = {}
    current: str | None = None
    for line in output.splitlines():
        if match := _TEST.match(line.strip()):
            current = match.group(1)
            examples.setdefault(current, 0)
        elif current is not None and (match := _PASSING.search(line)):
            examples[current] += int(match.group(1))
    return examples


def _pytest(args: list[str], env: dict[str, str], timeout: float) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def run_fuzz(size: Size) -> Scenario:
    """Scenario 4: ``tests/fuzz`` with the size's Hypothesis profile (asyncio only)."""
    scenario = Scenario(f"Fuzzing (Hypothesis profile `{size.fuzz_profile}`)")
    env = {
        **os.environ,
        "HYPOTHESIS_PROFILE": size.fuzz_profile,
        "TALKKIT_TEST_BACKENDS": "asyncio",
    }
    started = time.monotonic()
    code, output = _pytest(
        ["tests/fuzz", "-q", "--hypothesis-show-statistics", "-p", "no:randomly"], env, 1800
    )
    scenario.seconds = time.monotonic() - started
    examples = fuzz_examples(output)
    counts = pytest_counts(output)
    least = MIN_FUZZ_EXAMPLES.get(size.fuzz_profile, 1)
    for test, n in sorted(examples.items()):
        scenario.figure(f"`{test.split('::', 1)[1]}`", f"{n:,} examples")
    scenario.figure("examples in total", sum(examples.values()))
    scenario.figure(
        "tests passed / failed", f"{counts['passed']} / {counts['failed'] + counts['error']}"
    )
    scenario.figure("time", f"{scenario.seconds:.1f} s")
    scenario.check("every fuzz test passed", code == 0 and counts["passed"] > 0, _tail(output))
    short = sorted(t for t, n in examples.items() if n < least)
    scenario.check(
        f"every fuzz test ran at least {least:,} examples", bool(examples) and not short, short
    )
    total = MIN_FUZZ_TOTAL.get(size.fuzz_profile, 1)
    scenario.check(
        f"at least {total:,} examples in the session",
        sum(examples.values()) >= total,
        f"{sum(examples.values()):,}",
    )
    scenario.notes.append(
        "Only `TalkkitError` subclasses (or lenient models) may come out of the three error "
        "decoders, the structuring of every public record of the three platforms, the client "
        "path (`request_model` over an `httpx.MockTransport`) and Talkturo webhook parsing, "
        "whatever the body: missing, extra and wrong-typed fields, unknown enum values, huge and "
        "deeply nested JSON, bytes that are not UTF-8."
    )
    return scenario


def run_tests(title: str, paths: list[str]) -> Scenario:
    """Scenario 5: a pytest folder on both anyio backends; every test must pass."""
    scenario = Scenario(title)
    started = time.monotonic()
    code, output = _pytest([*paths, "-q"], dict(os.environ), 900)
    scenario.seconds = time.monotonic() - started
    counts = pytest_counts(output)
    scenario.figure("tests passed", counts["passed"])
    scenario.figure("tests failed", counts["failed"] + counts["error"])
    scenario.figure("time", f"{scenario.seconds:.1f} s")
    scenario.check("every test passed", code == 0 and counts["passed"] > 0, _tail(output))
    return scenario


def _tail(output: str) -> str:
    """What went wrong (pytest's FAILED and ERROR lines) and its final count line."""
    lines = output.splitlines()
    bad = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
    final = [line for line in lines if " in " in line and _COUNT.search(line)]
    return " | ".join([*bad[:8], *final[-1:]])[-600:]
