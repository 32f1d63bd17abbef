"""client.webhooks: typed events, signature and timestamp checks, only typed errors."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talkkit import DecodeError, InvalidRequestError, TalkkitError
from talkkit.talkturo import (
    AsyncTalkturo,
    BillingEvent,
    CallAnswered,
    CallCompleted,
    CallEventType,
    CallHangup,
    CallInitiated,
    MachineDetectionEnded,
    WebhookEvent,
    WebhookSignatureError,
)
from talkkit.talkturo.webhooks import sign, verify

from .conftest import BASE_URL

SECRET = "whsec_test"

# Not closed on purpose: it does not own its transport, so nothing leaks and no warning fires.
CLIENT = AsyncTalkturo(
    "tok", base_url=BASE_URL, transport=httpx.MockTransport(lambda r: httpx.Response(500))
)
webhooks = CLIENT.webhooks


def call_body(event_type: str, **payload: Any) -> bytes:
    """A Telnyx-style call event body."""
    envelope = {
        "data": {
            "record_type": "event",
            "event_type": event_type,
            "id": "evt_1",
            "occurred_at": "2024-05-01T12:00:00.000Z",
            "payload": {
                "call_control_id": "v3:abc",
                "call_session_id": "sess_1",
                "from": "+14155550100",
                "to": "+12025550143",
                "direction": "outgoing",
                **payload,
            },
        },
        "meta": {"attempt": 1},
    }
    return json.dumps(envelope).encode()


def billing_body(event_type: str = "invoice.paid") -> bytes:
    """A Stripe-style billing event body."""
    return json.dumps(
        {
            "id": "evt_bill_1",
            "object": "event",
            "type": event_type,
            "created": 1714564800,
            "livemode": False,
            "data": {"object": {"id": "in_1", "amount_paid": 4900}},
        }
    ).encode()


@pytest.mark.parametrize(
    ("event_type", "cls"),
    [
        ("call.initiated", CallInitiated),
        ("call.answered", CallAnswered),
        ("call.completed", CallCompleted),
        ("call.hangup", CallHangup),
        ("call.machine_detection.ended", MachineDetectionEnded),
    ],
)
def test_call_events_are_typed(event_type: str, cls: type[WebhookEvent]) -> None:
    """Each documented call event becomes its own class with the common call fields."""
    event = webhooks.parse(call_body(event_type), {})
    assert type(event) is cls
    assert event.type == event_type == CallEventType(event_type)
    assert event.id == "evt_1"
    assert event.occurred_at == datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert isinstance(
        event, CallInitiated | CallAnswered | CallCompleted | CallHangup | MachineDetectionEnded
    )
    assert (event.from_, event.to, event.call_control_id) == (
        "+14155550100",
        "+12025550143",
        "v3:abc",
    )
    assert event.payload["call_session_id"] == "sess_1"
    assert event.raw["meta"] == {"attempt": 1}


def test_hangup_and_machine_detection_fields() -> None:
    """Event-specific fields are parsed; unknown payload keys land in extra."""
    hangup = webhooks.parse(
        call_body(
            "call.hangup",
            hangup_cause="normal_clearing",
            hangup_source="callee",
            end_time="2024-05-01T12:03:00Z",
            custom_thing=1,
        ),
        {},
    )
    assert isinstance(hangup, CallHangup)
    assert (hangup.hangup_cause, hangup.hangup_source) == ("normal_clearing", "callee")
    assert hangup.end_time == datetime(2024, 5, 1, 12, 3, tzinfo=UTC)
    assert hangup.extra == {"custom_thing": 1}
    amd = webhooks.parse(call_body("call.machine_detection.ended", result="machine"), {})
    assert isinstance(amd, MachineDetectionEnded)
    assert amd.result == "machine"


def test_billing_event_with_valid_signature() -> None:
    """A billing event signed with X-Signature verifies and parses into a BillingEvent."""
    body = billing_body()
    event = webhooks.parse(body, sign(body, SECRET), secret=SECRET)
    assert isinstance(event, BillingEvent)
    assert (event.type, event.id, event.livemode) == ("invoice.paid", "evt_bill_1", False)
    assert event.occurred_at == datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert event.payload == {"id": "in_1", "amount_paid": 4900}
    assert event.extra == {"object": "event"}


@pytest.mark.parametrize(
    "body",
    [
        call_body("call.recording.saved"),
        billing_body("customer.created"),
        b'{"event_type": "call.bridged", "payload": {"to": "+1"}}',
    ],
)
def test_unknown_types_are_generic(body: bytes) -> None:
    """Unknown event types come back as a plain WebhookEvent, never an error."""
    event = webhooks.parse(body, {})
    assert type(event) is WebhookEvent
    assert event.type in ("call.recording.saved", "customer.created", "call.bridged")


def test_flat_envelope_is_accepted() -> None:
    """A flat relay (event_type at the top) of a known event is typed too."""
    event = webhooks.parse(b'{"event_type": "call.answered", "payload": {"to": "+1"}}', {})
    assert isinstance(event, CallAnswered)
    assert event.to == "+1"


def test_bad_signature_is_rejected() -> None:
    """A signature made with another secret, or over another body, raises."""
    body = billing_body()
    with pytest.raises(WebhookSignatureError, match="does not match"):
        webhooks.parse(body, sign(body, "other-secret"), secret=SECRET)
    with pytest.raises(WebhookSignatureError, match="does not match"):
        webhooks.parse(body + b" ", sign(body, SECRET), secret=SECRET)
    with pytest.raises(WebhookSignatureError, match="does not match"):
        webhooks.parse(body, {"X-Signature": "\ud800\u00e9"}, secret=SECRET)


def test_missing_signature_is_rejected() -> None:
    """With a secret, a delivery without X-Signature raises."""
    with pytest.raises(WebhookSignatureError, match="missing X-Signature"):
        webhooks.parse(billing_body(), {"Content-Type": "application/json"}, secret=SECRET)


def test_ed25519_only_fails_closed() -> None:
    """An Ed25519-signed call webhook is not claimed as verified when a secret is given."""
    body = call_body("call.answered")
    headers = {"Telnyx-Signature-Ed25519": "c2ln", "Telnyx-Timestamp": str(int(time.time()))}
    with pytest.raises(WebhookSignatureError, match="Ed25519"):
        webhooks.parse(body, headers, secret=SECRET)
    assert isinstance(webhooks.parse(body, headers), CallAnswered)


def test_headers_are_case_insensitive() -> None:
    """Header names match in any case, also from an httpx.Headers mapping."""
    body = billing_body()
    lowered = {k.lower(): v for k, v in sign(body, SECRET).items()}
    assert webhooks.parse(body, lowered, secret=SECRET).type == "invoice.paid"
    assert webhooks.parse(body, httpx.Headers(sign(body, SECRET)), secret=SECRET).id


@pytest.mark.parametrize("offset", [-301, 400])
def test_timestamp_outside_tolerance(offset: int) -> None:
    """A stale (or far-future) timestamp raises even when the signature is right."""
    body = billing_body()
    headers = sign(body, SECRET, timestamp=time.time() + offset)
    with pytest.raises(WebhookSignatureError, match="tolerance"):
        webhooks.parse(body, headers, secret=SECRET)


def test_timestamp_within_tolerance_and_custom_tolerance() -> None:
    """A fresh timestamp passes; a wider tolerance accepts an older one."""
    body = billing_body()
    assert webhooks.parse(body, sign(body, SECRET, timestamp=time.time()), secret=SECRET)
    old = sign(body, SECRET, timestamp=time.time() - 1000)
    assert webhooks.parse(body, old, secret=SECRET, tolerance=3600)


def test_unreadable_timestamp_is_rejected() -> None:
    """A timestamp header that is not a number raises."""
    body = billing_body()
    headers = {**sign(body, SECRET), "Telnyx-Timestamp": "yesterday"}
    with pytest.raises(WebhookSignatureError, match="Telnyx-Timestamp"):
        webhooks.parse(body, headers, secret=SECRET)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"\xff\xfe{}", "UTF-8"),
        (b'{"data": ', "not JSON"),
        (b"", "not JSON"),
        (b"[1, 2]", "list"),
        (b'{"hello": "world"}', "no event type"),
        (b'{"data": {"event_type": "call.hangup", "payload": [1]}}', "payload"),
        (b'{"data": {"event_type": "call.hangup", "occurred_at": "soon"}}', "occurred_at"),
        (b'{"type": "invoice.paid", "created": 1e300}', "occurred_at"),
        (b'{"type": "invoice.paid", "created": NaN}', "occurred_at"),
        (b"[" * 100000, "not JSON"),
    ],
)
def test_malformed_bodies_raise_decode_error(body: bytes, match: str) -> None:
    """Bodies that are not UTF-8 JSON event objects raise DecodeError."""
    with pytest.raises(DecodeError, match=match):
        webhooks.parse(body, {})


def test_non_bytes_body_is_refused() -> None:
    """A str (already decoded) body is refused: signatures are over the raw bytes."""
    with pytest.raises(InvalidRequestError, match="body"):
        webhooks.parse('{"type": "x"}', {})  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError, match="secret"):
        webhooks.parse(b"{}", {}, secret="")


def test_sign_and_verify_round_trip() -> None:
    """sign produces headers verify accepts; the client's sign matches the module's."""
    body = b'{"type": "invoice.paid"}'
    headers = webhooks.sign(body, SECRET, timestamp=time.time())
    assert headers["X-Signature"] == sign(body, SECRET)["X-Signature"]
    verify(body, headers, SECRET)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_garbage_bytes_only_raise_typed_errors(body: bytes) -> None:
    """Arbitrary bytes fail a wrong signature; unverified, they parse to an event or raise DecodeError."""
    with pytest.raises(WebhookSignatureError, match="does not match the body"):
        webhooks.parse(body, {"X-Signature": "AAAA"}, secret=SECRET)
    try:
        event = webhooks.parse(body, {"X-Signature": "AAAA"})
    except DecodeError:
        return
    assert isinstance(event, WebhookEvent)
    assert isinstance(event.type, str)
    assert isinstance(event.raw, dict)


@settings(max_examples=300, deadline=None)
@given(
    event_type=st.sampled_from([*CallEventType, "invoice.paid", "x.unknown"]) | st.text(max_size=8),
    payload=_json,
    occurred=_json,
    event_id=_json,
    shape=st.sampled_from(["telnyx", "flat", "billing"]),
)
def test_wrong_shapes_only_raise_typed_errors(
    event_type: str, payload: object, occurred: object, event_id: object, shape: str
) -> None:
    """Event-shaped bodies with wrong field types either parse or raise a TalkkitError."""
    if shape == "billing":
        data: object = {"type": event_type, "id": event_id, "created": occurred, "data": payload}
    else:
        inner = {
            "event_type": event_type,
            "id": event_id,
            "occurred_at": occurred,
            "payload": payload,
        }
        data = inner if shape == "flat" else {"data": inner}
    body = json.dumps(data).encode()
    try:
        event = webhooks.parse(body, {})
    except TalkkitError:
        return
    assert event.type == event_type


_HEADER_NAMES = ["X-Signature", "x-timestamp", "Telnyx-Timestamp", "Telnyx-Signature-Ed25519"]


@settings(max_examples=200, deadline=None)
@given(
    headers=st.dictionaries(
        st.sampled_from(_HEADER_NAMES) | st.text(max_size=30), st.text(max_size=40), max_size=5
    )
)
def test_arbitrary_headers_only_raise_typed_errors(headers: dict[str, str]) -> None:
    """Any header names and values give WebhookSignatureError, unless the good signature stands alone."""
    body = billing_body()
    names = {name.lower() for name in headers}
    # A generated X-Signature (any case) replaces the good one; a generated timestamp is checked.
    tampered = bool(names & {"x-signature", "x-timestamp", "telnyx-timestamp"})
    for extra in ({}, {"X-Signature": sign(body, SECRET)["X-Signature"]}):
        if extra and not tampered:
            event = webhooks.parse(body, {**extra, **headers}, secret=SECRET)
            assert isinstance(event, BillingEvent)
            assert event.type == "invoice.paid"
            continue
        with pytest.raises(WebhookSignatureError):
            webhooks.parse(body, {**extra, **headers}, secret=SECRET)
