"""
``talkkit jobs status``: where a bulk job shared through Redis stands, from any host — its
rows loaded, finished and in progress, the processes on it, and its job-wide summary.
"""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import click

from talkkit.bulk import JobStatus, RedisJournal
from talkkit.cli._common import EXIT_FAILED, EXIT_OK, CliUsageError, console, safe
from talkkit.cli._progress import FAILURES_SHOWN, JobRow, failures_table, summary_table
from talkkit.cli._results import ResultsFile, write_results
from talkkit.errors import ConfigurationError, TalkkitError

__all__ = ["jobs"]


@click.group()
def jobs() -> None:
    """Bulk jobs shared by many processes or hosts through Redis."""


@jobs.command("status")
@click.option(
    "--journal",
    required=True,
    metavar="redis://HOST:PORT/DB",
    help="The Redis journal of the job (the --journal the job's processes were given).",
)
@click.option(
    "--job", "name", required=True, metavar="NAME", help="The job's name, as its runs print it."
)
@click.option(
    "--results",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.csv",
    help="Write one line per finished row of the whole job, in row order.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
def status(journal: str, name: str, results: Path | None, as_json: bool) -> None:
    """
    Show a shared job: rows loaded, finished, in progress; live processes; job-wide outcomes.

    Exit status 0 when the job is complete and every row ended done or skipped, 1 otherwise.
    """
    try:
        reader = RedisJournal(journal, job=name)
    except (ConfigurationError, ImportError) as exc:
        raise CliUsageError(str(exc)) from None
    try:
        found = anyio.run(_read, reader, results)
    except TalkkitError as exc:
        raise CliUsageError(str(exc)) from None
    if found is None:
        raise CliUsageError(f"no job {name!r} in {reader!r}")
    _print(found, results, as_json)
    ok = found.complete and found.summary.ok
    raise SystemExit(EXIT_OK if ok else EXIT_FAILED)


async def _read(reader: RedisJournal, results: Path | None) -> JobStatus | None:
    await reader.connect()
    try:
        if not await reader.exists():
            return None
        found = await reader.status()
    finally:
        await reader.aclose()
    if results is not None:
        with ResultsFile(results) as file:
            await write_results(file, reader)
    return found


def _print(found: JobStatus, results: Path | None, as_json: bool) -> None:
    summary = found.summary
    if as_json:
        payload = summary.to_dict()
        payload.update(
            job=found.job,
            kind=found.kind,
            scope=dict(found.scope),
            loaded=found.loaded,
            rows=found.total,
            open=found.open,
            in_progress=found.leased,
            workers=found.workers,
            complete=found.complete,
        )
        click.echo(safe(json.dumps(payload)))
        return
    out = console()
    rows = f"{found.total:,} rows" if found.total is not None else "rows still loading"
    state = "complete" if found.complete else f"{found.open:,} rows open ({found.leased:,} claimed)"
    out.print(
        safe(f"Job {found.job} ({found.kind}): {rows}; {state}; {found.workers} processes on it."),
        markup=False,
    )
    out.print(summary_table([JobRow(found.job, summary, 0.0)]))
    if summary.failures:
        shown = min(len(summary.failures), FAILURES_SHOWN)
        out.print(f"\nFailed, unknown or not placed (first {shown}):")
        out.print(failures_table(summary.failures))
    if results is not None:
        out.print(safe(f"Results: written to {results}."), markup=False)
