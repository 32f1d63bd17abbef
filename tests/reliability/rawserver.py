"""
Misbehaving HTTP servers on 127.0.0.1 for the transport tests, on plain sockets in a thread: each
connection runs a behaviour function that reads requests and answers (or does not) as it likes.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

import attrs

__all__ = ["Conn", "RawServer", "raw_server"]


@attrs.define
class Conn:
    """One accepted connection, as a behaviour sees it."""

    sock: socket.socket
    server: RawServer
    buffer: bytes = b""

    def read_request(self) -> bytes | None:
        """The next request's head and body (``None`` when the client closed the connection)."""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self._recv()
            if not chunk:
                return None
            self.buffer += chunk
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(rest) < length:
            chunk = self._recv()
            if not chunk:
                return None
            rest += chunk
        self.buffer = rest[length:]
        request = head + b"\r\n\r\n" + rest[:length]
        with self.server.lock:
            self.server.requests.append(head.split(b"\r\n", 1)[0].decode())
        return request

    def _recv(self) -> bytes:
        try:
            return self.sock.recv(65536)
        except OSError:
            return b""

    def send(self, data: bytes) -> bool:
        """Send bytes; ``False`` when the client is gone."""
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def hold(self, seconds: float) -> bool:
        """Wait (``False`` when the server is stopping)."""
        return not self.server.stopping.wait(seconds)


def json_response(
    body: bytes = b'{"success": true, "data": {"id": "x"}}', *, close: bool = False
) -> bytes:
    """A complete HTTP/1.1 response with a JSON body."""
    connection = b"close" if close else b"keep-alive"
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + b"Content-Length: " + str(len(body)).encode() + b"\r\n"
        + b"Connection: " + connection + b"\r\n\r\n" + body
    )  # fmt: skip


@attrs.define
class RawServer:
    """A listening socket, the requests it saw (request lines) and how many connections."""

    url: str
    requests: list[str] = attrs.Factory(list)
    connections: int = 0
    lock: threading.Lock = attrs.Factory(threading.Lock)
    stopping: threading.Event = attrs.Factory(threading.Event)


@contextmanager
def raw_server(behaviour: Callable[[Conn], None]) -> Iterator[RawServer]:
    """Serve ``behaviour`` on a free 127.0.0.1 port until the block ends."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.05)
    server = RawServer(f"http://127.0.0.1:{listener.getsockname()[1]}")
    workers: list[threading.Thread] = []
    sockets: list[socket.socket] = []

    def run(sock: socket.socket) -> None:
        try:
            behaviour(Conn(sock, server))
        finally:
            sock.close()

    def accept() -> None:
        while not server.stopping.is_set():
            try:
                sock, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with server.lock:
                server.connections += 1
            sockets.append(sock)
            worker = threading.Thread(target=run, args=(sock,), daemon=True)
            workers.append(worker)
            worker.start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield server
    finally:
        server.stopping.set()
        acceptor.join(timeout=5)
        listener.close()
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for worker in workers:
            worker.join(timeout=5)
