"""
The emulator's Talkturo call webhooks in-process: a started campaign calls its contacts, each
status change is delivered signed with the emulator's Ed25519 key (verified by `unwrap` and
the receiver), retried with backoff and handled once; a wrong key or a changed body fails.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import httpx
import pytest

import talkkit.webhooks
from talkkit import WebhookSignatureError
from talkkit.emulator import Emulator
from talkkit.talkturo.types import CallHangup, CallInitiated
from talkkit.testing import talkturo_client
from talkkit.webhooks import Event, unwrap

from .conftest import FlakyNetwork, check_talkturo_calls, start_talkturo_campaign

pytestmark = pytest.mark.anyio

HOOK = "http://hooks.test/talkturo"
PHONES = [f"+1202555{n:04d}" for n in range(40, 50)]


class Recorder(httpx.AsyncBaseTransport):
    """Answers every delivery with ``status`` and keeps what was sent."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        return httpx.Response(self.status)


async def _run_campaign(emu: Emulator, phones: list[str] = PHONES) -> str:
    async with talkturo_client(emu) as client:
        return await start_talkturo_campaign(client, phones)


async def _deliver_all(emu: Emulator, transport: httpx.AsyncBaseTransport) -> int:
    """Deliver until nothing is pending (retries are due at once with call_time_scale 0)."""
    rounds = 0
    while emu.pending_webhooks or rounds == 0:
        rounds += 1
        assert rounds <= 10, "deliveries still pending after 10 rounds"
        await emu.deliver_due(transport=transport)
    return rounds


@pytest.fixture
def emu() -> Emulator:
    """Calls end at once; their webhooks go to `HOOK`."""
    return Emulator(seed=11, call_time_scale=0, talkturo_call_webhook_url=HOOK)


async def test_a_campaign_run_delivers_every_calls_events_once(emu: Emulator) -> None:
    """Every event verified by the receiver, handled once; one final status per call."""
    handled: list[Event] = []

    async def on_event(event: Event) -> None:
        handled.append(event)

    receiver = talkkit.webhooks.app(on_event, talkturo_public_key=emu.talkturo_webhook_public_key)
    network = FlakyNetwork(receiver)
    campaign_id = await _run_campaign(emu)
    calls = emu.talkturo.calls
    assert sorted(c["to"] for c in calls.values()) == PHONES  # the contact without a phone: no
    assert {c["campaign_id"] for c in calls.values()} == {campaign_id}
    async with receiver.running():
        await _deliver_all(emu, httpx.ASGITransport(app=network))

    finals = check_talkturo_calls(emu, handled)
    assert finals.total() == len(PHONES)
    assert len(finals) > 1  # the seeded mix: calls end in different ways
    assert receiver.refused == 0
    assert network.lost > 0
    assert network.refused > 0
    assert receiver.duplicates == network.lost
    retried = [d for d in emu.webhook_deliveries if d.attempt > 1]
    assert len(retried) == network.lost + network.refused
    assert all(d.ok and d.url == HOOK for d in retried)
    assert len({d.event_id for d in emu.webhook_deliveries}) == len(handled)


async def test_deliveries_verify_with_the_public_key_only(emu: Emulator) -> None:
    """`unwrap` takes the emulator's key; another key, or a changed body, is refused."""
    recorder = Recorder()
    await _run_campaign(emu, PHONES[:2])
    await emu.deliver_due(transport=recorder)
    assert recorder.requests
    key = emu.talkturo_webhook_public_key
    other = Emulator(talkturo_call_webhook_url=HOOK).talkturo_webhook_public_key
    assert other != key
    events = []
    for request in recorder.requests:
        body, headers = request.content, request.headers
        event = unwrap(body, headers, platform="talkturo", public_key=key)
        assert event.type.startswith("call.")
        events.append(event)
        with pytest.raises(WebhookSignatureError) as wrong:
            unwrap(body, headers, platform="talkturo", public_key=other)
        assert wrong.value.reason == "bad_signature"
        with pytest.raises(WebhookSignatureError) as changed:
            unwrap(body.replace(b"+1202", b"+1303"), headers, platform="talkturo", public_key=key)
        assert changed.value.reason == "bad_signature"
    assert sorted(e.to for e in events if isinstance(e, CallInitiated)) == PHONES[:2]


