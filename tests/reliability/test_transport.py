"""
Transport edge cases on 127.0.0.1: cleartext to remote hosts refused, slow-loris servers, servers
that close keep-alive connections, and Ctrl-C (cancellation) in the middle of a bulk run.

The socket tests run on each transport talkkit can use: httpx's on both backends, aiohttp's on
asyncio only (`WIRES` holds the valid pairs, so no test is generated only to be skipped).
Warnings are errors here (pytest's ``filterwarnings``; the CLI process runs with ``-W error``).
"""

from __future__ import annotations

import gc
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path

import anyio
import pytest
from reliability._harness import cli_command, cli_env, create_company, serve

from talkkit import (
    APITimeoutError,
    AsyncTalkory,
    AsyncTalkover,
    AsyncTalkturo,
    ConfigurationError,
    OutcomeUnknownError,
    RetryPolicy,
)
from talkkit.emulator import TALKTURO_TEAM_ID, TALKTURO_TOKEN, Emulator, FaultRule

from ..conftest import BACKENDS
from .rawserver import Conn, RawServer, json_response, raw_server

pytestmark = pytest.mark.anyio

OVER_TOKEN = "talq_transport_test"
RETRY_ONCE = RetryPolicy(max_retries=1, backoff_base=0.0, backoff_max=0.0)


# (anyio backend, TALKKIT_TRANSPORT): aiohttp (the `fast` extra) runs on asyncio only.
WIRES = [
    (backend, wire)
    for backend in BACKENDS
    for wire in ("httpx", "aiohttp")
    if wire == "httpx" or (backend == "asyncio" and find_spec("aiohttp") is not None)
]
each_wire = pytest.mark.parametrize(
    ("anyio_backend", "transport"),
    WIRES,
    ids=[f"{backend}-{wire}" for backend, wire in WIRES],
    indirect=["transport"],
)


@pytest.fixture
def transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The wire talkkit builds by default (``TALKKIT_TRANSPORT``), one of `each_wire`."""
    name = str(request.param)
    monkeypatch.setenv("TALKKIT_TRANSPORT", name)
    return name


def _over(
    server: RawServer, timeout: float = 0.3, retry: RetryPolicy = RETRY_ONCE
) -> AsyncTalkover:
    return AsyncTalkover(
        OVER_TOKEN,
        base_url=server.url + "/api/v1",
        timeout=timeout,
        rate_limit=None,
        retry=retry,
    )


# -- cleartext ------------------------------------------------------------------------------


REMOTE = [
    "http://api.talkover.ai/api/v1",
    "http://10.0.0.7/api",
    "http://192.168.1.20:8080/api",
    "http://0.0.0.0:8765/api",
    "http://127.0.0.1.nip.io/api",
    "http://localhost.example.com/api",
    "http://127.0.0.1@evil.example/api",
    "HTTP://EXAMPLE.COM/api",
    "http://[2001:db8::1]/api",
]
LOOPBACK = [
    "http://127.0.0.1:8765/api",
    "http://127.9.9.9/api",
    "http://localhost:8765/api",
    "http://LOCALHOST/api",
    "http://api.localhost/api",
    "http://[::1]:8765/api",
]
CLIENTS: list[Callable[[str, bool], object]] = [
    lambda url, insecure: AsyncTalkturo("tk_test_x", base_url=url, allow_insecure=insecure),
    lambda url, insecure: AsyncTalkover(OVER_TOKEN, base_url=url, allow_insecure=insecure),
    lambda url, insecure: AsyncTalkory(
        "tk_live_" + "x" * 32, base_url=url, allow_insecure=insecure
    ),
]


@pytest.mark.parametrize("url", REMOTE)
@pytest.mark.parametrize("make", CLIENTS, ids=["talkturo", "talkover", "talkory"])
async def test_cleartext_to_a_remote_host_is_refused(
    make: Callable[[str, bool], object], url: str
) -> None:
    """http:// to anything but loopback is refused before a connection is made."""
    with pytest.raises(ConfigurationError, match="cleartext") as info:
        make(url, False)
    assert info.value.field == "base_url"


@pytest.mark.parametrize("url", LOOPBACK)
async def test_cleartext_to_loopback_is_allowed(url: str) -> None:
    """http:// to a loopback address or name (the emulator, a local proxy) is fine."""
    async with AsyncTalkover(OVER_TOKEN, base_url=url) as client:
        assert client.base_url.lower().startswith("http://")


