"""
Running one bulk job from the command line: the CSV checks, progress, Ctrl-C, the results file,
the report and the exit status (0 all done or skipped; 1 something failed, is unknown, was not
sent or not placed; 2 usage or a failed preflight, nothing sent; 130 Ctrl-C).
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import re
import shlex
import signal
import sqlite3
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager, nullcontext
from pathlib import Path
from typing import Any, Protocol

import anyio
import attrs
import click

from talkkit._client import BaseClient
from talkkit._config import RateLimit
from talkkit.bulk import BulkJob, BulkSummary, CsvSource, RedisJournal, read_csv
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
    statuses_table,
    summary_table,
)
from talkkit.cli._results import ResultsFile, write_results
from talkkit.errors import InvalidRequestError, PreflightError, TalkkitError

__all__ = [
    "LEASE",
    "BulkCommand",
    "BulkOptions",
    "Interruptible",
    "JobKind",
    "run_bulk",
    "watch_signals",
]

LEASE: float = inspect.signature(RedisJournal).parameters["lease"].default
"""The default of ``--lease`` (a shared job's claim lease), as `RedisJournal` declares it."""
SUGGEST_JOURNAL_ROWS = 1_000  # without --journal, files this large get a tip
_CREDENTIALS_REFUSED = re.compile(r"\b40[13]\b")  # a stop on 401/403: check the credentials


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
    not_placed: str = ""
    """
    Its ``not_placed`` items, as the note names them (``calls not placed: ... the call
    history did not show them``); empty: the job has none.
    """
    redo_not_placed: str = ""
    """The flag of a run with the same journal that sends its ``not_placed`` items again."""
    nothing: str = ""
    """What a run that found no item to process says (a job whose items come from elsewhere)."""

    @property
    def label(self) -> str:
        """What the job makes, as the messages name it: the command's group."""
        return self.command[0]


@attrs.frozen(kw_only=True)
class BulkOptions:
    """The options every bulk command takes (``file`` is ``None`` for one that reads none)."""

    file: Path | None
    concurrency: int
    journal: Path | str | None
    """The SQLite file, or the Redis URL of a shared job."""
    retry_failed: bool
    rate_limit: RateLimit | None
    as_json: bool
    redis_url: str | None = None
    results: Path | None = None
    no_preflight: bool = False
    job: str | None = None
    """A shared job's name (``--job``); ``None``: derived."""
    lease: float = attrs.field(default=LEASE)
    """A shared job's claim lease in seconds (``--lease``)."""

    def __attrs_post_init__(self) -> None:
        if self.job is not None and not self.shared:
            raise CliUsageError("--job names a shared job: it needs --journal redis://...")

    @property
    def shared(self) -> bool:
        """The job is shared through a Redis journal."""
        return isinstance(self.journal, str)

    @property
    def limiter_url(self) -> str | None:
        """Where the key's rate limit is shared: ``--redis-url``, else a Redis journal's URL."""
        if self.redis_url is None and isinstance(self.journal, str):
            return self.journal
        return self.redis_url

    @property
    def preflight(self) -> bool:
        """Check the credentials and the job's parents before the first row (``--no-preflight``)."""
        return not self.no_preflight

    def job_options(self) -> dict[str, Any]:
        """The keyword arguments every bulk job takes, from these options."""
        journal: Path | RedisJournal | None = None
        if isinstance(self.journal, str):
            journal = RedisJournal(self.journal, job=self.job, lease=self.lease)
        else:
            journal = self.journal
        return {
            "concurrency": self.concurrency,
            "journal": journal,
            "retry_failed": self.retry_failed,
            "preflight": self.preflight,
        }

    def open_source(self, kind: JobKind) -> tuple[CsvSource, int]:
        """
        The CSV file with its header checked, and its (estimated) number of rows.

        An empty or header-only file ends the command here (exit 0, zero items).
        """
        assert self.file is not None
        self._check_results()
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

    def _check_results(self) -> None:
        """``--results`` must not overwrite the input or the journal."""
        if self.results is None:
            return
        for other, what in ((self.file, "the input file"), (self.journal, "the journal")):
            if isinstance(other, Path) and _same_file(self.results, other):
                raise CliUsageError(f"--results {self.results} is {what}: name another file")

    def _nothing(self, kind: JobKind, message: str) -> None:
        click.echo(safe(message), err=True)
        if self.results is not None:
            with _open_results(self.results):
                pass  # the file exists, with its header and no row
        if self.as_json:
            payload = _payload(kind, self, BulkSummary(), False, 0.0, Traffic(), None)
            click.echo(json.dumps(payload))
        raise SystemExit(EXIT_OK)

    def command_line(self, kind: JobKind, args: list[str]) -> str:
        """This command as typed again (to resume it): no credential is ever part of it."""
        argv = ["talkkit", *kind.command, *([str(self.file)] if self.file else []), *args]
        if self.concurrency != kind.concurrency:
            argv += ["--concurrency", str(self.concurrency)]
        if isinstance(self.journal, str):
            from talkkit._redis_url import redact_url

            argv += ["--journal", redact_url(self.journal)]  # never a password
            argv += ["--job", self.job] if self.job is not None else []
            if self.lease != LEASE:
                argv += ["--lease", f"{self.lease:g}"]
        elif self.journal is not None:
            argv += ["--journal", str(self.journal)]
        if self.rate_limit is not None:
            unit = {1.0: "s", 60.0: "min", 3600.0: "h"}.get(self.rate_limit.period, "s")
            argv += ["--rate-limit", f"{self.rate_limit.limit:g}/{unit}"]
        if self.redis_url is not None and self.redis_url != os.environ.get("TALKKIT_REDIS_URL"):
            from talkkit._redis_url import redact_url

            argv += ["--redis-url", redact_url(self.redis_url)]  # never a password
        if self.no_preflight:
            argv.append("--no-preflight")
        if self.results is not None:
            argv += ["--results", str(self.results)]
        if self.as_json:
            argv.append("--json")
        return shlex.join(argv)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:  # pragma: no cover - an unresolvable path is not the same file
        return False


def _open_results(path: Path) -> ResultsFile:
    try:
        return ResultsFile(path)
    except OSError as exc:
        raise CliUsageError(
            f"cannot write the results file {path}: {exc.strerror or exc}"
        ) from None


@attrs.define
class _Run:
    summary: BulkSummary = attrs.Factory(BulkSummary)
    interrupted: bool = False
    results: ResultsFile | None = None
    job: BulkJob[Any] | None = None


@attrs.frozen(kw_only=True)
class BulkCommand:
    """
    One bulk command, ready to run.

    Attributes:
        kind: The command.
        options: The options every bulk command takes.
        total: The rows expected (for the progress bar), when known.
        make_client: The client, reporting to the traffic counter it is given.
        make_job: The job, given the open client.
        args: The command's own arguments, for the command line that resumes it.
        settings: How the user gave each setting a preflight checks, by the job's name for it
            (``{"company_id": "--company-id comp_1", "token": "TALKTURO_TOKEN"}``): what a
            failed preflight names.
        around: What runs for as long as the job does, in its event loop (a webhook
            receiver feeding it: ``calls dial --listen``).
    """

    kind: JobKind
    options: BulkOptions
    total: int | None
    make_client: Callable[[Traffic], BaseClient]
    make_job: Callable[[Any], BulkJob[Any]]
    args: list[str]
    settings: Mapping[str, str]
    around: Callable[[], AbstractAsyncContextManager[object]] | None = None


def run_bulk(command: BulkCommand) -> None:
    """Run the job with progress, print the report and exit with the job's status."""
    options = command.options
    with contextlib.ExitStack() as stack:
        run = _Run()
        if options.results is not None and not options.shared:
            # Before the client: a wrong path leaves nothing open. A shared job's is written
            # at the end, by the process that finishes the job last (`_job_results`).
            run.results = stack.enter_context(_open_results(options.results))
        code = _run_bulk(command, run)
    raise SystemExit(code)


def _run_bulk(command: BulkCommand, run: _Run) -> int:
    kind, options, total = command.kind, command.options, command.total
    human = console(stderr=options.as_json)
    traffic = Traffic()
    client = command.make_client(traffic)
    if options.journal is None and total is not None and total >= SUGGEST_JOURNAL_ROWS:
        human.print(
            safe(
                f"tip: {total:,} rows and no --journal: an interrupted run could not be resumed. "
                f"Add --journal {kind.label}.db to make it resumable."
            ),
            style="dim",
            markup=False,
        )
    tracker = Tracker(human, mode="bar" if human.is_terminal else "lines")
    started = time.monotonic()
    try:
        with tracker:
            handle = tracker.add(kind.label, total)
            job, around = command.make_job, command.around
            anyio.run(_drive, client, job, tracker, handle, run, options.results, around)
            if not run.interrupted:
                tracker.finish(handle)
    except KeyboardInterrupt:  # before the job could take over Ctrl-C: nothing was sent
        human.print("Interrupted before the job started: nothing was sent.")
        raise SystemExit(EXIT_INTERRUPTED) from None
    except BaseException as exc:
        _fail(unwrap_group(exc), options, command.settings)
    seconds = time.monotonic() - started
    return _report(kind, options, run, seconds, traffic, client, human, command.args)


async def _drive(
    client: BaseClient,
    make_job: Callable[[Any], BulkJob[Any]],
    tracker: Tracker,
    handle: int,
    run: _Run,
    results: Path | None,
    around: Callable[[], AbstractAsyncContextManager[object]] | None = None,
) -> None:
    async with client, (around or nullcontext)():
        check = getattr(client.limiter_store, "check", None)
        if check is not None:  # a shared (Redis) limiter: unreachable is a usage error, now
            await check()
        job = make_job(client)
        run.summary = job.summary
        run.job = job
        async with anyio.create_task_group() as tg:
            with anyio.CancelScope() as scope:
                tg.start_soon(watch_signals, scope, run)
                async with job.stream() as outcomes:
                    async for outcome in outcomes:
                        if run.results is not None:
                            run.results.write(outcome)
                        tracker.update(handle, job.summary)
            tg.cancel_scope.cancel()
        if results is not None and job.job_summary is not None:
            assert job.shared_journal is not None
            run.results = await _job_results(results, job.shared_journal)


async def _job_results(path: Path, journal: RedisJournal) -> ResultsFile:
    """A shared job's results file: every row of every process, in row order."""
    with _open_results(path) as results:
        await write_results(results, journal)
    return results


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


def _fail(exc: BaseException, options: BulkOptions, settings: Mapping[str, str]) -> None:
    if isinstance(exc, SystemExit | KeyboardInterrupt):
        raise exc
    if isinstance(exc, PreflightError):
        raise CliUsageError(preflight_message(exc, settings)) from None
    if isinstance(exc, InvalidRequestError):  # includes a journal made for another job
        raise CliUsageError(str(exc)) from None
    if isinstance(exc, sqlite3.Error | OSError) and options.journal is not None:
        raise CliUsageError(f"cannot use the journal {options.journal}: {exc}") from None
    if isinstance(exc, TalkkitError):
        click.echo(safe(f"Error: {exc}"), err=True)
        raise SystemExit(EXIT_FAILED) from None
    raise exc


def preflight_message(exc: PreflightError, settings: Mapping[str, str]) -> str:
    """
    What a failed preflight says: the flag (or variable) and the value it names, and why.

    ``settings`` says how the user gave each of the job's settings (``--company-id comp_1``);
    a token is named by its variable, never shown.
    """
    given = settings.get(exc.field)
    if given is None:
        given = (
            exc.field if exc.value is None or exc.field == "token" else f"{exc.field} {exc.value}"
        )
    return f"{given}: {exc.reason}. Nothing was sent (--no-preflight skips this check)."


def _payload(
    kind: JobKind,
    options: BulkOptions,
    summary: BulkSummary,
    interrupted: bool,
    seconds: float,
    traffic: Traffic,
    rate: RateLimit | None,
) -> dict[str, Any]:
    payload = summary.to_dict()
    payload.update(
        command=" ".join(kind.command),
        results=None if options.results is None else str(options.results),
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
    shared = run.job.shared_journal if run.job is not None else None
    label = kind.label
    if run.job is not None and shared is not None:
        label = f"{kind.label} (this process)"
        if run.job.job_summary is not None:  # finished last: the whole job's summary
            summary, label = run.job.job_summary, f"{kind.label} (job {shared.job}, all processes)"
    rate = effective_rate(client)
    if options.as_json:
        payload = _payload(kind, options, summary, run.interrupted, seconds, traffic, rate)
        if run.job is not None and shared is not None:
            payload["job"] = {
                "name": shared.job,
                "complete": run.job.complete,
                "last": run.job.last,
                "process": run.summary.to_dict(),
            }
        click.echo(safe(json.dumps(payload)))
    else:
        row = JobRow(label, summary, seconds)
        human.print(summary_table([row]))
        if summary.statuses:
            human.print(statuses_table([row], title="How the calls ended"))
        human.print(safe(f"Requests: {traffic.describe()}."), markup=False)
        human.print(safe(f"Pacing: {_rate_origin(options, client, rate)}."), markup=False)
        failures = summary.failures
        listed = summary.failed + summary.unknown + summary.not_placed
        if failures:
            shown = min(len(failures), FAILURES_SHOWN)
            what = "Failed, unknown or not placed" if summary.not_placed else "Failed or unknown"
            human.print(
                f"\n{what} {kind.label} (first {shown} of {listed:,}; "
                "rows count from the first data row):"
            )
            human.print(failures_table(failures))
            if listed > shown:
                more = "the results file" if options.results is not None else "--json"
                human.print(f"See {more} for the full list.", style="dim")
    if run.results is not None:
        human.print(
            safe(f"Results: {run.results.lines:,} rows written to {run.results.path}."),
            markup=False,
            highlight=False,
        )
    for line in _shared_notes(options, run) + _notes(kind, options, run, args):
        human.print(safe(line), markup=False, highlight=False, soft_wrap=True)
    if run.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if summary.ok else EXIT_FAILED


def _shared_notes(options: BulkOptions, run: _Run) -> list[str]:
    """Where a shared job stands, and who reports it."""
    job = run.job
    if job is None or job.shared_journal is None or not isinstance(options.journal, str):
        return []
    from talkkit._redis_url import redact_url

    name = job.shared_journal.job or ""
    status = shlex.join(
        ["talkkit", "jobs", "status", "--journal", redact_url(options.journal), "--job", name]
    )
    if job.job_summary is not None:
        own = ", ".join(f"{n:,} {what}" for what, n in outcome_counts(run.summary).items())
        return [
            f"Shared job {name}: complete. This process finished it last, so the summary is the "
            f"whole job's (this process: {run.summary.total:,} rows: {own or 'none'})."
        ]
    if job.complete:
        return [f"Shared job {name}: complete; another process reports it (or: {status})."]
    return [
        f"Shared job {name}: not complete yet (other processes are on it, or a re-run of the "
        f"same command finishes it); see: {status}"
    ]


def _stop_reason(aborted: str) -> str:
    """Why the job stopped, as the summary says it, without its frame."""
    return aborted.removeprefix("stopped: ").removesuffix(" (nothing more was sent)").rstrip(".")


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
    if kind.nothing and summary.total == 0 and not run.interrupted:
        notes.append(kind.nothing)
    if summary.aborted:
        reason = _stop_reason(summary.aborted)
        if summary.not_sent:
            again = (
                f":\n  {command}"
                if options.journal is not None
                else f" (without --journal, that {kind.rerun})."
            )
            notes.append(
                f"{summary.not_sent:,} rows not sent: the job stopped ({reason}); "
                f"run the same command again to send them{again}"
            )
        else:
            notes.append(f"The job stopped early: {reason}.")
        if _CREDENTIALS_REFUSED.search(reason):
            notes.append(f"Check the credentials ({', '.join(kind.credentials)}) first.")
    if summary.not_placed:
        flag = kind.redo_not_placed
        if options.journal is None:
            redo = "they are never sent again automatically"
        elif flag in args:
            redo = f"send them again with:\n  {command}"
        else:
            redo = f"send them again with:\n  {command} {flag}"
        notes.append(
            f"{summary.not_placed:,} {kind.not_placed} after the grace period "
            f"(--reconcile-grace); {redo}"
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
