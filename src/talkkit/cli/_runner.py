"""
Running one bulk job from the command line: the CSV checks, progress, Ctrl-C, the report and
the exit status (0 all done or skipped, 1 something failed or is unknown, 2 usage, 130 Ctrl-C).
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import anyio
import attrs
import click

from talkkit._client import BaseClient
from talkkit._config import RateLimit
from talkkit.bulk import BulkJob, BulkSummary, CsvSource, Outcome, read_csv
from talkkit.cli._common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    CliUsageError,
    Traffic,
    console,
    effective_rate,
    format_rate,
    safe,
    unwrap_group,
)
from talkkit.cli._progress import (
    FAILURES_SHOWN,
    JobRow,
    Tracker,
    failures_table,
    outcome_counts,
    summary_table,
)
from talkkit.errors import InvalidRequestError, TalkkitError

__all__ = ["BulkOptions", "Interruptible", "JobKind", "run_bulk", "watch_signals"]

SUGGEST_JOURNAL_ROWS = 1_000  # without --journal, files this large get a tip
_FIELDS_KEPT = 10_000
_BAD = (Outcome.FAILED, Outcome.UNKNOWN)


@attrs.frozen(kw_only=True)
class JobKind:
    """What one bulk command needs to know about its job."""

    command: tuple[str, str]
    """The group (which names what the job makes, ``contacts``) and the command (``import``)."""
    rerun: str
    """What running it again without a journal does."""
    resume_unknown: str
    """What running it again with the same journal does with the items left unknown."""
    required: tuple[str | tuple[str, ...], ...]
    known: frozenset[str]
    credentials: tuple[str, ...]
    concurrency: int
    """The default of ``--concurrency``."""

    @property
    def label(self) -> str:
        """What the job makes, as the messages name it: the command's group."""
        return self.command[0]


@attrs.frozen(kw_only=True)
class BulkOptions:
    """The options every bulk command takes."""

    file: Path
    concurrency: int
    journal: Path | None
    retry_failed: bool
    rate_limit: RateLimit | None
    as_json: bool
    redis_url: str | None = None

    def open_source(self, kind: JobKind) -> tuple[CsvSource, int]:
        """
        The CSV file with its header checked, and its (estimated) number of rows.

        An empty or header-only file ends the command here (exit 0, zero items).
        """
        try:
            source = read_csv(self.file)
        except OSError as exc:
            raise CliUsageError(f"cannot read {self.file}: {exc.strerror or exc}") from None
        if source.empty:
            self._nothing(kind, f"{self.file} is empty: no header, no rows, nothing to do")
        try:
            ignored = source.check_columns(required=kind.required, known=kind.known)
        except InvalidRequestError as exc:
            raise CliUsageError(f"{self.file}: {exc.reason}") from None
        if ignored:
            click.echo(
                safe(
                    f"warning: {self.file}: ignored column(s) {', '.join(map(repr, ignored))}: "
                    f"not {kind.label} fields (custom fields are named custom.<name>)"
                ),
                err=True,
            )
        total = source.count_rows()
        if total == 0:
            self._nothing(kind, f"{self.file} has a header but no rows: nothing to do")
        return source, total

    def _nothing(self, kind: JobKind, message: str) -> None:
        click.echo(safe(message), err=True)
        if self.as_json:
            click.echo(json.dumps(_payload(kind, BulkSummary(), {}, False, 0.0, Traffic(), None)))
        raise SystemExit(EXIT_OK)

    def command_line(self, kind: JobKind, args: list[str]) -> str:
        """This command as typed again (to resume it): no credential is ever part of it."""
        argv = ["talkkit", *kind.command, str(self.file), *args]
        if self.concurrency != kind.concurrency:
            argv += ["--concurrency", str(self.concurrency)]
        if self.journal is not None:
            argv += ["--journal", str(self.journal)]
        if self.rate_limit is not None:
            unit = {1.0: "s", 60.0: "min", 3600.0: "h"}.get(self.rate_limit.period, "s")
            argv += ["--rate-limit", f"{self.rate_limit.limit:g}/{unit}"]
        if self.redis_url is not None and self.redis_url != os.environ.get("TALKKIT_REDIS_URL"):
            from talkkit._redis_url import redact_url

            argv += ["--redis-url", redact_url(self.redis_url)]  # never a password
        if self.as_json:
            argv.append("--json")
        return shlex.join(argv)


