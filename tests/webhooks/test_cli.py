"""`talkkit webhooks listen` in a subprocess: prints verified events once, logs refusals."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

import talkkit
from talkkit.cli import build_cli
from talkkit.webhooks import sign

from .conftest import KeyPair, talkover_body, talkturo_call_body

SECRET = "whsec_cli_listen"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listen(port: int, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    src = str(Path(talkkit.__file__).resolve().parent.parent)
    path = os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path, **(env or {})}
    command = ["-c", "from talkkit.cli import main; main()", "webhooks", "listen"]
    return subprocess.Popen(
        [sys.executable, *command, "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_until_up(url: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            if httpx.get(url, timeout=1).status_code == 405:  # only POST is taken
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("the listener did not start")


def test_listen_prints_verified_events_once_and_logs_refusals() -> None:
    """A good delivery (sent twice) is printed once; a bad one is refused with its reason."""
    keys = KeyPair()
    port = _free_port()
    proc = _listen(port, "--talkover-secret", SECRET, "--talkturo-public-key", keys.public_b64)
    url = f"http://127.0.0.1:{port}/hooks"
    try:
        _wait_until_up(url, proc)
        over = talkover_body()
        signed = sign(over, platform="talkover", secret=SECRET)
        call = talkturo_call_body("call.hangup")
        with httpx.Client(timeout=5) as client:
            first = client.post(url, content=over, headers=signed)
            again = client.post(url, content=over, headers=signed)
            turo = client.post(
                url, content=call, headers=sign(call, platform="talkturo", private_key=keys.private)
            )
            bad = client.post(
                url, content=over, headers=sign(over, platform="talkover", secret="x")
            )
        assert (first.status_code, first.json()) == (200, {"received": True})
        assert again.json() == {"received": True, "duplicate": True}
        assert turo.status_code == 200
        assert (bad.status_code, bad.json()) == (400, {"error": "bad_signature"})
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    lines = out.splitlines()
    event_id = json.loads(over)["event_id"]
    turo_id = json.loads(call)["data"]["id"]
    assert lines == [
        f"event_phone_call_ended  id={event_id}  call=call_1  status=completed",
        f"call.hangup  id={turo_id}  call=v3:abc",
    ]
    assert "webhook refused: talkover bad_signature from 127.0.0.1" in err
    assert f"listening on http://127.0.0.1:{port}" in err
    assert "Traceback" not in err


def test_listen_json_prints_each_body_as_one_line() -> None:
    """--json: the verified body, compact, one line per event."""
    port = _free_port()
    proc = _listen(port, "--json", env={"TALKOVER_WEBHOOK_SECRET": f"old {SECRET}"})
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(url, proc)
        body = talkover_body()
        reply = httpx.post(
            url, content=body, headers=sign(body, platform="talkover", secret=SECRET)
        )
        assert reply.status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert [json.loads(line) for line in out.splitlines()] == [json.loads(body)]


def test_listen_without_any_secret_is_a_usage_error() -> None:
    """Nothing to verify with: exit 2, naming the options."""
    unset: dict[str, str | None] = dict.fromkeys(
        ("TALKOVER_WEBHOOK_SECRET", "TALKTURO_WEBHOOK_PUBLIC_KEY", "TALKTURO_WEBHOOK_SECRET")
    )
    result = CliRunner().invoke(build_cli(), ["webhooks", "listen", "--port", "1"], env=unset)
    assert result.exit_code == 2
    assert "--talkover-secret" in result.output
