"""
Fixtures for the command line: an emulator served on a loopback port, the environment that
points the commands at it, and a runner that checks no credential ever reaches the output.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anyio
import attrs
import pytest
from click.testing import CliRunner, Result

from talkkit import AsyncTalkover, AsyncTalkturo
from talkkit.cli import _common, build_cli
from talkkit.emulator import TALKTURO_TEAM_ID, Emulator
from talkkit.testing import ServedEmulator, running_emulator

TURO_TOKEN = "tk_test_cli_s3cr3t_turo_7f3a91"
OVER_TOKEN = "talq_cli_s3cr3t_over_9b2c44"
ORY_KEY = "tk_live_cli5ecretkey0123456789abcdefgh"
SECRETS = (TURO_TOKEN, OVER_TOKEN, ORY_KEY)


@attrs.define
class Cli:
    """Runs `talkkit ...` in-process against the served emulator."""

    served: ServedEmulator
    env: dict[str, str]
    tmp_path: Path

    @property
    def emu(self) -> Emulator:
        """The emulator behind the server (inspect its state)."""
        return self.served.emulator

    def run(self, *args: str, env: dict[str, str | None] | None = None) -> Result:
        """Invoke the command; fail the test if any credential shows up in its output."""
        result = CliRunner().invoke(
            build_cli(), list(args), env={**self.env, **(env or {})}, catch_exceptions=False
        )
        given = [v for k, v in (env or {}).items() if v and k.endswith(("_TOKEN", "_API_KEY"))]
        for secret in (*SECRETS, *given):
            assert secret not in result.output, f"a credential was printed: {result.output}"
        return result

    def csv(self, text: str | bytes, name: str = "rows.csv") -> str:
        """Write a CSV file and return its path."""
        path = self.tmp_path / name
        path.write_bytes(text.encode() if isinstance(text, str) else text)
        return str(path)


@pytest.fixture(autouse=True)
def _no_masking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output masking is a second line of defence: switched off, so a leak would show."""
    monkeypatch.setattr(_common, "_SECRET_ENVS", ())


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    """A fresh emulator (no server-side rate limits) served on a free port, and its env."""
    emu = Emulator(
        talkturo_tokens=(TURO_TOKEN,),
        talkover_tokens=(OVER_TOKEN,),
        talkory_keys=(ORY_KEY,),
        rate_limits={"talkturo": None, "talkover": None, "talkory": None},
    )
    with running_emulator(emu) as served:
        env = {
            "TALKTURO_TOKEN": TURO_TOKEN,
            "TALKTURO_BASE_URL": served.talkturo_url,
            "TALKTURO_TEAM_ID": TALKTURO_TEAM_ID,
            "TALKOVER_TOKEN": OVER_TOKEN,
            "TALKOVER_BASE_URL": served.talkover_url,
        }
        yield Cli(served, env, tmp_path)


async def _company(url: str) -> str:
    async with AsyncTalkturo(TURO_TOKEN, base_url=url, team_id=TALKTURO_TEAM_ID) as client:
        return (await client.companies.create(name="Acme CLI")).id


async def _agent(url: str) -> str:
    async with AsyncTalkover(OVER_TOKEN, base_url=url) as client:
        agent = await client.agents.create(name="Dialer", label="Dialer")
        voice = (await client.voice_templates.list())[0].voices[0]
        await client.agents.update_voice(
            agent.id, voice_id=voice.id, conversation_speed=1.0, who_speaks_first="agent"
        )
        await client.agents.publish(agent.id)
        return agent.id


@pytest.fixture
def company_id(cli: Cli) -> str:
    """A company in the emulator's team."""
    return anyio.run(_company, cli.served.talkturo_url)


@pytest.fixture
def agent_id(cli: Cli) -> str:
    """A published Talkover agent (draft agents refuse real calls)."""
    return anyio.run(_agent, cli.served.talkover_url)
