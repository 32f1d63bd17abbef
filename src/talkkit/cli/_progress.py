"""
Progress and summaries of bulk jobs: a live rich bar on a terminal, plain periodic lines
elsewhere (logs, pipes, CI), and the final tables.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Literal, Self

import attrs

from talkkit.bulk import BulkSummary, Failure, Outcome
from talkkit.cli._common import row_message, safe

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, Task, TaskID
    from rich.table import Table
    from rich.text import Text

__all__ = [
    "FAILURES_SHOWN",
    "JobRow",
    "Tracker",
    "failures_table",
    "format_seconds",
    "outcome_counts",
    "statuses_table",
    "summary_table",
]

Mode = Literal["bar", "lines", "off"]
FAILURES_SHOWN = 20
_STYLES = {
    Outcome.DONE: "green",
    Outcome.SKIPPED: "yellow",
    Outcome.FAILED: "red",
    Outcome.UNKNOWN: "magenta",
    Outcome.NOT_SENT: "blue",
    Outcome.NOT_PLACED: "bright_red",
}
_ALWAYS_SHOWN = (Outcome.DONE, Outcome.SKIPPED, Outcome.FAILED, Outcome.UNKNOWN)
"""The outcomes a progress bar always shows; the others only once they happen."""


def outcome_counts(summary: BulkSummary) -> dict[str, int]:
    """How many items ended each way: every `Outcome`, in its order (they add up to the total)."""
    return {outcome.value: getattr(summary, outcome.value) for outcome in Outcome}


def format_seconds(seconds: float) -> str:
    """``"1h 02m 03s"``, ``"4m 05s"``, ``"7.5s"``: a talk time as people read it."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m {secs:02d}s" if hours else f"{minutes}m {secs:02d}s"


@attrs.define
class _Job:
    label: str
    total: int | None
    task: TaskID | None = None
    summary: BulkSummary = attrs.Factory(BulkSummary)
    started: float = attrs.Factory(time.monotonic)


class Tracker:
    """
    Shows the progress of one or more bulk jobs.

    Args:
        console: Where to draw.
        mode: ``bar`` (live rich bars, a terminal), ``lines`` (a plain line per job at most
            every ``interval`` seconds, and a last one), ``off``.
        interval: Seconds between plain lines.
    """

    def __init__(self, console: Console, *, mode: Mode, interval: float = 5.0) -> None:
        self.console = console
        self.mode = mode
        self.interval = interval
        self._jobs: list[_Job] = []
        self._progress: Progress | None = None
        self._last_line = time.monotonic()

    def __enter__(self) -> Self:
        if self.mode == "bar":
            self._progress = _make_progress(self.console)
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.refresh()
            self._progress.stop()
        elif self.mode == "lines" and (exc is None or any(j.summary.total for j in self._jobs)):
            self._print_lines()  # not for a job that failed before its first row (preflight)

    def add(self, label: str, total: int | None) -> int:
        """Start tracking a job; returns its handle for `update`."""
        job = _Job(label, total)
        if self._progress is not None:
            job.task = self._progress.add_task(
                label, total=total, counts=outcome_counts(job.summary)
            )
        self._jobs.append(job)
        return len(self._jobs) - 1

    def update(self, handle: int, summary: BulkSummary) -> None:
        """Show a job's running summary (cheap: call it after every outcome)."""
        job = self._jobs[handle]
        job.summary = summary
        if self._progress is not None and job.task is not None:
            total = job.total
            if total is not None and summary.total > total:
                total = job.total = summary.total  # the fast row count was an estimate
            self._progress.update(
                job.task,
                completed=summary.total,
                total=total,
                counts=outcome_counts(summary),
            )
        elif self.mode == "lines" and time.monotonic() - self._last_line >= self.interval:
            self._print_lines()

    def finish(self, handle: int) -> None:
        """The job ended: its bar shows the true total."""
        job = self._jobs[handle]
        job.total = job.summary.total
        if self._progress is not None and job.task is not None:
            self._progress.update(job.task, total=job.total, completed=job.total)

    def _print_lines(self) -> None:
        self._last_line = time.monotonic()
        for job in self._jobs:
            s = job.summary
            elapsed = max(time.monotonic() - job.started, 1e-6)
            of = f"/{job.total:,}" if job.total else ""
            pct = f" ({100 * s.total / job.total:.0f}%)" if job.total else ""
            counts = "".join(f" · {name} {n:,}" for name, n in outcome_counts(s).items())
            self.console.print(
                safe(f"{job.label}: {s.total:,}{of}{pct}{counts} · {s.total / elapsed:,.0f}/s"),
                markup=False,
            )


