"""
``python -m reliability._dial_many FILE --agent-id ID --journal DB [--concurrency N]
[--reconcile-grace S] [--redial-not-placed] [--wait --poll-interval S] [--results CSV]``: the
library's ``calls.dial_many`` over a CSV file of numbers, as a script that can be killed.

It is the library-level twin of ``talkkit calls dial`` in the dialing scenarios: the same job,
journal and rate limit, without the command line around it. The credentials and base URL come
from ``TALKOVER_TOKEN`` and ``TALKOVER_BASE_URL``; the summary is printed as JSON. With
``--results`` each outcome is written as it streams out of the job, in the columns of the
command line's results file, so the same per-row checks read both.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio

from reliability._truth import RESULTS_COLUMNS
from talkkit import AsyncTalkover
from talkkit.bulk import ItemOutcome

__all__ = ["dial", "main"]


def _line(outcome: ItemOutcome) -> tuple[object, ...]:
    duration = "" if outcome.duration is None else f"{outcome.duration:g}"
    return (
        outcome.index + 1,
        outcome.key,
        outcome.outcome.value,
        outcome.resource_id or "",
        outcome.status or "",
        duration,
        outcome.code or "",
        outcome.field or "",
        outcome.message or "",
    )


async def dial(
    path: Path,
    *,
    agent_id: str,
    journal: Path,
    concurrency: int,
    reconcile_grace: float = 60.0,
    redial_not_placed: bool = False,
    wait: bool = False,
    poll_interval: float = 5.0,
    results: Path | None = None,
) -> dict[str, Any]:
    """Dial every number of the CSV file ``path`` (a ``phone`` column) and return the summary."""
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    async with AsyncTalkover(
        os.environ["TALKOVER_TOKEN"],
        base_url=os.environ["TALKOVER_BASE_URL"],
        rate_limit="5000/s",  # the documented 100/min would make this an hour
    ) as client:
        job = client.calls.dial_many(
            rows,
            agent_id=agent_id,
            journal=journal,
            concurrency=concurrency,
            reconcile_grace=reconcile_grace,
            redial_not_placed=redial_not_placed,
            wait=wait,
            poll_interval=poll_interval,
        )
        if results is None:
            summary = await job.run()
        else:
            with results.open("w", newline="", encoding="utf-8") as file:
                writer = csv.writer(file)
                writer.writerow(RESULTS_COLUMNS)
                async with job.stream() as outcomes:
                    async for outcome in outcomes:
                        writer.writerow(_line(outcome))
            summary = job.summary
    return summary.to_dict()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the job; exit 0 when every number ended done or skipped, 1 otherwise."""
    parser = argparse.ArgumentParser(prog="python -m reliability._dial_many")
    parser.add_argument("file", type=Path)
    parser.add_argument("--agent-id", required=True)
    parser.add_argument("--journal", type=Path, required=True)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--reconcile-grace", type=float, default=60.0)
    parser.add_argument("--redial-not-placed", action="store_true")
    parser.add_argument("--wait", action="store_true")
    parser.add_argument("--poll-interval", type=float, default=5.0)
    parser.add_argument("--results", type=Path)
    options = parser.parse_args(argv)
    summary = anyio.run(
        lambda: dial(
            options.file,
            agent_id=options.agent_id,
            journal=options.journal,
            concurrency=options.concurrency,
            reconcile_grace=options.reconcile_grace,
            redial_not_placed=options.redial_not_placed,
            wait=options.wait,
            poll_interval=options.poll_interval,
            results=options.results,
        )
    )
    print(json.dumps(summary))
    settled = summary["done"] + summary["skipped"] == summary["total"]
    return 0 if settled and summary["aborted"] is None else 1


if __name__ == "__main__":
    raise SystemExit(main())
