"""
The bulk commands: ``talkkit contacts import``, ``talkkit companies import`` and
``talkkit calls dial``. Each reads a CSV file whose header names the SDK's snake_case fields and
runs one bulk job over it (see `talkkit.cli._runner` for progress, Ctrl-C and the report).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from talkkit.bulk import CsvSource
from talkkit.cli._common import CliUsageError, parse_rate_limit
from talkkit.cli._runner import BulkOptions, JobKind, run_bulk
from talkkit.errors import ConfigurationError
from talkkit.talkover.calls import DIAL_COLUMNS
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
        "looks them up by name; those not found are never re-sent: check them before retrying"
    ),
    required=("name",),
    known=COMPANY_COLUMNS,
    credentials=_TALKTURO,
    concurrency=8,
)
CALLS = JobKind(
    command=("calls", "dial"),
    rerun="would call every number again",
    resume_unknown=(
        "looks them up in the call history; those not found are never dialled again: "
        "check them before retrying"
    ),
    required=(("phone", "phone_number"),),
    known=DIAL_COLUMNS,
    credentials=("TALKOVER_TOKEN",),
    concurrency=8,
)

_team_option = click.option(
    "--team-id", envvar="TALKTURO_TEAM_ID", help="The team (default: TALKTURO_TEAM_ID)."
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
                    type=click.Path(dir_okay=False, path_type=Path),
                    help="SQLite file recording each row's outcome; re-run with it to resume.",
                ),
                click.option(
                    "--retry-failed",
                    is_flag=True,
                    help="With --journal: send rows that failed in an earlier run again.",
                ),
                click.option(
                    "--rate-limit",
                    callback=parse_rate_limit,
                    metavar="N/s|N/min|N/h",
                    help="The key's known limit (e.g. 600/min); default: the platform's "
                    "documented limit, then what the server's X-RateLimit headers say.",
                ),
                click.option(
                    "--redis-url",
                    envvar="TALKKIT_REDIS_URL",
                    metavar="URL",
                    help="Share the key's rate limit with other processes or hosts through "
                    "Redis (default: TALKKIT_REDIS_URL; needs talkkit[redis]).",
                ),
                click.option(
                    "--json",
                    "as_json",
                    is_flag=True,
                    help="Print one JSON summary on stdout (progress goes to stderr).",
                ),
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


def _launch(
    kind: JobKind,
    options: BulkOptions,
    source: CsvSource,
    total: int,
    factory: Callable[..., Any],
    job: Callable[[Any, dict[str, Any]], Any],
    args: list[str],
    **client_options: Any,
) -> None:
    """Run one bulk command: its client, its job (given the options every job takes), resume args."""
    common = {
        "concurrency": options.concurrency,
        "journal": options.journal,
        "retry_failed": options.retry_failed,
    }
    run_bulk(
        kind,
        options,
        source,
        total,
        lambda traffic: _client(
            factory,
            **client_options,
            **traffic.client_options(options.rate_limit, options.redis_url),
        ),
        lambda client: job(client, common),
        args,
    )


def _team(team_id: str | None) -> str:
    if not team_id:
        raise CliUsageError("--team-id is required (or set TALKTURO_TEAM_ID)")
    return team_id


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

    def job(client: AsyncTalkturo, common: dict[str, Any]) -> Any:
        return client.contacts.import_many(source, team_id=team, company_id=company_id, **common)

    _launch(CONTACTS, options, source, total, AsyncTalkturo, job, args, team_id=team)


# -- talkkit companies import -----------------------------------------------------------------


@click.group()
def companies() -> None:
    """Talkturo CRM companies."""


@companies.command("import")
@_team_option
@_bulk_options(COMPANIES)
def import_companies(team_id: str | None, **values: Any) -> None:
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
        return client.companies.import_many(source, team_id=team, **common)

    args = ["--team-id", team]
    _launch(COMPANIES, options, source, total, AsyncTalkturo, job, args, team_id=team)


# -- talkkit calls dial ---------------------------------------------------------------------


@click.group()
def calls() -> None:
    """Talkover outbound calls."""


@calls.command("dial")
@click.option("--agent-id", required=True, help="The published agent that places the calls.")
@_bulk_options(CALLS)
def dial(agent_id: str, **values: Any) -> None:
    """
    Call each number in the phone column of FILE (a CSV file) with one Talkover agent.

    Numbers are E.164 (+12025551234); optional columns delay_seconds and is_testing; custom.<name>
    columns become the call's payload. No number is ever called twice, even across re-runs with
    the same --journal. Credentials: TALKOVER_TOKEN (and TALKOVER_BASE_URL for another server).
    """
    from talkkit.talkover import AsyncTalkover

    options = BulkOptions(**values)
    source, total = options.open_source(CALLS)
    _require_env(*CALLS.credentials)
    if not agent_id.strip():
        raise CliUsageError("--agent-id must not be empty")

    def job(client: AsyncTalkover, common: dict[str, Any]) -> Any:
        return client.calls.dial_many(source, agent_id=agent_id, **common)

    _launch(CALLS, options, source, total, AsyncTalkover, job, ["--agent-id", agent_id])
