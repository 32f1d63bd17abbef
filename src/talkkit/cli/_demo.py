"""
``talkkit demo``: import contacts and dial numbers against the embedded emulator, with faults.

Everything runs in this process (the emulator answers through an in-process transport: no
sockets, no credentials). The emulator misbehaves mildly — a few 5xx, 429s with a short
Retry-After, dropped connections and requests processed and then dropped — and the demo shows
that every row still ends exactly once: no contact stored twice, no number called twice. The
calls are followed to their end (on a fast emulator clock), so the demo also shows how they
ended — completed, no-answer, busy, failed — and the talk time, as the emulator has them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import attrs
import click

from talkkit._config import RateLimit
from talkkit.bulk import BulkJob, BulkSummary
from talkkit.cli._common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    Traffic,
    console,
    format_rate,
)
from talkkit.cli._common import effective_rate as rate_of
from talkkit.cli._progress import (
    JobRow,
    Tracker,
    format_seconds,
    statuses_table,
    summary_table,
)
from talkkit.cli._runner import watch_signals
from talkkit.testing import ready_agent

if TYPE_CHECKING:
    from rich.console import Console

    from talkkit.emulator import Emulator
    from talkkit.talkover import AsyncTalkover
    from talkkit.talkturo import AsyncTalkturo

__all__ = ["demo"]

_FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim")
_LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson")
_EXISTING = 25  # contacts created before the import: their rows are skipped (409)
_CONTACT_ROUTE = "POST /api/crm/contacts"
_CALL_ROUTE = "POST /api/v1/agents/*/call"
_RETRY_AFTER = 0.25
_CALL_TIME_SCALE = 0.002  # real seconds per call second: a four-minute call ends in 0.5 s
_POLL_INTERVAL = 0.5  # seconds between looks at the call history while following the calls

_F = TypeVar("_F", bound=Callable[..., Any])


@attrs.define
class _State:
    interrupted: bool = False
    contacts: BulkSummary = attrs.Factory(BulkSummary)
    calls: BulkSummary = attrs.Factory(BulkSummary)
    seconds: dict[str, float] = attrs.Factory(dict)
    resent: Counter[str] = attrs.Factory(Counter)
    rates: dict[str, RateLimit | None] = attrs.Factory(dict)
    rates_before: dict[str, RateLimit | None] = attrs.Factory(dict)
    rejected: list[str] = attrs.Factory(list)


def _email(i: int) -> str:
    return f"{_FIRST[i % len(_FIRST)]}.{_LAST[i % len(_LAST)]}.{i}@example.com".lower()


@attrs.frozen
class _Rows:
    """The generated input: a few rows invalid on purpose, some already in the CRM."""

    count: int

    @property
    def existing(self) -> list[int]:
        step = self.count // _EXISTING
        return [1 + i * step for i in range(_EXISTING)]

    @property
    def bad(self) -> dict[int, tuple[str, str]]:
        taken = set(self.existing)
        wanted = (self.count // 7, self.count // 2, self.count - 5)
        spots = [next(i for i in range(at, self.count) if i not in taken) for at in wanted]
        return dict(
            zip(spots, (("phone", "+1 555"), ("last_name", ""), ("email", "nope")), strict=True)
        )

    def __iter__(self) -> Iterator[dict[str, str]]:
        bad = self.bad
        for i in range(self.count):  # lazily, as a CSV reader would
            row = {
                "first_name": _FIRST[i % len(_FIRST)],
                "last_name": _LAST[i % len(_LAST)],
                "email": _email(i),
                "phone": f"+1415555{i % 10_000:04d}",
                "tags": "demo;generated",
                "custom.plan": ("free", "pro", "team")[i % 3],
            }
            if i in bad:
                field, value = bad[i]
                row[field] = value
            yield row


def _numbers(count: int) -> list[str]:
    numbers = [f"+1212555{i % 10_000:04d}" for i in range(count)]
    return [*numbers[:-2], numbers[0], numbers[1]]  # two repeats: each number is called once


def _emulator(seed: int) -> Emulator:
    from talkkit.emulator import Emulator, RateLimitSpec

    return Emulator(
        seed=seed,
        rate_limits={
            "talkturo": RateLimitSpec(9_000, 60.0, burst=100),
            "talkover": RateLimitSpec(1_200, 60.0, burst=20),
        },
        call_time_scale=_CALL_TIME_SCALE,
    )


def _add_faults(emu: Emulator) -> list[str]:
    from talkkit.emulator import FaultRule

    faults = emu.faults
    faults.add(FaultRule(_CONTACT_ROUTE, commit_drop_rate=0.01, times=2))
    faults.add(
        FaultRule(
            _CONTACT_ROUTE,
            error_rate=0.02,
            drop_rate=0.01,
            throttle_rate=0.005,
            retry_after=_RETRY_AFTER,
        )
    )
    faults.add(FaultRule(_CALL_ROUTE, commit_drop_rate=0.02, times=2))
    faults.add(FaultRule(_CALL_ROUTE, throttle_rate=0.02, retry_after=_RETRY_AFTER))
    return [
        f"contacts: 2% answered 500, 1% dropped, 0.5% 429 (Retry-After {_RETRY_AFTER}s), "
        "2 created then dropped",
        f"calls:    2% 429 (Retry-After {_RETRY_AFTER}s), 2 placed then dropped",
        "limits:   Talkturo 9,000/min (burst 100), Talkover 1,200/min (burst 20)",
    ]


async def _setup(tt: AsyncTalkturo, to: AsyncTalkover, rows: _Rows) -> tuple[str, str]:
    company = await tt.companies.create(name="Acme Demo Corp")
    for i in rows.existing:
        await tt.contacts.create(
            first_name="Existing", last_name="Contact", email=_email(i), company_id=company.id
        )
    agent = await ready_agent(to, "Demo caller")  # draft agents take no real calls
    return company.id, agent.id


async def _follow(
    label: str, job: BulkJob[Any], tracker: Tracker, handle: int, state: _State
) -> None:
    started = time.monotonic()
    setattr(state, label, job.summary)
    async with job.stream() as outcomes:
        async for outcome in outcomes:
            state.resent[label] += max(outcome.attempts - 1, 0)
            if outcome.code == "invalid_input" and len(state.rejected) < 10:
                state.rejected.append(f"{label} row {outcome.index + 1}: {outcome.message}")
            tracker.update(handle, job.summary)
    tracker.finish(handle)
    state.seconds[label] = time.monotonic() - started


async def _run(
    emu: Emulator,
    contacts: int,
    calls: int,
    traffic: dict[str, Traffic],
    out: Console,
    state: _State,
) -> None:
    from talkkit.testing import talkover_client, talkturo_client

    async with (
        talkturo_client(emu, **traffic["Talkturo"].client_options()) as tt,
        talkover_client(emu, **traffic["Talkover"].client_options()) as to,
    ):
        state.rates_before = {"Talkturo": rate_of(tt), "Talkover": rate_of(to)}
        company_id, agent_id = await _setup(tt, to, _Rows(contacts))
        out.print(f"Set up: 1 company, {_EXISTING} existing contacts, 1 published agent.")
        for line in _add_faults(emu):
            out.print(f"Server  {line}", markup=False)
        out.print("")
        for counter in traffic.values():
            counter.reset()  # count the jobs, not the set-up
        with Tracker(out, mode="bar" if out.is_terminal else "lines", interval=2.0) as tracker:
            imports = tt.contacts.import_many(
                _Rows(contacts), company_id=company_id, concurrency=32
            )
            dials = to.calls.dial_many(
                _numbers(calls),
                agent_id=agent_id,
                concurrency=8,
                wait=True,
                poll_interval=_POLL_INTERVAL,
            )
            async with anyio.create_task_group() as tg:
                with anyio.CancelScope() as scope:
                    tg.start_soon(watch_signals, scope, state)
                    async with anyio.create_task_group() as jobs:
                        jobs.start_soon(
                            _follow,
                            "contacts",
                            imports,
                            tracker,
                            tracker.add("contacts", contacts),
                            state,
                        )
                        jobs.start_soon(
                            _follow, "calls", dials, tracker, tracker.add("calls", calls), state
                        )
                tg.cancel_scope.cancel()
        state.rates = {"Talkturo": rate_of(tt), "Talkover": rate_of(to)}


def _how_many(name: str, default: int, least: int, what: str) -> Callable[[_F], _F]:
    """An option for how many rows a job gets: ``least`` to 10,000."""
    return click.option(
        name, default=default, show_default=True, type=click.IntRange(least, 10_000), help=what
    )


@click.command()
@_how_many("--contacts", 2_000, 50, "Contacts to import.")
@_how_many("--calls", 200, 5, "Calls to place.")
@click.option("--seed", default=7, hidden=True, help="Seed of the emulator's faults.")
def demo(contacts: int, calls: int, seed: int) -> None:
    """
    Import contacts and dial numbers against the built-in emulator, with faults on.

    No credentials and no network: the Talkturo and Talkover emulators run in this process.
    """
    try:
        import talkkit.emulator  # noqa: F401
    except ImportError as exc:  # the `emulator` extra is missing
        raise click.ClickException(str(exc)) from None
    out = console()
    out.print(
        "[bold]talkkit demo[/] · Talkturo and Talkover emulated in this process: "
        "no network, no credentials\n"
    )
    emu = _emulator(seed)
    traffic = {"Talkturo": Traffic(), "Talkover": Traffic()}
    state = _State()
    anyio.run(_run, emu, contacts, calls, traffic, out, state)
    if state.interrupted:
        out.print("Interrupted.")
        raise SystemExit(EXIT_INTERRUPTED)
    out.print("")
    out.print(
        summary_table(
            [
                JobRow("contacts", state.contacts, state.seconds.get("contacts", 0.0)),
                JobRow("calls", state.calls, state.seconds.get("calls", 0.0)),
            ],
            title="Summary",
        )
    )
    for line in state.rejected:
        out.print(f"  [red]rejected before sending[/] {line}", markup=True, highlight=False)
    out.print(
        statuses_table(
            [JobRow("calls", state.calls, state.seconds.get("calls", 0.0))],
            title="How the calls ended (followed through the call history)",
        )
    )
    out.print(_traffic_table(traffic, state))
    for term, meaning in _LEGEND:
        out.print(f"  [bold]{term:<10}[/] [dim]{meaning}[/]")
    out.print(
        f"  [bold]{'429s':<10}[/] [dim]{emu.throttled:,} from the server's own limiter, the "
        "rest from the fault script[/]"
    )
    ok = _truth(emu, state, out)
    raise SystemExit(EXIT_OK if ok else EXIT_FAILED)


def _traffic_table(traffic: dict[str, Traffic], state: _State) -> Any:
    from rich.table import Table

    table = Table(title="What the rate limiter and retries did", title_justify="left")
    table.add_column("platform", style="bold")
    table.add_column("pacing: start → learned", style="cyan")
    for name in ("requests", "429s", "5xx", "dropped", "retries", "re-sent", "reconciled"):
        table.add_column(name, justify="right")
    for platform, job in (("Talkturo", state.contacts), ("Talkover", state.calls)):
        t = traffic[platform]
        label = "contacts" if platform == "Talkturo" else "calls"
        table.add_row(
            platform,
            f"{_pace(state.rates_before.get(platform))} → {_pace(state.rates.get(platform))}",
            f"{t.attempts:,}",
            f"{t.throttled:,}",
            f"{t.server_errors:,}",
            f"{t.dropped:,}",
            f"{t.retries:,} ({t.retry_wait:.1f}s)",
            f"{state.resent[label]:,}",
            f"{job.reconciled:,}",
        )
    return table


_LEGEND = (
    ("pacing", "the documented limit (none for Talkturo), then the server's X-RateLimit-Limit"),
    ("retries", "attempts repeated by the retry policy: 429s after their Retry-After"),
    ("re-sent", "contacts sent again after an unclear answer (safe: the API refuses a second "
     "contact with that email)"),
    ("reconciled", "calls whose answer was lost, found in the call history, not placed again"),
    ("not_sent", "rows never sent: the job stopped first (a refused token…); a re-run sends them"),
    ("not_placed", "calls whose answer was lost and that the call history never showed: "
     "never dialled again unless asked"),
)  # fmt: skip


def _pace(rate: RateLimit | None) -> str:
    return "none" if rate is None else format_rate(rate)


def _truth(emu: Emulator, state: _State, out: Console) -> bool:
    stored = list(emu.talkturo.contacts.values())
    emails = Counter(c.get("email") for c in stored)
    duplicates = sum(n - 1 for n in emails.values() if n > 1)
    placed = emu.calls_per_number()
    redialed = sum(n - 1 for n in placed.values() if n > 1)
    fates = emu.call_fates().values()
    ended = Counter(fate.status for fate in fates)
    talk = sum(fate.duration for fate in fates)
    contacts, calls = state.contacts, state.calls
    # Every valid row's contact exists exactly once (the existing ones are rows too); a row
    # that existed and whose first answer was lost counts as done, so compare the sums.
    ok = (
        duplicates == 0
        and redialed == 0
        and len(stored) == contacts.done + contacts.skipped
        and sum(placed.values()) == calls.done
        and dict(ended) == calls.statuses
        and abs(talk - calls.talk_time) < 1e-6
    )
    mark = "[green]✓ matches the summary[/]" if ok else "[bold red]✗ does not match the summary[/]"
    how = ", ".join(f"{n:,} {status}" for status, n in ended.most_common())
    out.print(
        f"\n[bold]Emulator truth:[/] {len(stored):,} contacts stored ({len(stored) - _EXISTING:,} "
        f"new + {_EXISTING} existing), {duplicates} duplicates; {sum(placed.values()):,} calls "
        f"placed, {redialed} numbers called twice; calls ended {how}, talk time "
        f"{format_seconds(talk)}\n{mark}",
        highlight=False,
    )
    out.print(
        "\nOn your account: [bold]talkkit contacts import FILE.csv --team-id T --company-id C "
        "--journal import.db[/]  (see docs/cli.md)"
    )
    return ok
