"""
Tokens never show: a realistic session with all three clients, errors of every kind, a bulk job
with a journal and the command line with a wrong and a right token, watched by the `leaks`
fixture (see ``conftest.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from click.testing import CliRunner

from talkkit import (
    AsyncTalkory,
    AsyncTalkover,
    AsyncTalkturo,
    PreflightError,
    RetryPolicy,
    Safety,
    TalkkitError,
)
from talkkit.cli import build_cli
from talkkit.emulator import TALKTURO_TEAM_ID, Emulator, FaultRule
from talkkit.testing import ready_agent, running_emulator

from .conftest import (
    EXPIRED_TOKEN,
    ORY_KEY,
    OVER_TOKEN,
    TURO_TOKEN,
    WEBHOOK_SECRET,
    WRONG_TOKENS,
    LeakDetector,
)

FAST = RetryPolicy(max_retries=1, backoff_base=0.0, backoff_max=0.0)


def _emulator() -> Emulator:
    return Emulator(
        talkturo_tokens=(TURO_TOKEN,),
        talkover_tokens=(OVER_TOKEN,),
        talkory_keys=(ORY_KEY,),
        expired_tokens=(EXPIRED_TOKEN,),
        rate_limits={"talkturo": None, "talkover": None, "talkory": None},
    )


@pytest.fixture
def emu() -> Emulator:
    """An emulator that accepts this folder's tokens (and knows one expired token)."""
    return _emulator()


@pytest.fixture
async def clients(
    emu: Emulator,
) -> AsyncIterator[tuple[AsyncTalkturo, AsyncTalkover, AsyncTalkory]]:
    """The three clients with the right tokens, in-process on the emulator."""
    options: dict[str, Any] = {"transport": emu.transport(), "retry": FAST, "rate_limit": None}
    async with (
        AsyncTalkturo(
            TURO_TOKEN, base_url="http://localhost/api", team_id=TALKTURO_TEAM_ID, **options
        ) as turo,
        AsyncTalkover(OVER_TOKEN, base_url="http://localhost/api/v1", **options) as over,
        AsyncTalkory(ORY_KEY, base_url="http://localhost", **options) as ory,
    ):
        yield turo, over, ory


async def _expect(leaks: LeakDetector, where: str, call: Any) -> TalkkitError:
    try:
        await call
    except TalkkitError as exc:
        leaks.see(where, exc)
        return exc
    raise AssertionError(f"{where}: no error")


def test_the_detector_finds_a_planted_token() -> None:
    """The detector is not blind: a token in a log line, a repr or a file is reported."""
    detector = LeakDetector()
    detector.see("header", f"Authorization: Bearer {TURO_TOKEN}")
    detector.see("repr", {"token": OVER_TOKEN[-12:]})
    assert len(detector.leaks()) >= 2
    assert LeakDetector(seen=[("clean", "nothing here")]).leaks() == []


@pytest.mark.anyio
async def test_clients_configs_and_models_never_show_tokens(
    leaks: LeakDetector, clients: tuple[AsyncTalkturo, AsyncTalkover, AsyncTalkory]
) -> None:
    """repr of clients, derived clients, configs, middleware, resources and models hide the token."""
    turo, over, ory = clients
    for client in (turo, over, ory, turo.with_options(timeout=5), over.with_options(max_retries=0)):
        leaks.see("client", client)
        leaks.see("config", client.config)
        leaks.see("middleware", client.middleware)
        leaks.see("client attributes", vars(client))
    company = await turo.companies.create("Acme Secure")
    contact = await turo.contacts.create(
        "Ada", "Lovelace", company_id=company.id, email="ada@sec.example"
    )
    agent = await ready_agent(over)
    placed = await over.agents.call(agent.id, phone_number="+12025550142")
    for model in (company, contact, agent, placed, await ory.health.llm(), await ory.wallet.get()):
        leaks.see("model", model)
    assert leaks.leaks() == []


