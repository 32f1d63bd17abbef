"""Helpers of the multi-process tests: `talkkit` CLI processes sharing one job through Redis."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from talkkit.testing import ServedEmulator

__all__ = ["Fleet", "cli_env", "job_status", "wait_for"]

ROOT = Path(__file__).resolve().parents[2]


def cli_env(served: ServedEmulator) -> dict[str, str]:
    """The environment of a CLI process: the served emulator's URLs and tokens, nothing else."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TALK", "TALKKIT_"))}
    env |= served.environment()
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return env


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` every 20 ms until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


class Fleet:
    """Several ``python -m talkkit.cli`` processes running one command (each with ``--json``)."""

    def __init__(self, argv: Sequence[str], env: dict[str, str]) -> None:
        self.argv = [sys.executable, "-m", "talkkit.cli", *argv, "--json"]
        self.env = env
        self.processes: list[subprocess.Popen[str]] = []

    def start(self, count: int) -> Fleet:
        """Start ``count`` processes of the command at once."""
        for _ in range(count):
            self.processes.append(
                subprocess.Popen(
                    self.argv,
                    env=self.env,
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        return self

    def kill(self, n: int) -> None:
        """SIGKILL process ``n`` (as a host that dies would be)."""
        self.processes[n].send_signal(signal.SIGKILL)

    def finish(self, timeout: float) -> list[tuple[int, dict[str, Any] | None, str]]:
        """Wait for every process: ``(exit status, its JSON summary or None, stderr)`` each."""
        ended = []
        deadline = time.monotonic() + timeout
        for process in self.processes:
            try:
                out, err = process.communicate(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.stop()
                raise
            summary = json.loads(out) if out.strip() else None
            ended.append((process.returncode, summary, err))
        return ended

    def run_once(self, timeout: float) -> tuple[int, dict[str, Any] | None, str]:
        """Run one more process of the command to its end (a re-run)."""
        self.processes = []
        self.start(1)
        return self.finish(timeout)[0]

    def stop(self) -> None:
        """Kill whatever still runs (a failed test leaves nothing behind)."""
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.communicate()


def job_status(
    env: dict[str, str], journal: str, job: str, results: Path
) -> tuple[int, dict[str, Any]]:
    """``talkkit jobs status --json --results``: exit status and the job-wide summary."""
    argv = ["jobs", "status", "--journal", journal, "--job", job, "--results", str(results)]
    done = subprocess.run(
        [sys.executable, "-m", "talkkit.cli", *argv, "--json"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.strip(), done.stderr
    return done.returncode, json.loads(done.stdout)
