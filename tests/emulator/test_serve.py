"""The emulator served by uvicorn in a subprocess: real sockets, real drops, clean Ctrl-C."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import talkkit
from talkkit.emulator import TALKORY_KEY

AUTH = f"Authorization: Bearer {TALKORY_KEY}"
WALLET = "GET /v1/wallet"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(args: list[str]) -> subprocess.Popen[str]:
    src = str(Path(talkkit.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(
        [sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def _wait_until_up(port: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("the emulator did not start")


def _stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    assert proc.returncode == 0, err
    return out, err


def _raw_get(port: int, path: str) -> bytes:
    """Send one request over a raw socket and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{AUTH}\r\n\r\n"
        sock.sendall(request.encode())
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def test_cli_serve_drops_for_real_and_stops_cleanly() -> None:
    """`talkkit emulator serve` answers on 127.0.0.1, really closes dropped sockets, exits 0."""
    port = _free_port()
    proc = _start(
        [
            "-c",
            "from talkkit.cli import main; main()",
            "emulator",
            "serve",
            "--port",
            str(port),
            "--fault-route",
            WALLET,
            "--drop-rate",
            "1",
        ]
    )
    try:
        _wait_until_up(port, proc)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, headers={"Authorization": AUTH[15:]}) as client:
            models = client.get("/v1/models")
            assert models.status_code == 200
            assert models.headers["x-ratelimit-limit"] == "30"
            with pytest.raises(httpx.RemoteProtocolError):
                client.get("/v1/wallet")
        received = _raw_get(port, "/v1/wallet")
        head, _, body = received.partition(b"\r\n\r\n")
        assert b"content-length: 64" in head.lower()
        assert len(body) < 64  # the server closed the socket before the promised body
    finally:
        out, err = _stop(proc)
    assert f"export TALKORY_BASE_URL={base} TALKORY_API_KEY={TALKORY_KEY}" in out
    assert f"export TALKOVER_BASE_URL={base}/api/v1" in out
    assert f"export TALKTURO_BASE_URL={base}/api" in out
    assert "Traceback" not in err
    assert "Exception in ASGI application" not in err


def test_python_m_emulator_serves_and_stops_on_sigint() -> None:
    """`python -m talkkit.emulator --port N` serves all three APIs and exits 0 on Ctrl-C."""
    port = _free_port()
    proc = _start(["-m", "talkkit.emulator", "--port", str(port), "--seed", "3"])
    try:
        _wait_until_up(port, proc)
        response = httpx.get(f"http://127.0.0.1:{port}/api/v1/agents")
        assert response.json()["error"] == "MISSING_TOKEN"
        started = time.monotonic()
    finally:
        out, err = _stop(proc)
    assert time.monotonic() - started < 5
    assert f"Talkory   http://127.0.0.1:{port}" in out
    assert "Traceback" not in err


def test_every_emulator_quiets_uvicorn_about_deliberate_drops() -> None:
    """uvicorn's error logger drops records of deliberate drops and keeps real errors."""
    from talkkit.emulator import Emulator
    from talkkit.emulator._drop import ConnectionDropped

    Emulator()
    logger = logging.getLogger("uvicorn.error")

    def record(exc: BaseException) -> logging.LogRecord:
        return logger.makeRecord(
            "uvicorn.error", logging.ERROR, __file__, 1, "boom", (), (type(exc), exc, None)
        )

    assert logger.filter(record(ConnectionDropped())) is False
    assert logger.filter(record(ExceptionGroup("g", [ConnectionDropped()]))) is False
    assert logger.filter(record(RuntimeError("real bug"))) is True


def test_a_served_request_is_logged_before_its_answer_arrives() -> None:
    """Once a client has its response, the request log of a served emulator already holds it."""
    from talkkit.emulator import Emulator
    from talkkit.testing import running_emulator

    emu = Emulator(rate_limits={"talkturo": None, "talkover": None, "talkory": None})
    with running_emulator(emu) as served, httpx.Client() as client:
        for n in range(1, 401):
            client.get(
                f"{served.url}/v1/wallet", headers={"Authorization": f"Bearer {TALKORY_KEY}"}
            )
            assert len(emu.request_log) == n


def test_running_emulator_turns_nagle_off_on_its_connections() -> None:
    """Regression: the served emulator's connections have TCP_NODELAY (no 40 ms delayed ACKs)."""
    from talkkit.testing import _loopback_listener

    with _loopback_listener() as listener:
        listener.listen(1)
        with socket.create_connection(listener.getsockname()):
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.proto == socket.IPPROTO_TCP  # asyncio's own test for NODELAY
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