async def test_remote_cleartext_from_the_environment_is_refused_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A base URL from TALKOVER_BASE_URL is checked like an argument; allow_insecure opts in."""
    monkeypatch.setenv("TALKOVER_BASE_URL", "http://api.talkover.ai/api/v1")
    with pytest.raises(ConfigurationError, match="cleartext"):
        AsyncTalkover(OVER_TOKEN)
    async with AsyncTalkover(OVER_TOKEN, allow_insecure=True) as client:
        assert client.base_url == "http://api.talkover.ai/api/v1"


# -- slow-loris -------------------------------------------------------------------------------


def _never_finishes_headers(conn: Conn) -> None:
    """Reads the request, sends a status line, then nothing (holding the connection)."""
    while conn.read_request() is not None:
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        conn.hold(30)
        return


def _trickles_headers(conn: Conn) -> None:
    """Sends a header byte every 50 ms, forever: each read succeeds, the head never ends."""
    if conn.read_request() is None:
        return
    conn.send(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    while conn.hold(0.05) and conn.send(b"z"):
        pass


@each_wire
async def test_slow_loris_get_times_out_and_is_retried(transport: str) -> None:
    """Headers that never finish hit the read timeout: APITimeoutError after one retry."""
    with raw_server(_never_finishes_headers) as server:
        async with _over(server) as client:
            with anyio.fail_after(10), pytest.raises(APITimeoutError) as info:
                await client.agents.get("agent_1")
    assert info.value.request_sent
    assert server.requests == ["GET /api/v1/agents/agent_1 HTTP/1.1"] * 2


@each_wire
async def test_slow_loris_post_is_an_unknown_outcome_sent_once(transport: str) -> None:
    """An unsafe POST that times out after sending is OutcomeUnknownError, never sent twice."""
    with raw_server(_never_finishes_headers) as server:
        async with _over(server) as client:
            with anyio.fail_after(10), pytest.raises(OutcomeUnknownError) as info:
                await client.agents.create(name="Loris", label="Loris")
    assert isinstance(info.value.cause, APITimeoutError)
    assert server.requests == ["POST /api/v1/agents HTTP/1.1"]


def _trickles_the_body(conn: Conn) -> None:
    """Sends the headers of a 100-byte JSON body, then one byte of it every 50 ms."""
    while conn.read_request() is not None:
        conn.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        )
        for _ in range(100):
            if not (conn.hold(0.05) and conn.send(b" ")):
                return


@each_wire
@pytest.mark.parametrize(
    ("answer", "part"), [(_trickles_headers, "headers"), (_trickles_the_body, "body")]
)
async def test_trickled_bytes_hit_the_timeout(
    transport: str, answer: Callable[[Conn], None], part: str
) -> None:
    """Regression: headers or a body trickled a byte at a time cannot hold an attempt past its
    timeouts (the body of a non-streaming call)."""
    with raw_server(answer) as server:
        async with _over(server, timeout=0.2) as client:
            with anyio.fail_after(6), pytest.raises(APITimeoutError) as info:
                await client.agents.get("agent_1")
    assert info.value.request_sent
    assert f"{part} not received" in str(info.value)
    assert len(server.requests) == 2


def _streams_events(conn: Conn) -> None:
    """Answers with 30 server-sent events, one every 50 ms (chunked)."""
    if conn.read_request() is None:
        return
    conn.send(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    for i in range(30):
        event = f"data: {i}\n\n".encode()
        if not (conn.hold(0.05) and conn.send(b"%x\r\n%s\r\n" % (len(event), event))):
            return
    conn.send(b"0\r\n\r\n")


@each_wire
async def test_a_stream_may_outlast_the_attempt_limit(transport: str) -> None:
    """A streamed call is bounded until its headers arrive: events may keep coming after that."""
    with raw_server(_streams_events) as server:
        async with _over(server, timeout=0.3) as client:  # an attempt's limit: 4 x 0.3 s
            with anyio.fail_after(20):
                response = await client.request("GET", "/calls/c1/events", stream=True)
                try:
                    lines = [line async for line in response.aiter_lines() if line]
                finally:
                    await response.aclose()
    assert lines == [f"data: {i}" for i in range(30)]


@each_wire
async def test_no_retry_starts_after_the_deadline_once_an_attempt_was_cut(transport: str) -> None:
    """The retry deadline and the attempt limit together bound a call: one attempt, no retry."""
    policy = RetryPolicy(max_retries=3, backoff_base=0.0, backoff_max=0.0, deadline=0.5)
    with raw_server(_trickles_headers) as server:
        async with _over(server, timeout=0.2, retry=policy) as client:  # limit: 4 x 0.2 s
            with anyio.fail_after(6), pytest.raises(APITimeoutError) as info:
                await client.agents.get("agent_1")
    assert info.value.request_sent
    assert server.requests == ["GET /api/v1/agents/agent_1 HTTP/1.1"]


async def test_waiting_for_the_rate_limit_does_not_cut_the_attempt() -> None:
    """Pacing waits count towards the call's deadline, yet every paced call is still sent once."""
    policy = RetryPolicy(max_retries=1, backoff_base=0.0, backoff_max=0.0, deadline=0.2)
    with raw_server(_answers_everything) as server:
        async with AsyncTalkover(
            OVER_TOKEN, base_url=server.url + "/api/v1", rate_limit="20/s", retry=policy
        ) as client:

            async def create(i: int) -> None:
                await client.request_json("POST", "/agents", json={"n": i})

            with anyio.fail_after(20):
                async with anyio.create_task_group() as tg:
                    for i in range(12):  # the last waits ~0.55 s for its slot, past the deadline
                        tg.start_soon(create, i)
    assert server.requests == ["POST /api/v1/agents HTTP/1.1"] * 12


