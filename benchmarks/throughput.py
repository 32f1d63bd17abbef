"""Section 2: bulk-like throughput of contact creates at C = 1, 16, 64, 256; server ceiling."""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks._common import (
    Figure,
    Goal,
    Scale,
    Section,
    fmt,
    has_module,
    save_chart,
    worker_pool,
)
from benchmarks.contenders import BULK, Contender, per_item
from benchmarks.server import ServerProcess

__all__ = ["run_throughput", "server_ceiling"]

_MAX_REQUESTS = 20_000
GOAL_NAIVE = 5.0  # at C=64: talkkit ≥ 5× the naive httpx baseline
GOAL_AIOHTTP = 0.6  # and ≥ 0.6× raw aiohttp (#18)


async def server_ceiling(server: ServerProcess, scale: Scale) -> tuple[float, float]:
    """(requests/s of raw aiohttp GETs at C=64, server CPU µs per request) — best of reps."""
    if not has_module("aiohttp"):
        return 0.0, 0.0
    from benchmarks.contenders import _raw_aiohttp_get

    run = per_item(_raw_aiohttp_get, worker_pool)
    n = max(scale.bulk_min_requests * 4, 200)
    rates, costs = [], []
    for _ in range(scale.reps):
        cpu = server.cpu_seconds()
        seconds = (await run(server.url, n, 64, 64)).wall
        costs.append((server.cpu_seconds() - cpu) / (n + 64) * 1e6)
        rates.append(n / seconds)
    return max(rates), min(costs)


async def _measure(
    contender: Contender, server: ServerProcess, n: int, concurrency: int
) -> tuple[float, float]:
    """(requests/s, share of one core the server used during the run)."""
    cpu, wall = server.cpu_seconds(), time.perf_counter()
    seconds = (await contender.run(server.url, n, concurrency, concurrency)).wall
    busy = (server.cpu_seconds() - cpu) / (time.perf_counter() - wall)
    return n / seconds, busy


async def run_throughput(server: ServerProcess, scale: Scale, out: Path, charts: bool) -> Section:
    """Requests/s per contender and concurrency, with the ratios the issue sets goals for."""
    contenders = [c for c in BULK if c.available()]
    levels = scale.concurrencies
    figures = {(c.name, level): Figure(c.name, "req/s") for c in contenders for level in levels}
    sizes: dict[tuple[str, int], int] = {}
    busiest = dict.fromkeys(levels, 0.0)
    for level in levels:  # size each run so that it lasts about scale.bulk_seconds
        floor = max(scale.bulk_min_requests, scale.bulk_per_worker * level)
        for contender in contenders:
            rate = (await _measure(contender, server, floor, level))[0] if scale.bulk_seconds else 0
            sizes[contender.name, level] = int(
                min(max(rate * scale.bulk_seconds, floor), _MAX_REQUESTS)
            )
    for _ in range(scale.reps):
        for level in levels:
            for contender in contenders:
                n = sizes[contender.name, level]
                rate, busy = await _measure(contender, server, n, level)
                figures[contender.name, level].samples.append(rate)
                busiest[level] = max(busiest[level], busy)

    section = Section("throughput", "2. Bulk-like throughput (concurrent contact creates)")
    section.table.append(["client, requests/s: median (min)", *[f"C={c}" for c in levels]])
    for contender in contenders:
        row = [contender.name]
        for level in levels:
            figure = figures[contender.name, level]
            row.append(f"{fmt(figure.median)} ({fmt(figure.min)})")
            section.data[f"{contender.name} C={level}"] = figure.samples
        section.table.append(row)
    names = [c.name for c in contenders]
    naive, raw = names[0], "raw aiohttp"
    for ours in [c for c in contenders if c.name.startswith("talkkit")]:
        for base in (naive, raw):
            if base not in names:
                continue
            ratios = [
                figures[ours.name, level].median / figures[base, level].median for level in levels
            ]
            section.table.append(
                [f"ratio {ours.name} ÷ {base}", *[f"**{r:.2f}×**" for r in ratios]]
            )
    if 64 in levels:
        section.goals += _bulk_goals(figures, contenders)
    section.table.append(
        ["server busy (max share of its core)", *[f"{busiest[level]:.0%}" for level in levels]]
    )
    section.notes.append(
        "POST of a small JSON (the shape of a Talkturo contact create), answered 201 with a "
        "contact envelope. talkkit import_many = `AsyncTalkturo.contacts.import_many(rows, "
        "concurrency=C, preflight=False)` on generated rows (row validation, one outcome per row, the full "
        "pipeline, a cattrs `Contact` per row, no journal); the `create × C workers` row "
        "drives `contacts.create` from C plain workers, to show what the engine adds. naive "
        "httpx = one task per item, `asyncio.gather` under an `asyncio.Semaphore(C)`, "
        "`httpx.AsyncClient()` defaults. raw aiohttp = `ClientSession` with an unlimited "
        "connector, C workers. Each run is sized to last about "
        f"{scale.bulk_seconds:g} s (at least {scale.bulk_min_requests} requests and "
        f"{scale.bulk_per_worker}×C) and comes after C untimed warm-up requests; "
        f"{scale.reps} repetitions, interleaved. Server busy = its CPU time ÷ wall time."
    )
    if charts:
        section.charts.append(_chart(figures, contenders, levels, out))
    return section


