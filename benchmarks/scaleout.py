"""
Section 8: one job shared by 1, 2 and 4 processes through a Redis journal.

A server that answers every request after 40 ms (the benchmark responder behind a delay, in
its own process) and one ``talkkit contacts import FILE --journal redis://… --concurrency 8``
command started 1, 2 or 4 times at once: the processes share the job (and, through the same
Redis, the key's rate limit — unpaced here: the server announces no limit). Each process keeps
8 requests in flight, so N processes can go N times as fast; what is left of that is the
measure of what sharing the job costs (loading, claims, leases, the job-wide journal).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks._common import ROOT, Goal, Scale, Section, fmt
from benchmarks.server import App, _Connection

__all__ = ["main", "run_scaleout"]

LATENCY = 0.040  # seconds before every answer
IN_FLIGHT = 8  # --concurrency of each process
PROCESSES = (1, 2, 4)
GOAL_SPEEDUP = 2.5
TOKEN = "tk_bench_scaleout_key"


class _Delayed:
    """A transport whose writes (and close) happen ``LATENCY`` seconds later."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._loop = asyncio.get_running_loop()

    def write(self, data: bytes) -> None:
        self._loop.call_later(LATENCY, self._write, data)

    def _write(self, data: bytes) -> None:
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        self._loop.call_later(LATENCY, self._transport.close)


class _SlowConnection(_Connection):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = _Delayed(transport)  # type: ignore[assignment]


async def _serve(app: App) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _SlowConnection(app), "127.0.0.1", 0, backlog=1024)
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    """``python -m benchmarks.scaleout --serve``: the delayed responder (prints ``PORT <n>``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", action="store_true", required=True)
    parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(App(None, 60.0, None)))


@contextlib.contextmanager
def _slow_server() -> Any:
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.scaleout", "--serve"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the delayed server did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        process.terminate()
        process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()


def _stats(url: str, path: str = "/__stats", method: str = "GET") -> dict[str, Any]:
    request = urllib.request.Request(url + path, method=method)
    with urllib.request.urlopen(request, timeout=10) as answer:  # the delay applies here too
        result: dict[str, Any] = json.loads(answer.read())
    return result


def _run(url: str, csv: Path, journal: str, job: str, processes: int) -> tuple[float, list[Any]]:
    """Start ``processes`` imports of one shared job at once; wall seconds and their summaries."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TALKTURO_", "TALKKIT_"))}
    env.update(TALKTURO_TOKEN=TOKEN, TALKTURO_BASE_URL=url + "/api")
    argv = [sys.executable, "-m", "talkkit.cli", "contacts", "import", str(csv)]
    argv += ["--team-id", "team_1", "--company-id", "co_1", "--no-preflight", "--json"]
    argv += ["--concurrency", str(IN_FLIGHT), "--journal", journal, "--job", job]
    started = time.perf_counter()
    running = [
        subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        for _ in range(processes)
    ]
    summaries = []
    for process in running:
        out, _ = process.communicate(timeout=600)
        summaries.append(json.loads(out) if out.strip() else {"error": process.returncode})
    return time.perf_counter() - started, summaries


def run_scaleout(scale: Scale) -> Section:
    """Wall time of one shared import with 1, 2 and 4 processes, as speed-ups over 1."""
    section = Section("scaleout", "8. One job shared by 1, 2, 4 processes (Redis journal)")
    section.table.append(
        ["processes", "rows", "wall time", "speed-up", "server span", "speed-up (span)", "done"]
    )
    if shutil.which("redis-server") is None:
        section.notes.append(
            "Skipped: redis-server is not installed (apt-get install redis-server)."
        )
        section.goals.append(Goal(f"4 processes ≥ {GOAL_SPEEDUP}× faster than 1", "n/a", None))
        return section
    sys.path.insert(0, str(ROOT))  # the tests' throwaway redis-server helper
    from tests.redis_server import RedisServer

    rows = scale.shared_rows * 40  # 3,000 in the full suite: ≈ 15 s for one process
    redis = RedisServer().start()
    base: tuple[float, float] | None = None
    try:
        with _slow_server() as url, tempfile.TemporaryDirectory() as tmp:
            csv = Path(tmp) / "contacts.csv"
            lines = ["first_name,last_name,email"]
            lines += [f"Ada,Row{i},row{i}@example.com" for i in range(rows)]
            csv.write_text("\n".join(lines) + "\n")
            for n in PROCESSES:
                _stats(url, "/__reset", "POST")
                wall, summaries = _run(url, csv, redis.url, f"bench-{n}", n)
                span = float(_stats(url)["accepted_seconds"])
                done = sum(s.get("job", {}).get("process", {}).get("done", 0) for s in summaries)
                base = base or (wall, span)
                speedup, span_speedup = base[0] / wall, base[1] / span if span else 0.0
                section.table.append(
                    [
                        str(n),
                        fmt(rows),
                        f"{wall:.2f} s",
                        f"{speedup:.2f}×",
                        f"{span:.2f} s",
                        f"{span_speedup:.2f}×",
                        fmt(done),
                    ]
                )
                section.data[str(n)] = {"wall": wall, "span": span, "done": done}
                if n == PROCESSES[-1]:
                    section.goals.append(
                        Goal(
                            f"{n} processes finish one job ≥ {GOAL_SPEEDUP}× faster than 1 "
                            f"({LATENCY * 1000:.0f} ms latency, {IN_FLIGHT} in flight each)",
                            f"{speedup:.2f}× (wall), {span_speedup:.2f}× (server span)",
                            speedup >= GOAL_SPEEDUP and done == rows,
                        )
                    )
    finally:
        redis.stop()
    section.notes.append(
        f"Each run is `talkkit contacts import` of the same {fmt(rows)}-row file with "
        f"`--journal redis://… --concurrency {IN_FLIGHT}`, started 1, 2 or 4 times at once "
        f"against a server that answers after {LATENCY * 1000:.0f} ms. Wall time runs from "
        "starting the processes to the last one's exit (start-up included); the server span "
        "from its first to its last accepted create. 'done' adds up the processes' own rows: "
        "every row once."
    )
    return section


if __name__ == "__main__":
    main()
