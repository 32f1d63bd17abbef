"""
What every scenario shares: the served emulator, the ``talkkit`` command line as a subprocess,
and the records a scenario reports (figures and checks).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import attrs

from talkkit import AsyncTalkover, AsyncTalkturo
from talkkit.emulator import TALKOVER_TOKEN, TALKTURO_TEAM_ID, TALKTURO_TOKEN, Emulator
from talkkit.testing import ServedEmulator, ready_agent, running_emulator

__all__ = [
    "Check",
    "CliRun",
    "Scenario",
    "cli_command",
    "cli_env",
    "create_agent",
    "create_company",
    "run_cli",
    "run_command",
    "serve",
]


@attrs.frozen
class Check:
    """One requirement of a scenario and whether the run met it."""

    name: str
    ok: bool
    detail: str = ""


@attrs.define
class Scenario:
    """
    What one scenario measured.

    Attributes:
        title: Its heading in the report.
        figures: ``(label, value)`` rows of the report's table.
        checks: The requirements and whether they held.
        notes: Explanations printed under the table.
        seconds: Wall-clock time of the scenario.
    """

    title: str
    figures: list[tuple[str, str]] = attrs.Factory(list)
    checks: list[Check] = attrs.Factory(list)
    notes: list[str] = attrs.Factory(list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Every check held."""
        return all(check.ok for check in self.checks)

    def figure(self, label: str, value: object) -> None:
        """Add a row to the table (integers with thousands separators)."""
        shown = f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else value
        self.figures.append((label, str(shown)))

    def check(self, name: str, ok: bool, detail: object = "") -> None:
        """Record whether a requirement held (``detail`` says what was seen)."""
        self.checks.append(Check(name, bool(ok), str(detail)))

    def failed_checks(self) -> str:
        """The checks that did not hold, one per line (for assertion messages)."""
        return "\n".join(f"{c.name}: {c.detail}" for c in self.checks if not c.ok)


@contextmanager
def serve(emulator: Emulator) -> Iterator[ServedEmulator]:
    """Serve ``emulator`` on a free 127.0.0.1 port, with room for many simultaneous connects."""
    with running_emulator(emulator, backlog=4096) as served:
        yield served


def cli_command(*args: str) -> list[str]:
    """``talkkit ARGS...`` as this interpreter runs it."""
    return [sys.executable, "-m", "talkkit.cli", *args]


def cli_env(served: ServedEmulator, **extra: str) -> dict[str, str]:
    """The environment that points the command line at ``served`` (no other talkkit setting)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TALKTURO_", "TALKOVER_"))}
    env |= served.environment()
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("TALKKIT_LOG", None)
    env.update(extra)
    return env


@attrs.frozen
class CliRun:
    """A finished command: its exit status, output and (with ``--json``) summary."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def summary(self) -> dict[str, Any]:
        """The ``--json`` summary printed on stdout."""
        data = json.loads(self.stdout)
        assert isinstance(data, dict)
        return data


def run_cli(args: list[str], env: Mapping[str, str], *, timeout: float = 900) -> CliRun:
    """Run ``talkkit ARGS...`` to the end."""
    return run_command(cli_command(*args), env, timeout=timeout)


def run_command(
    command: list[str], env: Mapping[str, str], *, timeout: float = 900, cwd: Path | None = None
) -> CliRun:
    """Run ``command`` to the end."""
    done = subprocess.run(
        command,
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return CliRun(done.returncode, done.stdout, done.stderr)


async def _company(url: str) -> str:
    async with AsyncTalkturo(TALKTURO_TOKEN, base_url=url, team_id=TALKTURO_TEAM_ID) as client:
        return (await client.companies.create(name="Reliability Inc.")).id


def create_company(served: ServedEmulator) -> str:
    """A company in the emulator's team, for the imported contacts."""
    return anyio.run(_company, served.talkturo_url)


async def _agent(url: str) -> str:
    async with AsyncTalkover(TALKOVER_TOKEN, base_url=url, rate_limit=None) as client:
        return (await ready_agent(client, "ChaosDialer")).id


def create_agent(served: ServedEmulator) -> str:
    """A published Talkover agent with a voice, able to place calls."""
    return anyio.run(_agent, served.talkover_url)
