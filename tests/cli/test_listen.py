"""
``talkkit calls dial --wait --listen``: the outcomes come from the agent's webhooks.

End to end over real sockets: the emulator, served from this process with webhook delivery on,
places the calls and delivers its signed agent webhooks to the receiver the command runs in its
own process (``python -m talkkit.cli``); the final statuses must be the emulator's truth, taken
without reading the call history (which a polling-only run cannot do without).
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import anyio
import pytest

from talkkit import AsyncTalkover
from talkkit.emulator import TALKOVER_TOKEN, Emulator
from talkkit.testing import ready_agent, running_emulator

from .conftest import Cli

SECRET = "whsec_cli_listen_5e3d"
FINAL_EVENTS = [
    "event_phone_call_ended",
    "event_phone_call_did_not_connect",
    "event_phone_call_error",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _agent_with_webhook(api: str, hook_url: str) -> str:
    async with AsyncTalkover(TALKOVER_TOKEN, base_url=api) as client:
        agent = await ready_agent(client, "Listener")
        await client.agent_webhooks.create(
            agent.id,
            name="dial outcomes",
            webhook_url=hook_url,
            events=FINAL_EVENTS,
            webhook_secret=SECRET,
            max_retries=5,
        )
        return agent.id


def test_wait_takes_every_outcome_from_the_webhooks(tmp_path: Path) -> None:
    """Every call's final status and talk time arrive by webhook: no call-history request made."""
    numbers = [f"+1312555{i:04d}" for i in range(12)]
    path = tmp_path / "numbers.csv"
    path.write_text("phone\n" + "\n".join(numbers) + "\n")
    results = tmp_path / "results.csv"
    port = _free_port()
    emu = Emulator(seed=11, call_time_scale=0.002, rate_limits={"talkover": None})
    with running_emulator(emu, webhooks=True) as served:
        api = served.talkover_url
        agent_id = anyio.run(_agent_with_webhook, api, f"http://127.0.0.1:{port}/")
        command = [
            sys.executable, "-m", "talkkit.cli", "calls", "dial", str(path),
            "--agent-id", agent_id, "--wait", "--listen", f"127.0.0.1:{port}",
            "--results", str(results), "--json",
        ]  # fmt: skip
        env = {
            **os.environ,
            "TALKOVER_TOKEN": TALKOVER_TOKEN,
            "TALKOVER_BASE_URL": api,
            "TALKOVER_WEBHOOK_SECRET": SECRET,
        }
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"Receiving Talkover webhooks on http://127.0.0.1:{port}/" in done.stderr
    assert SECRET not in done.stdout + done.stderr
    summary = json.loads(done.stdout)
    fates = emu.call_fates()
    assert len(fates) == len(numbers)
    truth = Counter(fate.status for fate in fates.values())
    assert len(truth) > 1  # the seeded mix: not every call ends the same way
    assert (summary["done"], summary["statuses"]) == (len(numbers), dict(truth))
    assert summary["talk_time_seconds"] == sum(fate.duration for fate in fates.values())
    with results.open(newline="") as file:
        lines = list(csv.DictReader(file))
    assert sorted(line["id"] for line in lines) == sorted(fates)
    for line in lines:
        fate = fates[line["id"]]
        assert (line["status"], float(line["duration"] or 0)) == (fate.status, fate.duration)
    # The outcomes came from the webhooks: a polling-only run reads the call history at least
    # once per poll until the last call ended; this run never read it.
    history = [r for r in emu.request_log if r.method == "GET" and r.path.endswith("/calls")]
    assert history == []
    finals = [d for d in emu.webhook_deliveries if d.ok and d.event in FINAL_EVENTS]
    assert len({d.event_id for d in finals}) == len(numbers)


@pytest.mark.parametrize(
    ("extra", "env", "message"),
    [
        (["--listen", "0"], {}, "--listen takes the outcomes of --wait"),
        (["--wait", "--listen", "0"], {}, "--listen needs the agent webhook's secret"),
        (["--wait", "--listen", "host:port"], {}, "is not [HOST:]PORT"),
        (["--wait", "--listen", "99999"], {}, "is not [HOST:]PORT"),
    ],
)
def test_listen_usage_errors_send_nothing(
    cli: Cli, agent_id: str, extra: list[str], env: dict[str, str | None], message: str
) -> None:
    """--listen without --wait, without a secret, or with a bad address: exit 2, no call placed."""
    path = cli.csv("phone\n+14155550100\n")
    result = cli.run(
        "calls", "dial", path, "--agent-id", agent_id, *extra,
        env={"TALKOVER_WEBHOOK_SECRET": None, **env},
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert cli.emu.calls_per_number() == Counter()


def test_listen_on_a_port_in_use_is_a_usage_error(cli: Cli, agent_id: str) -> None:
    """The address is bound before anything is sent: a port taken ends the command there."""
    path = cli.csv("phone\n+14155550100\n")
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = cli.run(
            "calls", "dial", path, "--agent-id", agent_id, "--wait",
            "--listen", f"127.0.0.1:{port}", "--webhook-secret", SECRET,
        )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert cli.emu.calls_per_number() == Counter()
