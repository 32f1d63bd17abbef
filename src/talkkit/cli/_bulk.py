"""
The bulk commands: ``talkkit contacts import``, ``talkkit companies import`` and
``talkkit calls dial``. Each reads a CSV file whose header names the SDK's snake_case fields and
runs one bulk job over it (see `talkkit.cli._runner` for progress, Ctrl-C and the report).
``talkkit calls reconcile`` looks a dial journal's unclear calls up in the call history.
"""

from __future__ import annotations

import inspect
import json
import os
import sqlite3
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import click

from talkkit.cli._common import CliUsageError, parse_journal, parse_rate_limit
from talkkit.cli._listen import SECRET_ENV, Listener, parse_listen
from talkkit.cli._runner import LEASE, BulkCommand, BulkOptions, JobKind, run_bulk
from talkkit.errors import ConfigurationError
from talkkit.talkover.calls import DIAL_COLUMNS, Calls
from talkkit.talkturo.companies import IMPORT_COLUMNS as COMPANY_COLUMNS
from talkkit.talkturo.contacts import IMPORT_COLUMNS as CONTACT_COLUMNS

__all__ = ["calls", "companies", "contacts"]

_TALKTURO = ("TALKTURO_TOKEN", "TALKTURO_BASE_URL")

CONTACTS = JobKind(
    command=("contacts", "import"),
    rerun="sends every row again; contacts that already exist are skipped",
    resume_unknown=(
        "sends those with an email or phone again (the API refuses a duplicate, so a 409 "
        "shows it was stored); the others are never re-sent: check them before retrying"
    ),
    required=("first_name", "last_name"),
    known=CONTACT_COLUMNS,
    credentials=_TALKTURO,
    concurrency=16,
)
COMPANIES = JobKind(
    command=("companies", "import"),
    rerun="sends every row again; the API may refuse (409) or duplicate companies that exist",
    resume_unknown=(
        "looks them up by name; those still not found end not placed (--retry-failed creates them)"
    ),
    required=("name",),
    known=COMPANY_COLUMNS,
    credentials=_TALKTURO,
    concurrency=8,
    not_placed="companies not created: their answer was lost and a search by name did not "
    "find them",
    redo_not_placed="--retry-failed",
)
CALLS = JobKind(
    command=("calls", "dial"),
    rerun="would call every number again",
    resume_unknown=(
        "looks them up in the call history again (so does talkkit calls reconcile --journal); "
        "those not found are never dialled again: check them before retrying"
    ),
    required=(("phone", "phone_number"),),
    known=DIAL_COLUMNS,
    credentials=("TALKOVER_TOKEN",),
    concurrency=8,
    not_placed="calls not placed: their answer was lost and the call history did not show them",
    redo_not_placed="--redial-not-placed",
)
RECONCILE = JobKind(
    command=("calls", "reconcile"),
    rerun="looks the calls up again (it never places one)",
    resume_unknown="looks them up again",
    required=(),
    known=frozenset(),
    credentials=CALLS.credentials,
    concurrency=CALLS.concurrency,
    not_placed=CALLS.not_placed,
    redo_not_placed=CALLS.redo_not_placed,
    nothing="The journal has no call left unknown: nothing to look up.",
)


def _dial_default(name: str) -> Any:
    """A dial job's default, as `Calls.dial_many` declares it (stated there, once)."""
    return inspect.signature(Calls.dial_many).parameters[name].default


_RECONCILE_GRACE: float = _dial_default("reconcile_grace")


