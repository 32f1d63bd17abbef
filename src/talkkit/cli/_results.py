"""
``--results FILE.csv``: one line per input row, written as the outcomes arrive.

Lines come in the order rows finish (concurrent workers), not the input's; the ``row`` column
says which row each is — data rows counted from 1, as the summary, ``--json`` and the failures
table count them. Nothing is kept in memory: a million rows stay flat. A job shared through
Redis has one results file for the whole job, written by the process that finishes it last
(or by ``talkkit jobs status --results``), in row order.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import IO, Self

from talkkit.bulk import ItemOutcome, RedisJournal
from talkkit.cli._common import row_message, safe

__all__ = ["RESULTS_COLUMNS", "ResultsFile", "write_results"]

RESULTS_COLUMNS = ("row", "key", "outcome", "id", "status", "duration", "code", "field", "message")
"""The results file's header, in order."""

_FLUSH_EVERY = 1.0  # seconds: a killed run's file still holds what finished before the last second
_BUFFER = 1 << 16


class ResultsFile:
    """
    The results file of one run (created, or replaced when it exists). Use ``with``.

    Raises:
        OSError: When the file cannot be created (before anything is sent).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines = 0
        self._file: IO[str] = path.open("w", encoding="utf-8", newline="", buffering=_BUFFER)
        self._writer = csv.writer(self._file)
        self._writer.writerow(RESULTS_COLUMNS)
        self._flushed = time.monotonic()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._file.close()

    def write(self, outcome: ItemOutcome) -> None:
        """One row's line (cheap: buffered, flushed at most every second)."""
        row = outcome.index + 1
        duration = outcome.duration
        self._writer.writerow(
            (
                row,
                safe(outcome.key),
                outcome.outcome.value,
                outcome.resource_id or "",
                outcome.status or "",
                "" if duration is None else f"{duration:g}",
                outcome.code or "",
                safe(outcome.field or ""),
                row_message(row, outcome.message),
            )
        )
        self.lines += 1
        now = time.monotonic()
        if now - self._flushed >= _FLUSH_EVERY:
            self._file.flush()
            self._flushed = now


async def write_results(results: ResultsFile, journal: RedisJournal) -> None:
    """Write every finished row of a shared job (all processes'), in row order."""
    await journal.connect()
    try:
        async for outcome in journal.outcomes():
            results.write(outcome)
    finally:
        await journal.aclose()
