"""
``python -m reliability._dial_many FILE --agent-id ID --journal DB [--concurrency N]``: the
library's ``calls.dial_many`` over a CSV file of numbers, as a script that can be killed.

It is the library-level twin of ``talkkit calls dial`` in the dialing kill-and-resume scenario:
the same job, journal and rate limit, without the command line around it. The credentials and
base URL come from ``TALKOVER_TOKEN`` and ``TALKOVER_BASE_URL``; the summary is printed as JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
from collections.abc import Sequence
from pathlib import Path

import anyio

from talkkit import AsyncTalkover

__all__ = ["dial", "main"]


async def dial(path: Path, *, agent_id: str, journal: Path, concurrency: int) -> dict[str, object]:
    """Dial every number of the CSV file ``path`` (a ``phone`` column) and return the summary."""
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    async with AsyncTalkover(
        os.environ["TALKOVER_TOKEN"],
        base_url=os.environ["TALKOVER_BASE_URL"],
        rate_limit="5000/s",  # the documented 100/min would make this an hour
    ) as client:
        summary = await client.calls.dial_many(
            rows, agent_id=agent_id, journal=journal, concurrency=concurrency
        )
    return summary.to_dict()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the job; exit 0 when every number ended done or skipped, 1 otherwise."""
    parser = argparse.ArgumentParser(prog="python -m reliability._dial_many")
    parser.add_argument("file", type=Path)
    parser.add_argument("--agent-id", required=True)
    parser.add_argument("--journal", type=Path, required=True)
    parser.add_argument("--concurrency", type=int, default=8)
    options = parser.parse_args(argv)
    summary = anyio.run(
        lambda: dial(
            options.file,
            agent_id=options.agent_id,
            journal=options.journal,
            concurrency=options.concurrency,
        )
    )
    print(json.dumps(summary))
    return 0 if summary["failed"] == summary["unknown"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
