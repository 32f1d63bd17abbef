"""
Section 4: use of a server's rate limit by a 64-worker import.

The server enforces 1,800 requests/min per token (a token bucket holding 1,800, refilled at
30/s, like the emulator), sends ``X-RateLimit-Limit`` / ``-Remaining`` on every answer and 429
+ ``Retry-After`` when the bucket is empty. Each contender gets its own token (a full bucket)
and runs for a fixed time; the server counts what it accepted and refused.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from benchmarks._common import Goal, Scale, Section, fmt, save_chart
from benchmarks.contenders import contact_payload
from benchmarks.server import ServerProcess

__all__ = ["run_rate_limit"]

LIMIT, PERIOD, WORKERS = 1800, 60.0, 64
GOAL_USE, GOAL_429 = 0.95, 0.01
Worker = Callable[[int], Awaitable[bool]]  # one create; True when it was accepted


def _control(url: str, path: str) -> dict[str, object]:
    method = "POST" if path == "/__reset" else "GET"
    with urllib.request.urlopen(urllib.request.Request(url + path, method=method)) as answer:
        result: dict[str, object] = json.loads(answer.read())
    return result


async def _drive(send: Worker, seconds: float) -> list[float]:
    """Run WORKERS workers until ``seconds`` have passed; times (s) of accepted creates."""
    started = time.monotonic()
    accepted: list[float] = []
    counter = iter(range(10**9))

    async def worker() -> None:
        for i in counter:
            if await send(i):
                accepted.append(time.monotonic() - started)

    try:
        async with asyncio.timeout(seconds):
            await asyncio.gather(*(worker() for _ in range(WORKERS)))
    except TimeoutError:
        pass
    return accepted


async def _talkkit(url: str, seconds: float) -> list[float]:
    from talkkit import AsyncTalkturo
    from talkkit.errors import TalkkitError

    async with AsyncTalkturo("rl-talkkit", base_url=url + "/api", team_id="team_1") as client:

        async def send(i: int) -> bool:
            try:
                await client.contacts.create(
                    "Ada", f"Lovelace{i}", company_id="co_1", email=f"user{i}@example.com"
                )
            except TalkkitError:  # e.g. RateLimitError once its retries are spent
                return False
            return True

        return await _drive(send, seconds)


async def _reactive(url: str, seconds: float) -> list[float]:
    from tenacity import AsyncRetrying, retry_if_result, stop_after_attempt

    def wait(state: object) -> float:
        response = state.outcome.result()  # type: ignore[attr-defined]
        return float(response.headers.get("retry-after", "1"))

    headers = {"Authorization": "Bearer rl-reactive"}
    async with httpx.AsyncClient(base_url=url) as client:

        async def send(i: int) -> bool:
            retrying = AsyncRetrying(
                retry=retry_if_result(lambda r: r.status_code == 429),
                wait=wait,
                stop=stop_after_attempt(50),
                retry_error_callback=lambda state: state.outcome.result(),  # type: ignore[union-attr]
            )
            response: httpx.Response = await retrying(
                client.post, "/api/crm/contacts", json=contact_payload(i), headers=headers
            )
            return response.status_code < 400

        return await _drive(send, seconds)


def _steady(accepted: list[float], seconds: float) -> tuple[float | None, float | None]:
    """When the full bucket was first used up (accepted caught up with allowed), and the
    accepted rate from then on (``None`` when that never happened or too late to tell)."""
    rate = LIMIT / PERIOD
    times = sorted(accepted)
    for i, t in enumerate(times):
        if i + 1 >= LIMIT + rate * t - 5:
            if seconds - t < 2:
                return t, None
            return t, (len(times) - i - 1) / (seconds - t)
    return None, None


CONTENDERS = {
    "talkkit (proactive limiter, default transport)": _talkkit,
    "reactive baseline (tenacity retry-on-429 around raw httpx)": _reactive,
}


async def run_rate_limit(scale: Scale, out: Path, charts: bool) -> Section:
    """Achieved rate as a share of what the server allowed, and the share of 429 answers."""
    seconds = scale.rate_limit_seconds
    rate = LIMIT / PERIOD
    allowed = LIMIT + rate * seconds  # the bucket starts full, then refills
    section = Section("rate_limit", "4. Rate-limit use (1,800 requests/min per token, 64 workers)")
    section.table.append(
        [
            "client",
            "accepted (201)",
            "refused (429)",
            "% of allowed",
            "% answered 429",
            "bucket first empty at",
            "rate after that (% of 30/s)",
        ]
    )
    timelines: dict[str, list[float]] = {}
    with ServerProcess(rate_limit=LIMIT) as server:
        for name, run in CONTENDERS.items():
            _control(server.url, "/__reset")
            accepted = await run(server.url, seconds)
            counts = _control(server.url, "/__stats")["counts"]
            assert isinstance(counts, dict)
            ok, refused = int(counts.get("201", 0)), int(counts.get("429", 0))
            use, bounced = ok / allowed, refused / max(ok + refused, 1)
            empty, steady = _steady(accepted, seconds)
            section.table.append(
                [
                    name,
                    fmt(ok),
                    fmt(refused),
                    f"{use:.1%}",
                    f"{bounced:.2%}",
                    "never" if empty is None else f"{empty:.1f} s",
                    "" if steady is None else f"{steady:.1f}/s ({steady / rate:.0%})",
                ]
            )
            section.data[name] = {"accepted": ok, "refused": refused, "steady": steady}
            timelines[name] = accepted
            if name.startswith("talkkit"):
                section.goals.append(
                    Goal(
                        f"rate-limit use ≥ {GOAL_USE:.0%} of allowed",
                        f"{use:.1%}",
                        use >= GOAL_USE,
                    )
                )
                section.goals.append(
                    Goal(f"≤ {GOAL_429:.0%} answered 429", f"{bounced:.2%}", bounced <= GOAL_429)
                )
    section.notes.append(
        f"One run of {seconds:g} s per client (a count over thousands of requests, not a "
        f"timing; the bucket is per token, so each starts full): allowed = {fmt(LIMIT)} + "
        f"30/s × {seconds:g} s = {fmt(allowed)}. Counts are the server's. Workers are "
        "cancelled at the deadline. talkkit's Talkturo client publishes no default limit: it "
        "learns 1,800/min from the headers. Unsafe creates are retried on 429 by both."
    )
    if charts:
        section.charts.append(_chart(timelines, seconds, out))
    return section


def _chart(timelines: dict[str, list[float]], seconds: float, out: Path) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.6))
    for name, times in timelines.items():
        ax.plot(sorted(times), range(1, len(times) + 1), label=name)
    ax.plot(
        [0, seconds], [LIMIT, LIMIT + LIMIT / PERIOD * seconds], "k--", label="allowed (cumulative)"
    )
    ax.set_xlabel("seconds")
    ax.set_ylabel("accepted creates (cumulative)")
    ax.set_title("Rate-limit use: accepted requests over time")
    return save_chart(fig, out, "rate_limit.png")
