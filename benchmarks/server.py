"""
A minimal HTTP/1.1 keep-alive responder for the benchmarks (raw `asyncio.Protocol`).

It answers every request with a canned JSON body — ``GET`` with a Talkory ``/v1/health/llm``
payload, ``POST`` with a Talkturo contact-create envelope (201) — and optionally enforces a
per-token rate limit (token bucket keyed by the ``Authorization`` header, with
``X-RateLimit-Limit`` / ``-Remaining`` on every answer and 429 + ``Retry-After`` when empty).
Two control routes: ``GET /__stats`` (counters as JSON) and ``POST /__reset``.

It is deliberately tiny so that it is never the bottleneck: no routing, no JSON parsing, no
chunked request bodies. Run it in its own process (``python -m benchmarks.server``), which
prints ``PORT <n>`` once listening; `ServerProcess` does that and reads its CPU time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

__all__ = ["CONTACT_BODY", "HEALTH_BODY", "ServerProcess", "main"]

HEALTH_BODY = json.dumps(
    {
        "status": "ok",
        "checkedAt": "2025-01-01T00:00:00Z",
        "providers": {"openai": {"status": "ok"}, "anthropic": {"status": "ok"}},
    }
).encode()
CONTACT_BODY = json.dumps(
    {
        "success": True,
        "contact": {
            "id": "ct_0001",
            "team_id": "team_1",
            "company_id": "co_1",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.com",
            "phone": "+12025550123",
            "lead_status": "new",
            "tags": [],
            "custom_fields": {},
            "created_at": "2025-01-01T00:00:00Z",
            "updated_at": "2025-01-01T00:00:00Z",
        },
    }
).encode()
_LIMITED_BODY = b'{"success":false,"error":"Too many requests"}'
_UNLIMITED = 1_000_000  # advertised when no limit is enforced (a client learns "no pacing")


class _Bucket:
    __slots__ = ("tokens", "updated")

    def __init__(self, tokens: float, now: float) -> None:
        self.tokens = tokens
        self.updated = now


class App:
    """Canned answers, counters and the optional token bucket (shared by connections)."""

    def __init__(self, limit: int | None, period: float, burst: int | None) -> None:
        self.limit = limit
        self.period = period
        self.capacity = burst or limit or 0
        self.buckets: dict[bytes, _Bucket] = {}
        self.counts: dict[str, int] = {}
        self.accepted_span: list[float] = []  # monotonic times of the first and last 201

    def reset(self) -> None:
        self.buckets.clear()
        self.counts.clear()
        self.accepted_span.clear()

    def _take(self, token: bytes) -> tuple[bool, int, int]:
        """Spend a token: (allowed, remaining, retry_after seconds)."""
        assert self.limit is not None
        now = time.monotonic()
        bucket = self.buckets.get(token)
        if bucket is None:
            bucket = self.buckets[token] = _Bucket(float(self.capacity), now)
        rate = self.limit / self.period
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return True, math.floor(bucket.tokens), 0
        return False, 0, max(1, math.ceil((1 - bucket.tokens) / rate))

    def respond(self, head: bytes) -> bytes:
        """The full answer to one request (``head``: request line and headers, lower case)."""
        line_end = head.find(b"\r\n")
        method, _, rest = head[: line_end if line_end >= 0 else len(head)].partition(b" ")
        path = rest.partition(b" ")[0]
        if path.startswith(b"/__"):
            return self._control(method, path)
        counts = self.counts
        status, reason, body = (
            (201, b"Created", CONTACT_BODY) if method == b"post" else (200, b"OK", HEALTH_BODY)
        )
        extra = b"X-RateLimit-Limit: %d\r\nX-RateLimit-Remaining: %d\r\n" % (
            _UNLIMITED,
            _UNLIMITED - 1,
        )
        if self.limit is not None:
            allowed, remaining, retry_after = self._take(_header(head, b"\r\nauthorization:"))
            extra = b"X-RateLimit-Limit: %d\r\nX-RateLimit-Remaining: %d\r\n" % (
                self.limit,
                remaining,
            )
            if not allowed:
                status, reason, body = 429, b"Too Many Requests", _LIMITED_BODY
                extra += b"Retry-After: %d\r\n" % retry_after
        key = str(status)
        counts[key] = counts.get(key, 0) + 1
        if status == 201:
            now = time.monotonic()
            if self.accepted_span:
                self.accepted_span[1] = now
            else:
                self.accepted_span[:] = [now, now]
        return _answer(status, reason, body, extra)

    def _control(self, method: bytes, path: bytes) -> bytes:
        if method == b"post" and path == b"/__reset":
            self.reset()
            return _answer(200, b"OK", b"{}", b"")
        span = self.accepted_span
        seconds = span[1] - span[0] if span else 0.0
        body = json.dumps(
            {"counts": self.counts, "pid": os.getpid(), "accepted_seconds": seconds}
        ).encode()
        return _answer(200, b"OK", body, b"")


def _answer(status: int, reason: bytes, body: bytes, extra: bytes) -> bytes:
    return b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n%s" % (
        status,
        reason,
        len(body),
        extra,
        body,
    )


def _header(head: bytes, marker: bytes) -> bytes:
    """The value of one header (``head`` and ``marker`` ``b"\\r\\nname:"`` in lower case)."""
    start = head.find(marker)
    if start < 0:
        return b""
    start += len(marker)
    end = head.find(b"\r\n", start)
    return head[start : end if end >= 0 else len(head)].strip()


class _Connection(asyncio.Protocol):
    """One keep-alive connection: split the byte stream into requests, answer each."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        transport = self.transport
        assert transport is not None
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buffer[:end]).lower()
            length = _header(head, b"\r\ncontent-length:")
            total = end + 4 + (int(length) if length else 0)
            if len(buffer) < total:
                return
            del buffer[:total]
            transport.write(self.app.respond(head))
            if _header(head, b"\r\nconnection:").lower() == b"close":
                transport.close()
                return


async def serve(port: int, app: App) -> None:
    """Listen on 127.0.0.1:``port`` (0: any), print ``PORT <n>``, run until killed."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Connection(app), "127.0.0.1", port, backlog=1024)
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    """``python -m benchmarks.server [--port N] [--rate-limit 1800] [--period 60] [--burst N]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rate-limit", type=int, default=None, help="requests per period")
    parser.add_argument("--period", type=float, default=60.0)
    parser.add_argument("--burst", type=int, default=None, help="bucket size (default: limit)")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, App(args.rate_limit, args.period, args.burst)))


class ServerProcess:
    """
    Run the responder in a child process (own core, own GIL) for the length of a block.

    Attributes:
        url: ``http://127.0.0.1:<port>``.
    """

    def __init__(self, *, rate_limit: int | None = None, burst: int | None = None) -> None:
        self._args = [] if rate_limit is None else ["--rate-limit", str(rate_limit)]
        if burst is not None:
            self._args += ["--burst", str(burst)]
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> ServerProcess:
        root = Path(__file__).resolve().parent.parent
        self._process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.server", *self._args],
            cwd=root,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line.startswith("PORT "):
            self._process.kill()
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"
        return self

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far."""
        assert self._process is not None
        fields = Path(f"/proc/{self._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._process.stdout is not None:
                self._process.stdout.close()


if __name__ == "__main__":
    main()