@pytest.mark.anyio
async def test_errors_of_every_kind_never_show_tokens(
    leaks: LeakDetector,
    emu: Emulator,
    clients: tuple[AsyncTalkturo, AsyncTalkover, AsyncTalkory],
) -> None:
    """401 (wrong and expired), 404, 409, 422, 429, 5xx, drops, unknown outcomes, validation, decoding."""
    turo, over, ory = clients
    transport = emu.transport()
    async with (
        AsyncTalkturo(
            WRONG_TOKENS[0],
            base_url="http://localhost/api",
            team_id=TALKTURO_TEAM_ID,
            transport=transport,
        ) as bad_turo,
        AsyncTalkover(
            WRONG_TOKENS[1], base_url="http://localhost/api/v1", transport=transport
        ) as bad_over,
        AsyncTalkover(
            EXPIRED_TOKEN, base_url="http://localhost/api/v1", transport=transport
        ) as expired,
        AsyncTalkory(
            "tk_live_" + WRONG_TOKENS[1], base_url="http://localhost", transport=transport
        ) as bad_ory,
    ):
        await _expect(leaks, "401 talkturo", bad_turo.companies.create("Nope"))
        await _expect(leaks, "401 talkover", bad_over.agents.get("agent_x"))
        await _expect(leaks, "401 expired", expired.agents.get("agent_x"))
        await _expect(leaks, "401 talkory", bad_ory.wallet.get())
    company = await turo.companies.create("Acme Errors")
    await turo.contacts.create("Ada", "L", company_id=company.id, email="dup@sec.example")
    await _expect(
        leaks,
        "409",
        turo.contacts.create("Ada", "L", company_id=company.id, email="dup@sec.example"),
    )
    await _expect(leaks, "404", over.agents.get("agent_missing"))
    await _expect(leaks, "422", over.request_json("POST", "/agents", json={}, safety=Safety.UNSAFE))
    await _expect(leaks, "invalid", over.agents.call("agent_x", phone_number="12345"))
    emu.faults.add(FaultRule("GET /api/v1/agents/*", throttle_rate=1.0, retry_after=0.001, times=2))
    await _expect(leaks, "429", over.agents.get("agent_x"))
    emu.faults.add(FaultRule("GET /v1/wallet", error_rate=1.0, error_status=503, times=2))
    await _expect(leaks, "503", ory.wallet.get())
    emu.faults.add(FaultRule("GET /v1/health/llm", drop_rate=1.0, times=2))
    await _expect(leaks, "dropped", ory.health.llm())
    emu.faults.add(FaultRule("POST /api/crm/companies", commit_drop_rate=1.0, times=1))
    await _expect(leaks, "outcome unknown", turo.companies.create("Maybe Ltd"))
    emu.faults.add(FaultRule("POST /v1/query", stream_drop_after=1, times=1))

    async def streamed() -> None:
        async with ory.queries.stream("Which CRM?") as stream:
            async for _ in stream:
                pass

    await _expect(leaks, "stream", streamed())

    def garbage(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<html>" + request.headers["authorization"].encode())

    async with AsyncTalkory(
        ORY_KEY, transport=httpx.MockTransport(garbage), rate_limit=None
    ) as echo:
        await _expect(leaks, "decode", echo.wallet.get())
    with pytest.raises(TalkkitError) as info:
        turo.webhooks.parse(
            b'{"type": "invoice.paid"}', {"X-Signature": "AAAA"}, secret=WEBHOOK_SECRET
        )
    leaks.see("webhook", info.value)
    leaks.see("webhook headers", turo.webhooks.sign(b"{}", WEBHOOK_SECRET))


def test_configuration_errors_never_echo_the_token(leaks: LeakDetector) -> None:
    """A token of the wrong platform or a cleartext URL is refused without repeating the token."""
    for make in (
        lambda: AsyncTalkory(OVER_TOKEN),
        lambda: AsyncTalkover(ORY_KEY),
        lambda: AsyncTalkturo(TURO_TOKEN, base_url="http://crm.example.com/api"),
        lambda: AsyncTalkover(OVER_TOKEN, base_url="ftp://example.com"),
    ):
        with pytest.raises(TalkkitError) as info:
            make()
        leaks.see("configuration", info.value)


@pytest.mark.anyio
async def test_bulk_jobs_and_their_journals_never_show_tokens(
    leaks: LeakDetector,
    emu: Emulator,
    clients: tuple[AsyncTalkturo, AsyncTalkover, AsyncTalkory],
    tmp_path: Path,
) -> None:
    """Summaries, failures and the journal file of a faulty import and an aborted one hold no token."""
    turo, _, _ = clients
    company = await turo.companies.create("Acme Bulk")
    emu.faults.add(
        FaultRule("POST /api/crm/contacts", error_rate=0.2, commit_drop_rate=0.1, drop_rate=0.1)
    )
    rows = [
        {"first_name": f"F{i}", "last_name": "L", "email": f"u{i}@sec.example"} for i in range(60)
    ]
    rows.append({"first_name": "Bad", "last_name": "Row", "phone": "12345"})
    journal = tmp_path / "import.db"
    summary = await turo.contacts.import_many(rows, company_id=company.id, journal=journal)
    leaks.see("summary", summary.to_dict())
    leaks.see_file("journal", journal)
    async with AsyncTalkturo(
        WRONG_TOKENS[0],
        base_url="http://localhost/api",
        team_id=TALKTURO_TEAM_ID,
        transport=emu.transport(),
    ) as wrong:
        with pytest.raises(PreflightError) as refused:  # checked before the first row
            await wrong.contacts.import_many(rows, company_id=company.id)
        leaks.see("preflight error", refused.value)  # with its chain: the 401 it came from
        aborted = await wrong.contacts.import_many(
            rows, company_id=company.id, journal=tmp_path / "wrong.db", preflight=False
        )
    assert aborted.aborted is not None
    leaks.see("aborted summary", aborted.to_dict())
    leaks.see_file("journal of the aborted job", tmp_path / "wrong.db")


def _cli(leaks: LeakDetector, where: str, args: list[str], env: dict[str, str]) -> int:
    result = CliRunner().invoke(build_cli(), args, env=env, catch_exceptions=True)
    leaks.see(where, result.output)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        leaks.see(where + " exception", result.exception)
    return result.exit_code


def test_the_command_line_never_shows_tokens(leaks: LeakDetector, tmp_path: Path) -> None:
    """contacts import, calls dial and health, with wrong and right tokens, in-process and as a process."""
    emu = _emulator()
    rows = tmp_path / "contacts.csv"
    rows.write_text("first_name,last_name,email\nAda,L,ada@cli.example\nBad,,bad@cli.example\n")
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("phone\n+12025550100\n12345\n")
    with running_emulator(emu) as served:

        async def setup() -> tuple[str, str]:
            async with (
                AsyncTalkturo(
                    TURO_TOKEN, base_url=served.talkturo_url, team_id=TALKTURO_TEAM_ID
                ) as turo,
                AsyncTalkover(OVER_TOKEN, base_url=served.talkover_url, rate_limit=None) as over,
            ):
                return (await turo.companies.create("Acme CLI")).id, (await ready_agent(over)).id

        company, agent = anyio.run(setup)
        env = {
            "TALKTURO_BASE_URL": served.talkturo_url,
            "TALKTURO_TEAM_ID": TALKTURO_TEAM_ID,
            "TALKOVER_BASE_URL": served.talkover_url,
            "TALKORY_BASE_URL": served.url,
            "TALKKIT_LOG": "debug",
        }
        right = {
            **env,
            "TALKTURO_TOKEN": TURO_TOKEN,
            "TALKOVER_TOKEN": OVER_TOKEN,
            "TALKORY_API_KEY": ORY_KEY,
        }
        wrong = {
            **env,
            "TALKTURO_TOKEN": WRONG_TOKENS[0],
            "TALKOVER_TOKEN": WRONG_TOKENS[1],
            "TALKORY_API_KEY": "tk_live_" + WRONG_TOKENS[1],
        }
        contacts = ["contacts", "import", str(rows), "--company-id", company]
        dial = ["calls", "dial", str(numbers), "--agent-id", agent, "--rate-limit", "100/s"]
        codes = {}
        stopped = {}
        for name, values in (("wrong", wrong), ("right", right)):
            journal = ["--journal", str(tmp_path / f"{name}.db")]
            codes[name] = (
                _cli(leaks, f"{name}: contacts import", [*contacts, *journal], values),
                _cli(leaks, f"{name}: contacts import --json", [*contacts, "--json"], values),
                _cli(leaks, f"{name}: calls dial", [*dial, "--json"], values),
                _cli(leaks, f"{name}: health", ["health"], values),
            )
            leaks.see_file(f"{name}: journal", tmp_path / f"{name}.db")
            # Past the preflight: the job stops on the 401s and prints the command to run again
            # (with --journal), the results files hold every row, reconcile reads the journal.
            files = {k: tmp_path / f"{name}-{k}" for k in ("i.db", "i.csv", "d.db", "d.csv")}
            imports = [
                "--no-preflight",
                "--journal",
                str(files["i.db"]),
                "--results",
                str(files["i.csv"]),
            ]
            dials = [
                "--no-preflight",
                "--journal",
                str(files["d.db"]),
                "--results",
                str(files["d.csv"]),
            ]
            reconcile = ["calls", "reconcile", "--journal", str(files["d.db"])]
            stopped[name] = (
                _cli(leaks, f"{name}: import --no-preflight", [*contacts, *imports], values),
                _cli(leaks, f"{name}: dial --no-preflight", [*dial, *dials], values),
                _cli(leaks, f"{name}: calls reconcile", reconcile, values),
            )
            for kind, path in files.items():
                leaks.see_file(f"{name}: {kind}", path)
        process = subprocess.run(
            [sys.executable, "-m", "talkkit.cli", *contacts, "--json"],
            env={**os.environ, **wrong},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        leaks.see("process stdout", process.stdout)
        leaks.see("process stderr (TALKKIT_LOG=debug)", process.stderr)
    # right, 1: each file has a bad row; wrong, 2: the bulk commands' preflight refuses the token
    assert codes == {"wrong": (2, 2, 2, 1), "right": (1, 1, 1, 0)}
    # without the preflight the wrong token stops both jobs (1); reconcile finds nothing unclear (0)
    assert stopped == {"wrong": (1, 1, 0), "right": (1, 1, 0)}
    said = "".join(
        text for where, text in leaks.seen if where.startswith("wrong: import --no-preflight")
    )
    assert "rows not sent" in said
    assert "talkkit contacts import" in said  # the command to run again
    assert process.returncode == 2
    assert "401" in process.stderr + process.stdout
