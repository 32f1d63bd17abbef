"""The benchmark suite runs end to end on tiny sizes (a smoke test: no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SECTIONS = (
    "## Goals (issue 8)",
    "## 1. Per-request overhead",
    "## 2. Bulk-like throughput",
    "## 3. Memory",
    "## 4. Rate-limit use",
    "## 5. Import time",
    "## 6. One key shared by 4 processes (Redis)",
    "## 7. The README's install: `talkkit contacts import` into `talkkit emulator serve`",
    "## 8. One job shared by 1, 2, 4 processes (Redis journal)",
    "## Machine and versions",
)
ROWS = (
    "| raw httpx [httpx transport] |",
    "| talkkit [httpx transport] |",
    "| naive httpx (gather + Semaphore) |",
    "| talkkit import_many (httpx transport) |",
    "| server busy (max share of its core) |",
    "| client set up, no request |",
    "| client: 300 creates |",
    "| talkkit (proactive limiter, default transport) |",
    "| reactive baseline (tenacity retry-on-429 around raw httpx) |",
    "| import talkkit |",
    "| import httpx |",
    "| 4, sharing the limit through Redis |",
    "| 4, each pacing alone at the key's limit |",
    "| talkkit ≤ 1.10× raw httpx per request (httpx transport) |",
    "| httpx transport (as installed without aiohttp) |",
    "| default transport (aiohttp) |",
    "| raw aiohttp, one process, C=64 (the practical limit) |",
)


def test_quick_run_writes_report_with_every_row(tmp_path: Path) -> None:
    """`python -m benchmarks --quick` writes report.md (every section's rows) and results.json."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = (tmp_path / "report.md").read_text()
    for heading in SECTIONS:
        assert heading in report
    for row in ROWS:
        assert row in report
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results["sections"]) == {
        "overhead",
        "throughput",
        "memory",
        "rate_limit",
        "imports",
        "shared",
        "cli_import",
        "scaleout",
    }
    if find_spec("matplotlib") is not None:
        charts = {"overhead.png", "throughput.png", "rate_limit.png"}
        assert charts <= {path.name for path in tmp_path.iterdir()}
        for chart in charts:
            assert f"]({chart})" in report
    else:
        assert "Charts skipped" in report
