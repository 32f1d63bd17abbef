"""
Section 6: one key's rate limit shared by several OS processes through Redis.

Four ``talkkit contacts import`` processes, each with a quarter of the rows, use one Talkturo
token against a server that allows 600 requests/min for it (a 2-second bucket of 20, so a
client that overshoots is refused at once). Shared through Redis (``--redis-url``), the four
pace together; each pacing alone at the key's 600/min, they ask for four times the limit.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks._common import ROOT, Goal, Scale, Section, fmt
from benchmarks.server import ServerProcess

__all__ = ["run_shared"]

LIMIT, PERIOD, BURST, PROCESSES = 600, 60.0, 20, 4
GOAL_USE = 0.90
TOKEN = "tk_bench_shared_key"


def _stats(url: str, reset: bool = False) -> dict[str, object]:
    path, method = ("/__reset", "POST") if reset else ("/__stats", "GET")
    with urllib.request.urlopen(urllib.request.Request(url + path, method=method)) as answer:
        result: dict[str, object] = json.loads(answer.read())
    return result


def _chunks(folder: Path, rows_per_process: int, run: str) -> list[Path]:
    paths = []
    for p in range(PROCESSES):
        path = folder / f"{run}-{p}.csv"
        lines = ["first_name,last_name,email"]
        lines += [f"Ada,Worker{p},{run}-{p}-{i}@example.com" for i in range(rows_per_process)]
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths


def _run(url: str, chunks: list[Path], redis_url: str | None) -> list[dict[str, object]]:
    """Start one import process per chunk at once; their JSON summaries."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TALKTURO_", "TALKKIT_"))}
    env.update(TALKTURO_TOKEN=TOKEN, TALKTURO_BASE_URL=url + "/api")
    command = [sys.executable, "-m", "talkkit.cli", "contacts", "import"]
    # --no-preflight: the benchmark server answers no list (the preflight would refuse the job).
    options = [
        "--team-id",
        "team_1",
        "--company-id",
        "co_1",
        "--concurrency",
        "4",
        "--no-preflight",
    ]
    options += ["--rate-limit", f"{LIMIT}/min", "--json"]
    if redis_url is not None:
        options += ["--redis-url", redis_url]
    processes = [
        subprocess.Popen(
            [*command, str(chunk), *options],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for chunk in chunks
    ]
    summaries = []
    for process in processes:
        out, _ = process.communicate(timeout=300)
        summaries.append(json.loads(out) if out.strip() else {"error": process.returncode})
    return summaries


def run_shared(scale: Scale) -> Section:
    """Combined accepted rate as a share of the key's limit, and the 429s, with and without Redis."""
    section = Section("shared", f"6. One key shared by {PROCESSES} processes (Redis)")
    section.table.append(
        ["processes", "rows", "accepted (201)", "refused (429)", "accepted rate", "% of 600/min"]
    )
    binary = shutil.which("redis-server")
    if binary is None:
        section.notes.append(
            "Skipped: redis-server is not installed (apt-get install redis-server)."
        )
        section.goals.append(Goal("shared through Redis: ≥ 90 % of the key's limit", "n/a", None))
        return section
    sys.path.insert(0, str(ROOT))  # the tests' throwaway redis-server helper
    from tests.redis_server import RedisServer

    rows = scale.shared_rows
    redis = RedisServer().start()
    try:
        with (
            ServerProcess(rate_limit=LIMIT, burst=BURST) as server,
            tempfile.TemporaryDirectory() as tmp,
        ):
            for tag, name, redis_url in (
                ("redis", f"{PROCESSES}, sharing the limit through Redis", redis.url),
                ("alone", f"{PROCESSES}, each pacing alone at the key's limit", None),
            ):
                _stats(server.url, reset=True)
                started = time.perf_counter()
                summaries = _run(server.url, _chunks(Path(tmp), rows, tag), redis_url)
                wall = time.perf_counter() - started
                done = sum(int(str(summary.get("done", 0))) for summary in summaries)
                if done < rows * PROCESSES:  # a harness that sends nothing must not read as 0%
                    why = sorted({str(s.get("aborted") or s.get("error")) for s in summaries})
                    section.notes.append(
                        f"{name}: only {fmt(done)} of {fmt(rows * PROCESSES)} rows were done "
                        f"({'; '.join(why)})."
                    )
                stats = _stats(server.url)
                counts = stats["counts"]
                assert isinstance(counts, dict)
                ok, refused = int(counts.get("201", 0)), int(counts.get("429", 0))
                seconds = float(str(stats["accepted_seconds"]))
                # The bucket starts full (BURST), then refills at LIMIT/PERIOD.
                allowed = BURST + LIMIT / PERIOD * seconds
                use = ok / allowed if allowed else 0.0
                per_minute = (ok - BURST) / seconds * 60 if seconds > 0 else 0.0
                section.table.append(
                    [
                        name,
                        fmt(rows * PROCESSES),
                        fmt(ok),
                        fmt(refused),
                        f"{fmt(per_minute)}/min",
                        f"{use:.1%}",
                    ]
                )
                section.data[name] = {
                    "accepted": ok,
                    "refused": refused,
                    "seconds": seconds,
                    "wall": wall,
                    "summaries": summaries,
                }
                if redis_url is not None:
                    section.goals.append(
                        Goal(
                            f"{PROCESSES} processes through Redis: ≥ {GOAL_USE:.0%} of the "
                            "key's limit, 0 refused",
                            f"{use:.1%}, {fmt(refused)} refused",
                            use >= GOAL_USE and refused == 0,
                        )
                    )
    finally:
        redis.stop()
    section.notes.append(
        f"Each process imports {fmt(rows)} rows with `talkkit contacts import --rate-limit "
        f"{LIMIT}/min` (4 in flight). The server allows {LIMIT}/min for the token with a bucket "
        f"of {BURST}; counts and the span from the first to the last accepted create are the "
        f"server's, so start-up time does not count. % of 600/min = accepted / ({BURST} + "
        "10/s × span). Without Redis each process spends its own 600/min and the server "
        "refuses the surplus; with it, the four take turns from one budget."
    )
    return section
