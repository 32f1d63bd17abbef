"""Shared pieces: run sizes, a measured figure, drivers, machine information."""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "FULL",
    "QUICK",
    "ROOT",
    "Figure",
    "Goal",
    "Scale",
    "Section",
    "Send",
    "charts_enabled",
    "fmt",
    "gather_semaphore",
    "has_module",
    "machine_info",
    "save_chart",
    "spread",
    "transport_env",
    "worker_pool",
]

ROOT = Path(__file__).resolve().parent.parent
Send = Callable[[int], Awaitable[object]]
"""One request of a contender: ``send(i)`` for the ``i``-th item."""


@dataclass(frozen=True)
class Scale:
    """How much each section does (the full suite stays under 10 minutes on 2 cores)."""

    reps: int
    overhead_reps: int  # more, shorter repetitions: the median resists bursts of other load
    overhead_requests: int  # timed GETs per repetition at C=1
    bulk_seconds: float  # each throughput repetition aims at about this long (0: no sizing)
    bulk_min_requests: int  # and never fewer requests than this
    bulk_per_worker: int  # nor fewer than this many per concurrent request
    concurrencies: tuple[int, ...]
    memory_rows: tuple[int, ...]  # creates by the client (C=64 workers), per size
    cli_rows: tuple[int, ...]  # rows of a CSV given to `talkkit contacts import`, per size
    rate_limit_seconds: float
    profile_requests: int
    shared_rows: int  # rows per process of the four-process Redis run (600/min in all)
    cli_import_rows: int  # rows `talkkit contacts import` sends to the served emulator, per run
    cli_import_reps: int  # runs per transport (each a fresh emulator: ≈ 20-60 s at 20,000 rows)
    cli_import_venv: bool  # build the README's install in a fresh virtualenv (else: this Python)


FULL = Scale(
    reps=5,
    overhead_reps=12,
    overhead_requests=400,
    bulk_seconds=0.6,
    bulk_min_requests=400,
    bulk_per_worker=2,
    concurrencies=(1, 16, 64, 256),
    memory_rows=(10_000, 100_000),
    cli_rows=(10_000, 30_000),
    rate_limit_seconds=20.0,
    profile_requests=2000,
    shared_rows=75,
    cli_import_rows=20_000,
    cli_import_reps=3,
    cli_import_venv=True,
)
QUICK = Scale(
    reps=2,
    overhead_reps=2,
    overhead_requests=30,
    bulk_seconds=0.0,
    bulk_min_requests=20,
    bulk_per_worker=1,
    concurrencies=(1, 16),
    memory_rows=(300,),
    cli_rows=(100,),
    rate_limit_seconds=1.0,
    profile_requests=50,
    shared_rows=5,
    cli_import_rows=300,
    cli_import_reps=1,
    cli_import_venv=False,
)


@dataclass
class Figure:
    """One measured series: ``samples`` over repetitions, in ``unit``."""

    name: str
    unit: str
    samples: list[float] = field(default_factory=list)

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def max(self) -> float:
        return max(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def best(self) -> float:
        """The best sample: lowest for times and sizes, highest for rates."""
        return self.max if self.unit.endswith("/s") else self.min


@dataclass
class Goal:
    """A target from the issue and what this run measured against it."""

    text: str
    measured: str
    met: bool | None  # None: report only, or could not be measured in this run


@dataclass
class Section:
    """One part of the report: a table (first row is the header), notes, charts, goals."""

    key: str
    title: str
    table: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    extra: str = ""  # more Markdown after the table (e.g. a profile)
    data: dict[str, object] = field(default_factory=dict)


def spread(ours: Figure, theirs: Figure) -> str:
    """The ratio of two interleaved series repetition by repetition: ``"a–b× over N runs"``."""
    ratios = sorted(a / b for a, b in zip(ours.samples, theirs.samples, strict=False) if b)
    if not ratios:
        return "no paired runs"
    return f"{ratios[0]:.2f}–{ratios[-1]:.2f}× over {len(ratios)} runs"


def fmt(value: float, digits: int = 0) -> str:
    """A number with thousands separators."""
    return f"{value:,.{digits}f}"


def save_chart(fig: Any, out: Path, name: str, *, legend: bool = True) -> str:
    """Finish a matplotlib figure (grid, legend, layout), write ``out/name``; return ``name``."""
    import matplotlib.pyplot as plt

    for ax in fig.axes:
        ax.grid(alpha=0.3)
        if legend:
            ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / name, dpi=110)
    plt.close(fig)
    return name


def charts_enabled() -> bool:
    """Is matplotlib installed? (Then select its file-only backend.)"""
    if not has_module("matplotlib"):
        return False
    import matplotlib

    matplotlib.use("Agg")
    return True


async def worker_pool(send: Send, n: int, concurrency: int) -> float:
    """``concurrency`` workers pull items ``0..n-1`` (how a bulk engine works); seconds."""
    items = iter(range(n))

    async def worker() -> None:
        for i in items:
            await send(i)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(min(concurrency, n))))
    return time.perf_counter() - started


async def gather_semaphore(send: Send, n: int, concurrency: int) -> float:
    """The naive pattern: one task per item, ``asyncio.gather`` under a semaphore; seconds."""
    semaphore = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with semaphore:
            await send(i)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    return time.perf_counter() - started


def has_module(name: str) -> bool:
    """Is ``name`` importable (without importing it)?"""
    from importlib.util import find_spec

    return find_spec(name) is not None


@contextmanager
def transport_env(name: str | None) -> Iterator[None]:
    """Set ``TALKKIT_TRANSPORT`` (``None``: unset, i.e. the automatic choice) for a block."""
    previous = os.environ.pop("TALKKIT_TRANSPORT", None)
    if name is not None:
        os.environ["TALKKIT_TRANSPORT"] = name
    try:
        yield
    finally:
        os.environ.pop("TALKKIT_TRANSPORT", None)
        if previous is not None:
            os.environ["TALKKIT_TRANSPORT"] = previous


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _git(*args: str, check: bool = False) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=5, check=check
    ).stdout.strip()


def _git_revision() -> str:
    try:
        out = _git("rev-parse", "--short", "HEAD", check=True)
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out + (" (+ uncommitted changes)" if dirty else "")


def machine_info() -> dict[str, str]:
    """What the figures depend on: machine, load, Python, library versions."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    info = {
        "machine": f"{_cpu_model()}, {os.cpu_count()} cores, {_memory()} RAM",
        "load average at start (1/5/15 min)": load,
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {sys.version.split()[0]}",
        "event loop": "asyncio (default loop)",
        "talkkit": f"{_version('talkkit')} @ {_git_revision()}",
    }
    for name in ("httpx", "httpcore", "h11", "aiohttp", "anyio", "tenacity", "attrs", "cattrs"):
        info[name] = _version(name)
    return info