async def test_a_receiver_with_another_key_refuses_and_the_emulator_gives_up(
    emu: Emulator,
) -> None:
    """Signed with another key: each attempt is refused 400, retried, then given up."""
    handled: list[Event] = []

    async def on_event(event: Event) -> None:
        handled.append(event)

    stranger = Emulator(talkturo_call_webhook_url=HOOK).talkturo_webhook_public_key
    receiver = talkkit.webhooks.app(on_event, talkturo_public_key=stranger)
    await _run_campaign(emu, PHONES[:1])
    await _deliver_all(emu, httpx.ASGITransport(app=receiver))
    attempts = emu.webhook_deliveries
    assert handled == []
    assert attempts
    assert all(d.status_code == 400 for d in attempts)
    assert receiver.refused == len(attempts)
    per_event = {d.event_id: d.attempt for d in attempts}
    assert set(per_event.values()) == {4}  # the first attempt and 3 retries


async def test_each_attempt_is_signed_with_its_own_time() -> None:
    """A retry carries the emulator's clock at the time of the retry, freshly signed."""
    clock = [datetime(2030, 1, 1, tzinfo=UTC)]
    emu = Emulator(seed=2, call_time_scale=0, now=lambda: clock[0], talkturo_call_webhook_url=HOOK)
    await _run_campaign(emu, PHONES[:1])
    refusing = Recorder(503)
    await emu.deliver_due(transport=refusing)
    clock[0] += timedelta(seconds=90)
    accepting = Recorder(200)
    await emu.deliver_due(transport=accepting)
    assert len(refusing.requests) == len(accepting.requests) > 0
    stamps = {r.headers["Telnyx-Timestamp"] for r in refusing.requests}
    retried = {r.headers["Telnyx-Timestamp"] for r in accepting.requests}
    assert stamps == {str(int(datetime(2030, 1, 1, tzinfo=UTC).timestamp()))}
    assert retried == {str(int(clock[0].timestamp()))}
    key = emu.talkturo_webhook_public_key
    for request in accepting.requests:
        event = unwrap(
            request.content,
            request.headers,
            platform="talkturo",
            public_key=key,
            tolerance=float("inf"),
        )
        assert event.type.startswith("call.")


async def test_no_url_no_deliveries_and_the_url_can_change() -> None:
    """Without a URL calls are placed but nothing is queued; a URL set later applies."""
    emu = Emulator(seed=3, call_time_scale=0)
    await _run_campaign(emu, PHONES[:3])
    emu.talkturo.settle()
    assert len(emu.talkturo.calls) == 3
    assert all(c["ended_at"] for c in emu.talkturo.calls.values())
    assert emu.pending_webhooks == 0
    emu.talkturo_call_webhook_url = HOOK
    await _run_campaign(emu, PHONES[3:4])
    recorder = Recorder()
    await emu.deliver_due(transport=recorder)
    assert {r.url for r in recorder.requests} == {httpx.URL(HOOK)}
    hangups = [
        e
        for r in recorder.requests
        if isinstance(
            e := unwrap(
                r.content,
                r.headers,
                platform="talkturo",
                public_key=emu.talkturo_webhook_public_key,
            ),
            CallHangup,
        )
    ]
    assert [h.to for h in hangups] == PHONES[3:4]
    key = emu.talkturo_webhook_public_key
    emu.reset()  # configuration, like the dashboard's: kept
    assert (emu.talkturo_call_webhook_url, emu.talkturo_webhook_public_key) == (HOOK, key)
    assert emu.talkturo.calls == {}
    with pytest.raises(ValueError, match="http"):
        emu.talkturo_call_webhook_url = "ftp://hooks.test/x"


def test_a_url_needs_cryptography(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without cryptography: no URL works; setting one names the webhooks extra."""
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.asymmetric.ed25519", None)
    Emulator().reset()
    with pytest.raises(ImportError, match=r"talkkit\[webhooks\]"):
        Emulator(talkturo_call_webhook_url=HOOK)


def test_the_emulator_extra_does_not_import_cryptography() -> None:
    """A fresh interpreter without cryptography builds and resets an emulator."""
    code = (
        "import sys; sys.modules['cryptography'] = None\n"
        "from talkkit.emulator import Emulator\n"
        "emu = Emulator(); emu.reset(); print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip() == "ok", done.stderr