@attrs.define
class _Run:
    summary: BulkSummary = attrs.Factory(BulkSummary)
    interrupted: bool = False
    fields: dict[int, str] = attrs.Factory(dict)


def run_bulk(
    kind: JobKind,
    options: BulkOptions,
    source: CsvSource,
    total: int,
    make_client: Callable[[Traffic], BaseClient],
    make_job: Callable[[Any], BulkJob[Any]],
    args: list[str],
) -> None:
    """Run the job with progress, print the report and exit with the job's status."""
    human = console(stderr=options.as_json)
    traffic = Traffic()
    client = make_client(traffic)
    if options.journal is None and total >= SUGGEST_JOURNAL_ROWS:
        human.print(
            safe(
                f"tip: {total:,} rows and no --journal: an interrupted run could not be resumed. "
                f"Add --journal {kind.label}.db to make it resumable."
            ),
            style="dim",
            markup=False,
        )
    tracker = Tracker(human, mode="bar" if human.is_terminal else "lines")
    run = _Run()
    started = time.monotonic()
    try:
        with tracker:
            handle = tracker.add(kind.label, total)
            anyio.run(_drive, client, make_job, tracker, handle, run)
            if not run.interrupted:
                tracker.finish(handle)
    except KeyboardInterrupt:  # before the job could take over Ctrl-C: nothing was sent
        human.print("Interrupted before the job started: nothing was sent.")
        raise SystemExit(EXIT_INTERRUPTED) from None
    except BaseException as exc:
        _fail(unwrap_group(exc), options)
    seconds = time.monotonic() - started
    code = _report(kind, options, run, seconds, traffic, client, human, args)
    raise SystemExit(code)


async def _drive(
    client: BaseClient,
    make_job: Callable[[Any], BulkJob[Any]],
    tracker: Tracker,
    handle: int,
    run: _Run,
) -> None:
    async with client:
        check = getattr(client.limiter_store, "check", None)
        if check is not None:  # a shared (Redis) limiter: unreachable is a usage error, now
            await check()
        job = make_job(client)
        run.summary = job.summary
        async with anyio.create_task_group() as tg:
            with anyio.CancelScope() as scope:
                tg.start_soon(watch_signals, scope, run)
                async with job.stream() as outcomes:
                    async for outcome in outcomes:
                        bad = outcome.field and outcome.outcome in _BAD
                        if bad and len(run.fields) < _FIELDS_KEPT:
                            run.fields[outcome.index + 1] = str(outcome.field)
                        tracker.update(handle, job.summary)
            tg.cancel_scope.cancel()


class Interruptible(Protocol):
    """Whatever records that Ctrl-C was pressed."""

    interrupted: bool


async def watch_signals(scope: anyio.CancelScope, run: Interruptible) -> None:
    """Ctrl-C (or SIGTERM) stops the workers cleanly; a second one stops at once."""
    try:
        receiver = anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM)
    except NotImplementedError:  # pragma: no cover - platforms without signal support
        return
    with receiver as signals:
        async for _ in signals:
            if run.interrupted:
                os._exit(EXIT_INTERRUPTED)  # the journal survives even this
            run.interrupted = True
            scope.cancel()


def _fail(exc: BaseException, options: BulkOptions) -> None:
    if isinstance(exc, SystemExit | KeyboardInterrupt):
        raise exc
    if isinstance(exc, InvalidRequestError):  # includes a journal made for another job
        raise CliUsageError(str(exc)) from None
    if isinstance(exc, sqlite3.Error | OSError) and options.journal is not None:
        raise CliUsageError(f"cannot use the journal {options.journal}: {exc}") from None
    if isinstance(exc, TalkkitError):
        click.echo(safe(f"Error: {exc}"), err=True)
        raise SystemExit(EXIT_FAILED) from None
    raise exc


