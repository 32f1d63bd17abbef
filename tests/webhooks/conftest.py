"""Shared helpers of the webhook tests: fresh keys, signed bodies, servers on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from talkkit.emulator import Emulator
from talkkit.talkturo import AsyncTalkturo
from talkkit.talkturo.types import CallEvent, CallHangup
from talkkit.testing import serving
from talkkit.webhooks import Event

Message = MutableMapping[str, Any]


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
    with serving(app, lifespan=True) as url:
        yield url


def _event_id(body: bytes) -> str:
    """A delivery's event id: Talkover's ``event_id``, Talkturo's ``data.id``."""
    data = json.loads(body)
    inner = data.get("data")
    return str(data.get("event_id") or (inner.get("id") if isinstance(inner, dict) else None))


class FlakyNetwork:
    """
    Sits in front of a receiver. On the first delivery of an event it either passes it on
    and loses the receiver's answer (replying 500: the receiver took it, the sender does not
    know), refuses it before the receiver sees it (503), or passes it through, by the
    event id's hash. The sender retries the first two: the first kind is a duplicate.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: set[str] = set()
        self.lost = self.refused = 0

    async def __call__(
        self, scope: Message, receive: Callable[[], Awaitable[Message]], send: Any
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)  # lifespan: the receiver's workers
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        event_id = _event_id(body)
        first = event_id not in self.seen
        self.seen.add(event_id)
        fate = int(hashlib.sha256(event_id.encode()).hexdigest(), 16) % 3 if first else 2
        if fate == 0:

            async def lose(message: Message) -> None:
                """The receiver's answer never reaches the sender."""

            await self.app(scope, replay, lose)
            self.lost += 1
            await _answer(send, 500)
        elif fate == 1:
            self.refused += 1
            await _answer(send, 503)
        else:
            await self.app(scope, replay, send)


async def _answer(send: Any, status: int) -> None:
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def wait_for(done: Callable[[], bool], timeout: float = 30) -> None:
    """Poll ``done`` (state of servers running in other threads) until true or time is up."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "the deliveries did not all arrive"
        time.sleep(0.05)


HANGUP_STATUS = {
    "normal_clearing": "completed",
    "user_busy": "busy",
    "timeout": "no-answer",
    "unspecified": "failed",
}
"""How the emulator's ``call.hangup`` causes map to its final call statuses."""


async def start_talkturo_campaign(client: AsyncTalkturo, phones: Sequence[str]) -> str:
    """
    A campaign with one contact per phone plus one with an email only, started; its id.

    The contact without a phone is on the call list but cannot be called.
    """
    tag = secrets.token_hex(3)
    company = await client.companies.create(name="Webhook Co " + tag)
    ids = []
    for n, phone in enumerate(phones):
        contact = await client.contacts.create(
            company_id=company.id, first_name=f"Lead{n}", last_name="Phone", phone=phone
        )
        ids.append(contact.id)
    mailer = await client.contacts.create(
        company_id=company.id, first_name="Mail", last_name="Only", email=f"mail-{tag}@example.com"
    )
    campaign = await client.campaigns.create(name="Webhooks")
    await client.campaigns.add_contacts(campaign.id, contact_ids=[*ids, mailer.id])
    await client.campaigns.start(campaign.id)
    return campaign.id


def talkturo_finals_arrived(emu: Emulator, handled: Sequence[Event]) -> bool:
    """Whether a ``call.hangup`` was handled for every call the emulator's campaigns placed."""
    calls = {c["call_control_id"] for c in emu.talkturo.calls.values()}
    hung_up = {e.call_control_id for e in handled if isinstance(e, CallHangup)}
    return bool(calls) and hung_up == calls


def check_talkturo_calls(emu: Emulator, handled: Sequence[Event]) -> Counter[str]:
    """
    Every Talkturo call's events were handled once each, in the documented set, and its
    final status (the one ``call.hangup``) is the emulator's; return the final statuses.
    """
    events = [e for e in handled if isinstance(e, CallEvent)]
    ids = [e.id for e in events]
    assert len(ids) == len(set(ids)), "an event was handled twice"
    fates = emu.talkturo_call_fates()
    finals: Counter[str] = Counter()
    for call_id, call in emu.talkturo.calls.items():
        mine = [e for e in events if e.call_control_id == call["call_control_id"]]
        assert all(e.to == call["to"] and e.from_ == call["from"] for e in mine)
        assert all(e.extra["campaign_id"] == call["campaign_id"] for e in mine)
        types = Counter(e.type for e in mine)
        status = fates[call_id].status
        expected = {"call.initiated": 1, "call.hangup": 1}
        if status == "completed":
            expected |= {"call.answered": 1, "call.machine_detection.ended": 1}
            expected["call.completed"] = 1
        assert types == Counter(expected), (call_id, status, types)
        (hangup,) = [e for e in mine if isinstance(e, CallHangup)]
        assert HANGUP_STATUS[hangup.hangup_cause or ""] == status == call["status"]
        finals[status] += 1
    return finals