# -- keep-alive -------------------------------------------------------------------------------


def _closes_when_idle(conn: Conn) -> None:
    """Answers announcing keep-alive, but closes a connection idle for 30 ms (a short keep-alive timeout)."""
    while conn.read_request() is not None and conn.send(json_response()):
        conn.sock.settimeout(0.03)


def _drops_the_next_request(conn: Conn) -> None:
    """Answers the first request of a connection; closes it on the next one, unanswered."""
    if conn.read_request() is not None and conn.send(json_response()):
        conn.read_request()


@each_wire
async def test_keep_alive_closed_between_requests_is_handled(transport: str) -> None:
    """A server closing idle kept-alive connections: GETs and POSTs after the close all succeed, once."""
    with raw_server(_closes_when_idle) as server:
        async with _over(server, timeout=2) as client:
            for i in range(4):
                await client.request_json("GET", f"/agents/a{i}")
                await client.request_json("POST", "/agents", json={"name": f"n{i}"})
                await anyio.sleep(0.1)  # the server closes the connection meanwhile
    assert [r.split()[0] for r in server.requests] == ["GET", "POST"] * 4
    assert server.connections == 4  # a new connection after each close, none used closed


@each_wire
async def test_connection_dropped_on_reuse_retries_gets_and_never_resends_posts(
    transport: str,
) -> None:
    """On a kept-alive connection closed unanswered, a GET is retried; a POST is unknown, sent once."""
    with raw_server(_drops_the_next_request) as server:
        async with _over(server, timeout=2) as client:
            await client.request_json("GET", "/agents/first")
            await client.request_json("GET", "/agents/second")  # dropped, retried on a new one
            gets = len(server.requests)
            with pytest.raises(OutcomeUnknownError):
                await client.request_json("POST", "/agents", json={"name": "n"})
    assert gets == 3
    assert [r.split()[0] for r in server.requests[gets:]] == ["POST"]


# -- Ctrl-C -----------------------------------------------------------------------------------


def _rows(n: int) -> list[dict[str, str]]:
    return [{"first_name": f"F{i}", "last_name": "L", "email": f"c{i}@x.com"} for i in range(n)]


def _integrity(journal: Path) -> str:
    db = sqlite3.connect(journal)
    try:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()


