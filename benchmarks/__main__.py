"""
``python -m benchmarks [--quick] [--out DIR] [--only SECTION,...]``: run the suite.

Writes ``report.md``, ``results.json`` and PNG charts (when matplotlib is installed) to
``benchmarks/results/<date>/`` (``<date>-quick`` with ``--quick``) and prints the report.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime
import gc
import os
import time
from pathlib import Path

from benchmarks._common import FULL, QUICK, ROOT, Scale, Section, charts_enabled, fmt, machine_info
from benchmarks.cli_import import run_cli_import
from benchmarks.imports import run_imports
from benchmarks.memory import run_memory
from benchmarks.overhead import run_overhead
from benchmarks.ratelimit import run_rate_limit
from benchmarks.report import write_report
from benchmarks.scaleout import run_scaleout
from benchmarks.server import ServerProcess
from benchmarks.shared import run_shared
from benchmarks.throughput import run_throughput, server_ceiling

SECTIONS = (
    "overhead",
    "throughput",
    "memory",
    "rate_limit",
    "imports",
    "shared",
    "cli_import",
    "scaleout",
)


async def _network(
    only: set[str], scale: Scale, out: Path, charts: bool, header: list[str]
) -> list[Section]:
    sections = []
    with ServerProcess() as server:
        rate, cpu_us = await server_ceiling(server, scale)
        if rate:
            # A quick run can be shorter than one tick of the process CPU clock (10 ms).
            cost = (
                f"the server spends {cpu_us:.0f} µs of CPU per request, a ceiling of "
                f"≈ {fmt(1e6 / cpu_us)} requests/s: it is not the bottleneck for any client "
                "below that."
                if cpu_us > 0
                else "the run was too short to read the server's CPU cost."
            )
            line = (
                f"Benchmark server (`benchmarks/server.py`, its own process and core): raw "
                f"aiohttp reaches {fmt(rate)} GETs/s at C=64 against it; {cost}"
            )
            header.append(line)
            print(line, flush=True)
        if "overhead" in only:
            sections.append(await run_overhead(server.url, scale, out, charts))
            _progress(sections[-1])
        if "throughput" in only:
            sections.append(await run_throughput(server, scale, out, charts))
            _progress(sections[-1])
    return sections


def _progress(section: Section) -> None:
    print(f"\n## {section.title}", flush=True)
    for row in section.table:
        print("  " + " | ".join(row), flush=True)


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the chosen sections, write and print the report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test)")
    parser.add_argument("--out", type=Path, default=None, help="results directory")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--no-charts", action="store_true")
    parser.add_argument(
        "--memory-rows", type=_sizes, help="client create counts, e.g. 10000,100000"
    )
    parser.add_argument("--cli-rows", type=_sizes, help="CSV sizes for the CLI import")
    args = parser.parse_args(argv)
    only = {name.strip().replace("-", "_") for name in args.only.split(",") if name.strip()}
    if unknown := only - set(SECTIONS):
        parser.error(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    scale = QUICK if args.quick else FULL
    if args.memory_rows:
        scale = dataclasses.replace(scale, memory_rows=args.memory_rows)
    if args.cli_rows:
        scale = dataclasses.replace(scale, cli_rows=args.cli_rows)
    stamp = datetime.date.today().isoformat() + ("-quick" if args.quick else "")
    out: Path = args.out or ROOT / "benchmarks" / "results" / stamp
    out.mkdir(parents=True, exist_ok=True)
    charts = charts_enabled() and not args.no_charts
    info = machine_info()
    for key, value in info.items():
        print(f"{key}: {value}", flush=True)
    header = [
        f"Run {datetime.datetime.now().isoformat(timespec='seconds')}"
        + (" with `--quick` (tiny sizes: a smoke test, not a measurement)." if args.quick else "."),
        "Every figure is over repeated runs against a local server on 127.0.0.1, as ratios to "
        "baselines measured in the same run; see the notes under each table.",
    ]
    gc.collect()
    gc.freeze()  # the harness's own objects stay out of every timed collection
    started = time.perf_counter()
    sections = asyncio.run(_network(only, scale, out, charts, header))
    if "memory" in only:
        sections.append(run_memory(scale))
        _progress(sections[-1])
    if "rate_limit" in only:
        sections.append(asyncio.run(run_rate_limit(scale, out, charts)))
        _progress(sections[-1])
    if "imports" in only:
        sections.append(run_imports(scale))
        _progress(sections[-1])
    if "shared" in only:
        sections.append(run_shared(scale))
        _progress(sections[-1])
    if "cli_import" in only:
        sections.append(run_cli_import(scale))
        _progress(sections[-1])
    if "scaleout" in only:
        sections.append(run_scaleout(scale))
        _progress(sections[-1])
    if not charts:
        header.append("Charts skipped: matplotlib is not installed.")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    info["load average at end (1/5/15 min)"] = load
    report = write_report(out, sections, info, header, time.perf_counter() - started)
    print(f"\nreport: {report}", flush=True)


if __name__ == "__main__":
    main()
