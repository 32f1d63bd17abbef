"""Shared helpers of the webhook tests: fresh keys, signed bodies, servers on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class KeyPair:
    """A fresh Ed25519 key pair, with the public key as the provider's portal shows it."""

    def __init__(self) -> None:
        self.private = Ed25519PrivateKey.generate()
        raw = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.public_b64 = base64.b64encode(raw).decode()


@pytest.fixture
def keys() -> KeyPair:
    """A key pair made for this test."""
    return KeyPair()


@pytest.fixture
def secret() -> str:
    """An HMAC secret made for this test."""
    return "whsec_" + secrets.token_hex(16)


def talkturo_call_body(event_type: str = "call.hangup", **payload: Any) -> bytes:
    """A Telnyx-style call event body."""
    data = {
        "record_type": "event",
        "event_type": event_type,
        "id": "evt_" + secrets.token_hex(6),
        "occurred_at": "2024-05-01T12:00:00.000Z",
        "payload": {"call_control_id": "v3:abc", "to": "+12025550143", **payload},
    }
    return json.dumps({"data": data}).encode()


def talkover_body(**fields: Any) -> bytes:
    """A Talkover call event body (the emulator's shape), stamped now unless given."""
    body = {
        "event": "event_phone_call_ended",
        "event_id": "evt_" + secrets.token_hex(6),
        "timestamp": datetime.now(UTC).isoformat(),
        "agent_id": "agent_1",
        "webhook_id": "wh_1",
        "call": {"id": "call_1", "status": "completed"},
        "context": {"order": 7},
        **fields,
    }
    return json.dumps(body).encode()


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve an ASGI ``app`` with uvicorn (lifespan on) on a free 127.0.0.1 port; yield its URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        app, log_level="error", access_log=False, lifespan="on", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(1000):
            if server.started or not thread.is_alive():
                break
            threading.Event().wait(0.01)
        assert server.started, "the server did not start"
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