@each_wire
async def test_cancelling_a_bulk_run_leaves_no_tasks_and_no_open_client(
    transport: str, tmp_path: Path
) -> None:
    """Cancelled mid-run (what Ctrl-C does), the job leaves no task, no open connection, a sound journal."""
    emu = Emulator(rate_limits={"talkturo": None})
    emu.faults.add(FaultRule("POST /api/crm/contacts", latency=0.002))
    journal = tmp_path / "j.db"
    with serve(emu) as served:
        before = {task.id for task in anyio.get_running_tasks()}
        client = AsyncTalkturo(
            TALKTURO_TOKEN, base_url=served.talkturo_url, team_id=TALKTURO_TEAM_ID, rate_limit=None
        )
        async with client:
            company = (await client.companies.create("Cancelled Inc.")).id
            job = client.contacts.import_many(
                _rows(400), company_id=company, journal=journal, concurrency=16
            )
            seen = 0
            with anyio.CancelScope() as scope:
                async with job.stream() as outcomes:
                    async for _ in outcomes:
                        seen += 1
                        if seen == 60:
                            scope.cancel()
            assert scope.cancelled_caught
        left = {task.id for task in anyio.get_running_tasks()} - before
        gc.collect()  # an unclosed client or session would warn now, and warnings are errors
        assert not left, "tasks left running after the cancelled job"
        assert client._closed
        assert _integrity(journal) == "ok"
        stored = len(emu.talkturo.contacts)
        assert 60 <= stored < 400
        async with AsyncTalkturo(
            TALKTURO_TOKEN, base_url=served.talkturo_url, team_id=TALKTURO_TEAM_ID, rate_limit=None
        ) as again:
            summary = await again.contacts.import_many(
                _rows(400), company_id=company, journal=journal
            )
    assert (summary.total, summary.done) == (400, 400)
    emails = [c["email"] for c in emu.talkturo.contacts.values()]
    assert len(emails) == len(set(emails)) == 400


def _answers_everything(conn: Conn) -> None:
    """Reads each request whole and answers it."""
    while conn.read_request() is not None and conn.send(json_response()):
        pass


@each_wire
async def test_a_large_body_is_sent_without_warnings(transport: str) -> None:
    """Regression: a 2 MiB body goes out without a ResourceWarning (aiohttp warns about raw bytes)."""
    with raw_server(_answers_everything) as server:
        async with _over(server, timeout=10) as client:
            await client.request_json("POST", "/agents", json={"notes": "x" * (2 << 20)})
    assert server.requests == ["POST /api/v1/agents HTTP/1.1"]


def _never_reads(conn: Conn) -> None:
    """Accepts and then reads nothing: a large body fills the socket buffers and the send blocks."""
    conn.hold(30)


@each_wire
async def test_a_post_cancelled_mid_send_leaves_nothing_for_the_gc(transport: str) -> None:
    """Regression: Ctrl-C while a body is being sent leaves no half-run generator to warn about (trio)."""
    with raw_server(_never_reads) as server:
        async with _over(server, timeout=30) as client:
            with anyio.move_on_after(0.5) as scope:
                await client.request_json("POST", "/agents", json={"notes": "x" * (32 << 20)})
            assert scope.cancelled_caught
        gc.collect()  # an unfinished async generator warns here, and warnings are errors


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_in_the_cli_exits_130_without_warnings(tmp_path: Path) -> None:
    """SIGINT to ``talkkit contacts import`` under ``-W error -X dev``: exit 130, stderr clean."""
    emu = Emulator(rate_limits={"talkturo": None})
    emu.faults.add(FaultRule("POST /api/crm/contacts", latency=0.003))
    path = tmp_path / "rows.csv"
    path.write_text(
        "first_name,last_name,email\n" + "".join(f"F{i},L,c{i}@x.com\n" for i in range(2_000))
    )
    with serve(emu) as served:
        company = create_company(served)
        command = cli_command(
            "contacts",
            "import",
            str(path),
            "--company-id",
            company,
            "--journal",
            str(tmp_path / "j.db"),
            "--json",
        )
        command[1:1] = ["-W", "error", "-X", "dev"]
        proc = subprocess.Popen(
            command, env=cli_env(served), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            deadline = time.monotonic() + 30
            while len(emu.talkturo.contacts) < 150:
                assert proc.poll() is None, "the import ended before Ctrl-C"
                assert time.monotonic() < deadline, "no progress"
                time.sleep(0.01)
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 130, stderr
    for marker in (
        "Traceback",
        "Task was destroyed",
        "Unclosed",
        "ResourceWarning",
        "Exception ignored",
        "never awaited",
    ):
        assert marker not in stderr, stderr
    assert "Resume with:" in stderr
    assert _integrity(tmp_path / "j.db") == "ok"
    assert os.path.getsize(tmp_path / "j.db") > 0
