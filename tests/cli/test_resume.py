"""
Killing an import and resuming it with its journal: every row stored exactly once.

The import runs in a subprocess (``python -m talkkit.cli``) against an emulator served from
this process, so the emulator stays up across both runs and its state can be inspected.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import anyio
import pytest

from talkkit import AsyncTalkturo
from talkkit.emulator import TALKTURO_TEAM_ID, TALKTURO_TOKEN, Emulator, FaultRule
from talkkit.testing import ServedEmulator, running_emulator

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


@pytest.fixture
def served() -> Iterator[ServedEmulator]:
    """An emulator with a little latency on contact creation, so an import takes a while."""
    emu = Emulator(rate_limits={"talkturo": None})
    emu.faults.add(FaultRule("POST /api/crm/contacts", latency=0.003))
    with running_emulator(emu) as server:
        yield server


async def _company(url: str) -> str:
    async with AsyncTalkturo(TALKTURO_TOKEN, base_url=url, team_id=TALKTURO_TEAM_ID) as client:
        return (await client.companies.create(name="Resumable")).id


def _import(served: ServedEmulator, tmp_path: Path, rows: int) -> list[str]:
    """The command line of an import of ``rows`` contacts with a journal."""
    path = tmp_path / "big.csv"
    with path.open("w") as file:
        file.write("first_name,last_name,email\n")
        file.writelines(f"First{i},Last{i},user{i}@example.com\n" for i in range(rows))
    company = anyio.run(_company, served.talkturo_url)
    return [
        sys.executable, "-m", "talkkit.cli", "contacts", "import", str(path),
        "--company-id", company, "--journal", str(tmp_path / "j.db"), "--json",
    ]  # fmt: skip


def _env(served: ServedEmulator) -> dict[str, str]:
    return {
        **os.environ,
        "TALKTURO_TOKEN": TALKTURO_TOKEN,
        "TALKTURO_BASE_URL": served.talkturo_url,
        "TALKTURO_TEAM_ID": TALKTURO_TEAM_ID,
    }


def _wait_for(condition: Callable[[], bool], proc: subprocess.Popen[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, "the import ended before it could be interrupted"
        assert time.monotonic() < deadline, "the import made no progress"
        time.sleep(0.02)


def _assert_stored_once(emu: Emulator, rows: int) -> None:
    emails = [c["email"] for c in emu.talkturo.contacts.values()]
    assert len(emails) == rows
    assert len(set(emails)) == rows
    assert set(emails) == {f"user{i}@example.com" for i in range(rows)}


def _journal(tmp_path: Path) -> tuple[str, dict[str, list[str]]]:
    """The journal's integrity check, and its keys by state."""
    db = sqlite3.connect(tmp_path / "j.db")
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        states: dict[str, list[str]] = {}
        for key, state in db.execute("SELECT key, state FROM items"):
            states.setdefault(state, []).append(key)
    finally:
        db.close()
    return integrity, states


def test_sigkill_mid_run_then_resume_stores_every_row_once(
    served: ServedEmulator, tmp_path: Path
) -> None:
    """SIGKILL an import of 3,000 rows mid-run; the re-run finishes; each row stored once."""
    rows = 3_000
    command, emu = _import(served, tmp_path, rows), served.emulator
    proc = subprocess.Popen(
        command, env=_env(served), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_for(lambda: len(emu.talkturo.contacts) >= 300, proc, timeout=30)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    stored_at_kill = len(emu.talkturo.contacts)
    assert stored_at_kill < rows
    integrity, states = _journal(tmp_path)
    assert integrity == "ok"
    stored = {f"email:{c['email']}" for c in emu.talkturo.contacts.values()}
    assert set(states.get("done", [])) <= stored  # the journal never claims a row not stored

    second = subprocess.run(
        command, env=_env(served), capture_output=True, text=True, timeout=120, check=False
    )
    assert second.returncode == 0, second.stderr
    summary = json.loads(second.stdout)
    assert summary["total"] == summary["done"] == rows
    assert 0 < summary["from_journal"] < rows
    _assert_stored_once(emu, rows)
    integrity, states = _journal(tmp_path)
    assert integrity == "ok"
    assert {state: len(keys) for state, keys in states.items()} == {"done": rows}


def test_ctrl_c_stops_cleanly_and_prints_the_resume_command(
    served: ServedEmulator, tmp_path: Path
) -> None:
    """SIGINT: workers stop, the journal is flushed, exit 130 with the exact command to resume."""
    rows = 500
    command, emu = _import(served, tmp_path, rows), served.emulator
    proc = subprocess.Popen(
        command, env=_env(served), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_for(lambda: len(emu.talkturo.contacts) >= 100, proc, timeout=30)
        proc.send_signal(signal.SIGINT)
    finally:
        stdout, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 130, stderr
    summary = json.loads(stdout)
    assert summary["interrupted"] is True
    assert 0 < summary["done"] < rows
    assert "Traceback" not in stderr
    assert "Resume with:" in stderr
    resume = stderr.split("Resume with:\n", 1)[1].splitlines()[0].strip()
    assert resume.startswith("talkkit contacts import ")
    assert "--journal" in resume
    integrity, states = _journal(tmp_path)
    assert integrity == "ok"
    assert len(states.get("done", [])) >= summary["done"]  # flushed on the way out

    second = subprocess.run(
        [sys.executable, "-m", "talkkit.cli", *resume.split()[1:]],
        env=_env(served),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert second.returncode == 0, second.stderr
    _assert_stored_once(emu, rows)