def _seconds_option(
    name: str, *, minimum: float, default: float, help: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A duration option: ``SECONDS`` of at least ``minimum``, its default shown."""
    return click.option(
        name,
        type=click.FloatRange(minimum),
        default=default,
        show_default=True,
        metavar="SECONDS",
        help=help,
    )


_reconcile_grace_option = _seconds_option(
    "--reconcile-grace",
    minimum=0.0,
    default=_RECONCILE_GRACE,
    help="How long after its attempt an item whose answer was lost is looked up once more "
    "(a call in the call history, a company by name) before it counts as not placed.",
)


def _grace_args(reconcile_grace: float) -> list[str]:
    """``--reconcile-grace`` as typed again (to resume), when not the default."""
    if reconcile_grace == _RECONCILE_GRACE:
        return []
    return ["--reconcile-grace", f"{reconcile_grace:g}"]


_TEAM_ENV = "TALKTURO_TEAM_ID"
_team_option = click.option("--team-id", envvar=_TEAM_ENV, help=f"The team (default: {_TEAM_ENV}).")


_rate_limit_option = click.option(
    "--rate-limit",
    callback=parse_rate_limit,
    metavar="N/s|N/min|N/h",
    help="The key's known limit (e.g. 600/min); default: the platform's "
    "documented limit, then what the server's X-RateLimit headers say.",
)
_redis_url_option = click.option(
    "--redis-url",
    envvar="TALKKIT_REDIS_URL",
    metavar="URL",
    help="Share the key's rate limit with other processes or hosts through "
    "Redis (default: TALKKIT_REDIS_URL; needs talkkit[redis]).",
)
_json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON summary on stdout (progress goes to stderr).",
)


def _bulk_options(kind: JobKind) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The FILE argument and the options every bulk command takes."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(
            (
                click.argument(
                    "file", type=click.Path(exists=True, dir_okay=False, path_type=Path)
                ),
                click.option(
                    "--concurrency",
                    default=kind.concurrency,
                    show_default=True,
                    type=click.IntRange(1, 1000),
                    help="Requests in flight at most.",
                ),
                click.option(
                    "--journal",
                    callback=parse_journal,
                    metavar="FILE|redis://HOST:PORT/DB",
                    help="SQLite file recording each row's outcome; re-run with it to resume. "
                    "A Redis URL shares the job with every process or host that runs the same "
                    "command (see --job, --lease).",
                ),
                click.option(
                    "--job",
                    metavar="NAME",
                    help="With a Redis --journal: the job's name (default: derived from the "
                    "command, its parameters and the input file's content).",
                ),
                _seconds_option(
                    "--lease",
                    minimum=1.0,
                    default=LEASE,
                    help="With a Redis --journal: how long a row stays claimed by a process "
                    "that stopped renewing it (one that died) before another takes it over.",
                ),
                click.option(
                    "--retry-failed",
                    is_flag=True,
                    help="With --journal: send rows that failed in an earlier run again.",
                ),
                _rate_limit_option,
                _redis_url_option,
                click.option(
                    "--results",
                    type=click.Path(dir_okay=False, path_type=Path),
                    metavar="FILE.csv",
                    help="Write one line per input row (row, key, outcome, id, status, "
                    "duration, code, field, message) as the rows finish.",
                ),
                click.option(
                    "--no-preflight",
                    is_flag=True,
                    help="Skip the check of the credentials and of the job's team, company or "
                    "agent before the first row.",
                ),
                _json_option,
            )
        ):
            command = option(command)
        return command

    return decorate


def _require_env(*names: str) -> None:
    for name in names:
        if not (os.environ.get(name) or "").strip():
            what = "API token" if "TOKEN" in name else "API base URL (including /api)"
            raise CliUsageError(f"{name} is not set: it must hold your account's {what}")


def _client(factory: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return factory(**kwargs)
    except ConfigurationError as exc:
        raise CliUsageError(str(exc)) from None


def _dial_scope(journal: Path) -> tuple[str, str]:
    """The agent id and the base URL a ``calls dial`` journal was made for."""
    # The journal's own record of its job (`talkkit.bulk.Journal` keeps it in its meta table
    # and offers no reader of it), opened read-only: a wrong file is never changed.
    try:
        db = sqlite3.connect(f"{journal.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT value FROM meta WHERE name = 'scope'").fetchone()
        finally:
            db.close()
        scope = json.loads(row[0]) if row else {}
    except (sqlite3.Error, ValueError):
        scope = {}
    if not isinstance(scope, dict) or not {"agent_id", "base_url"} <= scope.keys():
        raise CliUsageError(f"{journal} is not a calls dial journal (talkkit calls dial --journal)")
    return str(scope["agent_id"]), str(scope["base_url"])


def _launch(
    kind: JobKind,
    options: BulkOptions,
    total: int | None,
    factory: Callable[..., Any],
    job: Callable[[Any, dict[str, Any]], Any],
    args: list[str],
    settings: dict[str, str],
    around: Callable[[], AbstractAsyncContextManager[object]] | None = None,
    **client_options: Any,
) -> None:
    """
    Run one bulk command: its client, its job (given the options every job takes), the
    arguments that resume it, and how its settings were given (what a failed preflight names).
    """
    run_bulk(
        BulkCommand(
            kind=kind,
            options=options,
            total=total,
            make_client=lambda traffic: _client(
                factory,
                **client_options,
                **traffic.client_options(options.rate_limit, options.limiter_url),
            ),
            make_job=lambda client: job(client, options.job_options()),
            args=args,
            settings={"token": kind.credentials[0], **settings},
            around=around,
        )
    )


def _team(team_id: str | None) -> str:
    if not team_id:
        raise CliUsageError(f"--team-id is required (or set {_TEAM_ENV})")
    return team_id


def _team_setting(team: str) -> str:
    """How the team was given: ``--team-id T``, or ``TALKTURO_TEAM_ID=T`` from the environment."""
    source = click.get_current_context().get_parameter_source("team_id")
    if source is click.core.ParameterSource.ENVIRONMENT:
        return f"{_TEAM_ENV}={team}"
    return f"--team-id {team}"


# -- talkkit contacts import ---------------------------------------------------------------


@click.group()
def contacts() -> None:
    """Talkturo CRM contacts."""


@contacts.command("import")
@_team_option
@click.option("--company-id", help="Company of rows without a company_id column.")
@_bulk_options(CONTACTS)
def import_contacts(team_id: str | None, company_id: str | None, **values: Any) -> None:
    """
    Create a Talkturo contact for each row of FILE (a CSV file).

    The header names the fields: first_name, last_name (required), email, phone, job_title,
    lead_status, tags (separated by ;), company_id, custom.<name>... A contact whose email
    or phone already exists is skipped. Credentials: TALKTURO_TOKEN, TALKTURO_BASE_URL.
    """
    from talkkit.talkturo import AsyncTalkturo

    options = BulkOptions(**values)
    source, total = options.open_source(CONTACTS)
    if company_id is None and "company_id" not in source.header:
        raise CliUsageError("--company-id is required (or a company_id column in the file)")
    team = _team(team_id)
    _require_env(*CONTACTS.credentials)
    args = ["--team-id", team, *(["--company-id", company_id] if company_id else [])]
    settings = {"team_id": _team_setting(team)}
    if company_id:
        settings["company_id"] = f"--company-id {company_id}"

    def job(client: AsyncTalkturo, common: dict[str, Any]) -> Any:
        return client.contacts.import_many(source, team_id=team, company_id=company_id, **common)

    _launch(CONTACTS, options, total, AsyncTalkturo, job, args, settings, team_id=team)


# -- talkkit companies import -----------------------------------------------------------------


@click.group()
def companies() -> None:
    """Talkturo CRM companies."""


@companies.command("import")
@_team_option
@_reconcile_grace_option
@_bulk_options(COMPANIES)
def import_companies(team_id: str | None, reconcile_grace: float, **values: Any) -> None:
    """
    Create a Talkturo company for each row of FILE (a CSV file).

    The header names the fields: name (required), website, industry, company_size, city,
    country, phone, custom.<name>... Credentials: TALKTURO_TOKEN, TALKTURO_BASE_URL.
    """
    from talkkit.talkturo import AsyncTalkturo

    options = BulkOptions(**values)
    source, total = options.open_source(COMPANIES)
    team = _team(team_id)
    _require_env(*COMPANIES.credentials)

    def job(client: AsyncTalkturo, common: dict[str, Any]) -> Any:
        return client.companies.import_many(
            source, team_id=team, reconcile_grace=reconcile_grace, **common
        )

    args = ["--team-id", team, *_grace_args(reconcile_grace)]
    settings = {"team_id": _team_setting(team)}
    _launch(COMPANIES, options, total, AsyncTalkturo, job, args, settings, team_id=team)


# -- talkkit calls dial ---------------------------------------------------------------------


@click.group()
def calls() -> None:
    """Talkover outbound calls."""


@calls.command("dial")
@click.option("--agent-id", required=True, help="The published agent that places the calls.")
@click.option(
    "--wait",
    is_flag=True,
    help="Follow every placed call to its end through the call history; the summary adds the "
    "final statuses and the total talk time.",
)
@click.option(
    "--listen",
    callback=parse_listen,
    metavar="[HOST:]PORT",
    help="With --wait: receive the agent's webhooks on this address (host 127.0.0.1 unless "
    "given) and take each call's outcome from its final event as it arrives; the call history "
    "is then read every 30 s only, for calls whose webhook never came.",
)
@click.option(
    "--webhook-secret",
    envvar=SECRET_ENV,
    metavar="SECRET",
    help=f"With --listen: the webhook_secret of the agent's webhook (default: {SECRET_ENV}).",
)
@_reconcile_grace_option
@click.option(
    "--redial-not-placed",
    is_flag=True,
    help="With --journal: dial again the numbers an earlier run reported not_placed.",
)
@_bulk_options(CALLS)
def dial(
    agent_id: str,
    wait: bool,
    listen: tuple[str, int] | None,
    webhook_secret: str | None,
    reconcile_grace: float,
    redial_not_placed: bool,
    **values: Any,
) -> None:
    """
    Call each number in the phone column of FILE (a CSV file) with one Talkover agent.

    Numbers are E.164 (+12025551234); optional columns delay_seconds and is_testing; custom.<name>
    columns become the call's payload. No number is ever called twice, even across re-runs with
    the same --journal. Credentials: TALKOVER_TOKEN (and TALKOVER_BASE_URL for another server).

    With --wait --listen, the calls' outcomes come from the agent's webhooks as they arrive
    (register the printed URL on the agent, events event_phone_call_ended,
    event_phone_call_did_not_connect, event_phone_call_error, with --webhook-secret).
    """
    from talkkit.talkover import AsyncTalkover

    options = BulkOptions(**values)
    if redial_not_placed and options.journal is None:
        raise CliUsageError(
            "--redial-not-placed needs --journal: it dials the numbers that journal reports "
            "not_placed"
        )
    source, total = options.open_source(CALLS)
    _require_env(*CALLS.credentials)
    if not agent_id.strip():
        raise CliUsageError("--agent-id must not be empty")
    if listen is not None and not wait:
        raise CliUsageError("--listen takes the outcomes of --wait: add --wait")
    dialing = _dial_options(wait, reconcile_grace, redial_not_placed)
    listener = None if listen is None else Listener.bind(listen, webhook_secret)
    if listener is not None:
        dialing["call_ends"] = listener.feed
        click.echo(listener.announce(), err=True)

    def job(client: AsyncTalkover, common: dict[str, Any]) -> Any:
        return client.calls.dial_many(source, agent_id=agent_id, **common, **dialing)

    args = ["--agent-id", agent_id, *_dial_args(wait, reconcile_grace, redial_not_placed)]
    if listen is not None:
        host = f"[{listen[0]}]" if ":" in listen[0] else listen[0]
        args += ["--listen", f"{host}:{listen[1]}"]  # the secret: given again, never shown
    settings = {"agent_id": f"--agent-id {agent_id}"}
    try:
        _launch(
            CALLS,
            options,
            total,
            AsyncTalkover,
            job,
            args,
            settings,
            around=None if listener is None else listener.serving(),
        )
    finally:
        if listener is not None:
            listener.close()


def _dial_options(wait: bool, reconcile_grace: float, redial_not_placed: bool) -> dict[str, Any]:
    """The dial job's own keyword arguments."""
    return {
        "wait": wait,
        "reconcile_grace": reconcile_grace,
        "redial_not_placed": redial_not_placed,
    }


def _dial_args(wait: bool, reconcile_grace: float, redial_not_placed: bool) -> list[str]:
    """The same options as typed again (to resume)."""
    args = ["--wait", *_grace_args(reconcile_grace)] if wait else _grace_args(reconcile_grace)
    if redial_not_placed:
        args.append("--redial-not-placed")
    return args


@calls.command("reconcile")
@click.option(
    "--journal",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The journal of a `talkkit calls dial --journal` run (a Redis job reconciles its "
    "unclear calls itself: run the same calls dial again).",
)
@_reconcile_grace_option
@_rate_limit_option
@_redis_url_option
@_json_option
def reconcile(
    journal: Path,
    reconcile_grace: float,
    rate_limit: Any,
    redis_url: str | None,
    as_json: bool,
) -> None:
    """
    Look up in the call history the calls a `calls dial --journal` run left unknown.

    Found: done, with its call id. Not found once --reconcile-grace seconds have passed since
    its attempt: not_placed (a `calls dial` run with this journal and --redial-not-placed dials
    it). No call is ever placed. The agent and the base URL come from the journal; the token
    from TALKOVER_TOKEN.
    """
    from talkkit.talkover import AsyncTalkover

    agent_id, base_url = _dial_scope(journal)
    _require_env(*RECONCILE.credentials)
    options = BulkOptions(
        file=None,
        concurrency=RECONCILE.concurrency,
        journal=journal,
        retry_failed=False,
        rate_limit=rate_limit,
        as_json=as_json,
        redis_url=redis_url,
    )

    def job(client: AsyncTalkover, common: dict[str, Any]) -> Any:
        return client.calls.reconcile_journal(
            journal, agent_id=agent_id, reconcile_grace=reconcile_grace
        )

    args = _dial_args(False, reconcile_grace, False)
    settings = {"agent_id": f"the journal's agent {agent_id}"}
    _launch(RECONCILE, options, None, AsyncTalkover, job, args, settings, base_url=base_url)