def _bulk_goals(figures: dict[tuple[str, int], Figure], contenders: list[Contender]) -> list[Goal]:
    """
    The throughput goals at C=64, each saying which pair it compares.

    The goals are stated for import_many on the default (aiohttp) transport. Against naive
    httpx that is what a user would write instead, but it pits aiohttp against httpx's default
    pool; the same pair on the same (httpx) transport, reported beside it, shows what the
    engine itself adds. Raw aiohttp is the practical limit.
    """
    goals: list[Goal] = []
    names = {c.name for c in contenders}
    default = next((c.name for c in contenders if c.goal and "default" in c.name), None)
    same = next((c.name for c in contenders if c.goal and "(httpx transport)" in c.name), None)
    naive, raw = contenders[0].name, "raw aiohttp"

    def ratio(ours: str, base: str) -> float:
        return figures[ours, 64].median / figures[base, 64].median

    if default is not None:
        goals.append(
            Goal(
                f"bulk at C=64: import_many (default: aiohttp transport) ≥ {GOAL_NAIVE:g}× {naive}"
                " — what a user would write instead (aiohttp against httpx's default pool)",
                f"{ratio(default, naive):.2f}×",
                ratio(default, naive) >= GOAL_NAIVE,
            )
        )
    if same is not None:
        goals.append(
            Goal(
                f"bulk at C=64: import_many (httpx transport) ÷ {naive} — the same transport "
                "(report only)",
                f"{ratio(same, naive):.2f}×",
                None,
            )
        )
    if default is not None and raw in names:
        goals.append(
            Goal(
                f"bulk at C=64: import_many (default: aiohttp transport) ≥ {GOAL_AIOHTTP:g}× {raw}"
                " — the practical limit",
                f"{ratio(default, raw):.2f}×",
                ratio(default, raw) >= GOAL_AIOHTTP,
            )
        )
    return goals


def _chart(
    figures: dict[tuple[str, int], Figure],
    contenders: list[Contender],
    levels: tuple[int, ...],
    out: Path,
) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.2))
    for contender in contenders:
        series = [figures[contender.name, level] for level in levels]
        ax.errorbar(
            levels,
            [f.median for f in series],
            yerr=[[f.median - f.min for f in series], [f.max - f.median for f in series]],
            marker="o",
            capsize=3,
            label=contender.name,
        )
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(levels), [str(level) for level in levels])
    ax.set_xlabel("concurrency (requests in flight)")
    ax.set_ylabel("contact creates per second (median)")
    ax.set_title("Bulk-like throughput, higher is better")
    return save_chart(fig, out, "throughput.png")