def _make_progress(console: Console) -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:>6,.0f}/s" if speed else "     …/s", style="cyan")

    class CountsColumn(ProgressColumn):
        """done / skipped / failed / unknown, then not_sent and not_placed once they happen."""

        def render(self, task: Task) -> Text:
            counts: dict[str, int] = task.fields["counts"]
            text = Text()
            for outcome in Outcome:
                n = counts.get(outcome.value, 0)
                if outcome in _ALWAYS_SHOWN or n:
                    width = 6 if outcome is Outcome.DONE else 4
                    text.append(f"{n:>{width},} {outcome.value}  ", style=_STYLES[outcome])
            return text

    return Progress(
        SpinnerColumn(finished_text="[green]✓[/]"),
        TextColumn("[bold]{task.description:<9}"),
        BarColumn(bar_width=28),
        MofNCompleteColumn(),
        CountsColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        console=console,
        refresh_per_second=8,
        speed_estimate_period=5.0,
    )


@attrs.frozen
class JobRow:
    """One line of the summary table: a job's name, summary and duration."""

    label: str
    summary: BulkSummary
    seconds: float


def summary_table(rows: Sequence[JobRow], *, title: str | None = None) -> Table:
    """Outcome counts per job, with the rate achieved (journal columns when a journal helped)."""
    from rich.table import Table

    table = Table(title=title, title_justify="left", title_style="bold")
    table.add_column("job", style="bold")
    journal = any(row.summary.from_journal for row in rows)
    columns = (
        ("total", ""),
        *((outcome.value, _STYLES[outcome]) for outcome in Outcome),
        ("from journal", "dim"),
        ("reconciled", "cyan"),
        ("time", ""),
        ("rate", "cyan"),
    )
    for name, style in columns:
        if name != "from journal" or journal:
            table.add_column(name, justify="right", style=style)
    for row in rows:
        s = row.summary
        cells = [
            safe(row.label),
            f"{s.total:,}",
            *(f"{n:,}" for n in outcome_counts(s).values()),
            *([f"{s.from_journal:,}"] if journal else []),
            f"{s.reconciled:,}",
            f"{row.seconds:.1f}s",
            f"{(s.total - s.from_journal) / max(row.seconds, 1e-6):,.0f}/s",
        ]
        table.add_row(*cells)
    return table


def statuses_table(rows: Sequence[JobRow], *, title: str | None = None) -> Table:
    """
    How the followed calls ended (``--wait``): the calls per final status, and the talk time.

    A status is as the API names it (``completed``, ``busy``, ``no-answer``…); columns appear
    in the order of the most frequent first.
    """
    from rich.table import Table

    totals: dict[str, int] = {}
    for row in rows:
        for status, n in row.summary.statuses.items():
            totals[status] = totals.get(status, 0) + n
    table = Table(title=title, title_justify="left", title_style="bold")
    table.add_column("job", style="bold")
    statuses = sorted(totals, key=lambda status: (-totals[status], status))
    for status in statuses:
        table.add_column(safe(status), justify="right")
    table.add_column("talk time", justify="right", style="cyan")
    for row in rows:
        s = row.summary
        table.add_row(
            safe(row.label),
            *(f"{s.statuses.get(status, 0):,}" for status in statuses),
            format_seconds(s.talk_time),
        )
    return table


def failures_table(failures: Sequence[Failure], *, limit: int = FAILURES_SHOWN) -> Table:
    """The first ``limit`` failed, unknown or not placed items: row, key, field, code, message."""
    from rich.table import Table

    table = Table(title_justify="left")
    for name in ("row", "key", "outcome", "field", "code"):
        table.add_column(name, no_wrap=True, justify="right" if name == "row" else "left")
    table.add_column("message", overflow="fold")
    for failure in failures[:limit]:
        table.add_row(
            str(failure.row),
            safe(failure.key),
            str(failure.outcome),
            safe(failure.field or ""),
            safe(failure.code or ""),
            row_message(failure.row, failure.message),
        )
    return table
