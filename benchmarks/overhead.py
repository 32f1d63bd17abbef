"""Section 1: per-request overhead at concurrency 1, and where talkkit's time goes (cProfile)."""

from __future__ import annotations

import cProfile
import pstats
import sysconfig
from collections import defaultdict
from pathlib import Path

from benchmarks._common import Figure, Goal, Scale, Section, fmt, save_chart, spread
from benchmarks.contenders import OVERHEAD, Contender, _talkkit_get

__all__ = ["run_overhead"]

GOAL = 1.10
AIOHTTP_GOAL = 1.50  # talkkit on its aiohttp transport against raw aiohttp (issue 18)


def _label(contender: Contender) -> str:
    return f"{contender.name} [{contender.transport} transport]"


async def run_overhead(url: str, scale: Scale, out: Path, charts: bool) -> Section:
    """Median/min µs per GET for each contender; talkkit / raw httpx on the same transport."""
    contenders = [c for c in OVERHEAD if c.available()]
    figures = {c: Figure(_label(c), "µs") for c in contenders}
    cpu = {c: Figure(_label(c), "µs") for c in contenders}
    n = scale.overhead_requests
    for _ in range(scale.overhead_reps):
        for contender in contenders:  # interleaved, so drift hits every contender alike
            timing = await contender.run(url, n, 1, min(100, n))
            figures[contender].samples.append(timing.wall / n * 1e6)
            cpu[contender].samples.append(timing.cpu / n * 1e6)

    section = Section("overhead", "1. Per-request overhead (GET of a small JSON, C=1)")
    section.table.append(
        [
            "client",
            "min µs",
            "median µs",
            "× raw httpx, same transport",
            "client CPU µs: min",
            "median",
            "CPU × raw httpx",
        ]
    )
    raw = {c.transport: c for c in contenders if c.name == "raw httpx"}
    for contender in contenders:
        figure, used = figures[contender], cpu[contender]
        base_contender = raw.get(contender.transport)
        base = figures[base_contender] if base_contender else None
        base_cpu = cpu[base_contender] if base_contender else None
        section.table.append(
            [
                figure.name,
                fmt(figure.min),
                fmt(figure.median),
                f"{figure.median / base.median:.2f}" if base else "",
                fmt(used.min),
                fmt(used.median),
                f"{used.median / base_cpu.median:.2f}" if base_cpu else "",
            ]
        )
        section.data[figure.name] = {"wall_us": figure.samples, "cpu_us": used.samples}
        if contender.name == "talkkit" and base and base_cpu:
            measured = figure.median / base.median
            section.goals.append(
                Goal(
                    f"talkkit ≤ {GOAL:.2f}× raw httpx per request ({contender.transport} transport)",
                    f"{measured:.2f}× wall (median {fmt(figure.median)} vs "
                    f"{fmt(base.median)} µs); {used.median / base_cpu.median:.2f}× client CPU",
                    measured <= GOAL,
                )
            )
    section.goals += _other_pairs(figures)
    section.notes.append(
        f"{n} timed GETs per repetition after 100 untimed, {scale.overhead_reps} repetitions, "
        "contenders interleaved. talkkit = `AsyncTalkory.health.llm()`: request id, retry "
        "(none triggered), rate limiter (learns the server's 1,000,000/min), auth, error "
        "decoding, envelope unwrapping and a cattrs model. raw httpx = `AsyncClient.get` + "
        "`raise_for_status()` + `.json()`. Wall time includes the server's share and the "
        "kernel's; client CPU is this process's CPU time per request (less sensitive to other "
        "load on the machine)."
    )
    section.extra = await _profile(url, scale.profile_requests)
    if charts:
        section.charts.append(_chart(list(figures.values()), out))
    return section


