"""
Fixtures of the reliability tests: an emulator served on 127.0.0.1 and the ``talkkit`` command
line run in-process against it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner, Result
from reliability._harness import cli_env, create_agent, create_company, serve

from talkkit.cli import build_cli
from talkkit.emulator import TALKORY_KEY, TALKOVER_TOKEN, TALKTURO_TOKEN, Emulator
from talkkit.testing import ServedEmulator


@attrs.define
class Cli:
    """``talkkit ...`` in-process against a served emulator, with CSV files in a temp folder."""

    served: ServedEmulator
    tmp_path: Path

    @property
    def emu(self) -> Emulator:
        """The emulator behind the server."""
        return self.served.emulator

    def run(self, *args: str) -> Result:
        """Invoke the command; the output never holds a credential."""
        result = CliRunner().invoke(
            build_cli(), list(args), env=cli_env(self.served), catch_exceptions=False
        )
        for secret in (TALKTURO_TOKEN, TALKOVER_TOKEN, TALKORY_KEY):
            assert secret not in result.output
        return result

    def csv(self, content: str | bytes, name: str = "rows.csv") -> str:
        """Write a CSV file (text is written as UTF-8) and return its path."""
        path = self.tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return str(path)

    def stored_emails(self) -> list[str]:
        """The emails of the contacts the emulator stored, sorted."""
        return sorted(str(c["email"]) for c in self.emu.talkturo.contacts.values())


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    """A fresh emulator (no server-side rate limits) served on a free loopback port."""
    emu = Emulator(rate_limits={"talkturo": None, "talkover": None})
    with serve(emu) as served:
        yield Cli(served, tmp_path)


@pytest.fixture
def company_id(cli: Cli) -> str:
    """A company in the emulator's team."""
    return create_company(cli.served)


@pytest.fixture
def agent_id(cli: Cli) -> str:
    """A published Talkover agent."""
    return create_agent(cli.served)