def _payload(
    kind: JobKind,
    summary: BulkSummary,
    fields: dict[int, str],
    interrupted: bool,
    seconds: float,
    traffic: Traffic,
    rate: RateLimit | None,
) -> dict[str, Any]:
    payload = summary.to_dict()
    for failure in payload["failures"]:
        failure["field"] = fields.get(failure["row"])
    payload.update(
        command=" ".join(kind.command),
        interrupted=interrupted,
        elapsed_seconds=round(seconds, 3),
        rate_limit=None if rate is None else format_rate(rate),
        requests=attrs.asdict(traffic),
    )
    return payload


def _report(
    kind: JobKind,
    options: BulkOptions,
    run: _Run,
    seconds: float,
    traffic: Traffic,
    client: BaseClient,
    human: Any,
    args: list[str],
) -> int:
    summary = run.summary
    rate = effective_rate(client)
    if options.as_json:
        payload = _payload(kind, summary, run.fields, run.interrupted, seconds, traffic, rate)
        click.echo(safe(json.dumps(payload)))
    else:
        human.print(summary_table([JobRow(kind.label, summary, seconds)]))
        human.print(safe(f"Requests: {traffic.describe()}."), markup=False)
        human.print(safe(f"Pacing: {_rate_origin(options, client, rate)}."), markup=False)
        failures = [f for f in summary.failures if f.code != "aborted"]
        listed = summary.failed + summary.unknown - (len(summary.failures) - len(failures))
        if failures:
            shown = min(len(failures), FAILURES_SHOWN)
            human.print(
                f"\nFailed or unknown {kind.label} (first {shown} of {listed:,}; "
                "rows count from the first data row):"
            )
            human.print(failures_table(failures, run.fields))
            if listed > shown:
                human.print("Run with --json for the full list.", style="dim")
    for line in _notes(kind, options, run, args):
        human.print(safe(line), markup=False, highlight=False, soft_wrap=True)
    if run.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if summary.ok else EXIT_FAILED


def _rate_origin(options: BulkOptions, client: BaseClient, rate: RateLimit | None) -> str:
    if options.rate_limit is not None:
        return f"{format_rate(rate)} (--rate-limit)"
    if rate is None:
        return "not paced (no limit published, none announced by the server)"
    if rate == client.dialect.default_rate_limit:
        return f"{format_rate(rate)} (the platform's documented limit)"
    return f"{format_rate(rate)} (learned from the server's X-RateLimit-Limit)"


def _notes(kind: JobKind, options: BulkOptions, run: _Run, args: list[str]) -> list[str]:
    summary = run.summary
    notes: list[str] = []
    command = options.command_line(kind, args)
    if summary.aborted:
        unsent = sum(1 for f in summary.failures if f.code == "aborted")
        reason = summary.aborted.removeprefix("stopped: ")
        notes.append(f"The job stopped early: {reason}")
        if unsent:
            notes.append(f"{unsent:,} {kind.label} were not sent because of that.")
        notes.append(f"Check the credentials ({', '.join(kind.credentials)}).")
        if options.journal is not None:
            notes.append(
                f"Then run again (rows that failed now are retried with --retry-failed):\n"
                f"  {command} --retry-failed"
            )
    if summary.unknown:
        settle = (
            f"running it again with the same --journal {kind.resume_unknown}"
            if options.journal is not None
            else "they are never re-sent automatically; check them before retrying"
        )
        notes.append(
            f"{summary.unknown:,} {kind.label} have an unknown outcome (sent, answer lost): "
            f"{settle}."
        )
    if run.interrupted:
        counts = ", ".join(f"{n:,} {name}" for name, n in outcome_counts(summary).items())
        notes.append(f"Interrupted: {summary.total:,} rows finished ({counts}).")
        if options.journal is not None:
            notes.append(f"The journal {options.journal} is saved. Resume with:\n  {command}")
        else:
            notes.append(
                f"No --journal was given, so this run cannot be resumed: running it again "
                f"{kind.rerun}. Next time add --journal {kind.label}.db."
            )
    return notes