def _other_pairs(figures: dict[Contender, Figure]) -> list[Goal]:
    """
    The per-request goal's two other comparisons, reported beside it (no goal of their own).

    The first goal compares talkkit with raw httpx on the same transport. What a user would
    write instead is a plain `httpx.AsyncClient` (httpx's own transport) against talkkit's
    default transport (report only); the practical limit is raw aiohttp, which talkkit's fast
    transport sits on (goal: `AIOHTTP_GOAL`).
    """
    series = {(c.name, c.transport): figure for c, figure in figures.items()}
    by = {key: figure.median for key, figure in series.items()}
    httpx_default = by.get(("raw httpx", "httpx"))
    ours = by.get(("talkkit", "aiohttp"))
    aiohttp = by.get(("raw aiohttp", "aiohttp"))
    pairs: list[Goal] = []
    if ours and httpx_default:
        pairs.append(
            Goal(
                "per request, against what a user would write instead: talkkit (default: aiohttp "
                "transport) ÷ `httpx.AsyncClient` (report only)",
                f"{ours / httpx_default:.2f}× wall (median {fmt(ours)} vs {fmt(httpx_default)} µs)",
                None,
            )
        )
    if ours and aiohttp:
        pairs.append(
            Goal(
                f"per request, against the practical limit: talkkit (aiohttp transport) "
                f"≤ {AIOHTTP_GOAL:.2f}× raw aiohttp (issue 18)",
                f"{ours / aiohttp:.2f}× wall (median {fmt(ours)} vs {fmt(aiohttp)} µs; "
                f"{spread(series['talkkit', 'aiohttp'], series['raw aiohttp', 'aiohttp'])})",
                ours / aiohttp <= AIOHTTP_GOAL,
            )
        )
    return pairs


_STDLIB = sysconfig.get_paths()["stdlib"]


def _group(filename: str) -> str:
    """Which package a profiled function belongs to (talkkit split by module)."""
    if "/talkkit/" in filename:
        return "talkkit." + Path(filename).stem.lstrip("_")
    for name in ("httpx", "httpcore", "h11", "aiohttp", "yarl", "multidict", "cattrs", "anyio"):
        if f"/{name}/" in filename:
            return name
    if "cattrs generated" in filename or filename == "":  # cattrs' generated hooks
        return "cattrs"
    if "attrs generated" in filename:
        return "attrs (generated __init__)"
    if "/sniffio/" in filename:
        return "sniffio"
    if "/asyncio/" in filename or filename.endswith("selectors.py"):
        return "asyncio event loop"
    if filename == "~":
        return "built-ins (socket I/O, C code)"
    if filename.startswith(_STDLIB) and "site-packages" not in filename:
        return "stdlib " + Path(filename).relative_to(_STDLIB).parts[0].removesuffix(".py")
    return "other"


async def _profile(url: str, n: int) -> str:
    """Markdown: own time by package and talkkit's costliest functions, per request."""
    available = [c for c in OVERHEAD if c.name == "talkkit" and c.available()]
    transport = available[-1].transport if available else "httpx"
    open_ = _talkkit_get(None if transport == "aiohttp" else "httpx")
    profiler = cProfile.Profile()
    async with open_(url) as send:
        for i in range(min(100, n)):
            await send(i)
        profiler.enable()
        for i in range(n):
            await send(i)
        profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in stats.values())
    by_group: dict[str, float] = defaultdict(float)
    for (filename, _, _), row in stats.items():
        by_group[_group(filename)] += row[2]
    lines = [
        f"**Profile** of talkkit's GET over the {transport} transport ({n} requests under "
        "cProfile, which inflates every call: read the shares, not the µs).",
        "",
        "| own time in | share | µs/request (profiled) |",
        "|---|---|---|",
    ]
    for group, seconds in sorted(by_group.items(), key=lambda kv: -kv[1])[:14]:
        lines.append(f"| {group} | {seconds / total:.1%} | {seconds / n * 1e6:.1f} |")
    lines += [
        "",
        "| function (top by own time, then talkkit's own) | own share | with callees |",
        "|---|---|---|",
    ]
    ranked = sorted(stats.items(), key=lambda kv: -kv[1][2])
    ours = [(key, row) for key, row in ranked if "/talkkit/" in key[0]]
    for (filename, line, func), row in [*ranked[:12], *ours[:8]]:
        where = f"`{_group(filename)}: {Path(filename).name}:{line} {func}`"
        lines.append(f"| {where} | {row[2] / total:.1%} | {row[3] / total:.1%} |")
    return "\n".join(lines)


def _chart(figures: list[Figure], out: Path) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.2))
    names = [f.name for f in figures]
    ax.barh(names, [f.median for f in figures], color="#4C72B0")
    ax.errorbar(
        [f.median for f in figures],
        names,
        xerr=[[f.median - f.min for f in figures], [f.max - f.median for f in figures]],
        fmt="none",
        ecolor="black",
        capsize=3,
    )
    ax.invert_yaxis()
    ax.set_xlabel("µs per request (median; bars: min–max), lower is better")
    ax.set_title("Per-request cost at concurrency 1")
    return save_chart(fig, out, "overhead.png", legend=False)
