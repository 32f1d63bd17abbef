"""unwrap/verify: deliveries signed with fresh keys pass on every platform; bad ones say why."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import httpx
import pytest

import talkkit.webhooks
from talkkit import InvalidRequestError, WebhookSignatureError
from talkkit.talkturo import AsyncTalkturo, BillingEvent, CallHangup
from talkkit.talkturo import webhooks as talkturo_webhooks
from talkkit.webhooks import TalkoverEvent, WebhookDecodeError, sign, unwrap, verify

from .conftest import KeyPair, talkover_body, talkturo_call_body

BILLING = json.dumps({"id": "evt_bill_1", "type": "invoice.paid", "data": {"object": {}}}).encode()


def _talkover_hex(body: bytes, secret: str) -> str:
    """Computed here, independently of talkkit: hex HMAC-SHA256 of the body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# -- valid deliveries ------------------------------------------------------------------------


def test_talkturo_call_webhook_verifies_with_a_fresh_ed25519_key(keys: KeyPair) -> None:
    """Ed25519 over "{timestamp}|body", public key as base64 of its 32 raw bytes."""
    body = talkturo_call_body("call.hangup", hangup_cause="normal_clearing")
    headers = sign(body, platform="talkturo", private_key=keys.private)
    assert set(headers) == {"Telnyx-Signature-Ed25519", "Telnyx-Timestamp"}
    event = unwrap(body, headers, platform="talkturo", public_key=keys.public_b64)
    assert isinstance(event, CallHangup)
    assert event.hangup_cause == "normal_clearing"
    # The same key as raw bytes, as a cryptography object, and among several (rotation).
    raw = base64.b64decode(keys.public_b64)
    assert unwrap(body, headers, platform="talkturo", public_key=raw).id == event.id
    public = keys.private.public_key()
    assert unwrap(body, headers, platform="talkturo", public_key=public).id == event.id
    both = [KeyPair().public_b64, keys.public_b64]
    assert unwrap(body, headers, platform="talkturo", public_key=both).id == event.id


def test_talkturo_call_signature_is_telnyx_scheme(keys: KeyPair) -> None:
    """A signature made independently over b"{ts}|" + body (as Telnyx does) verifies."""
    body = talkturo_call_body("call.answered")
    stamp = str(int(time.time()))
    signature = keys.private.sign(stamp.encode() + b"|" + body)
    headers = {
        "telnyx-signature-ed25519": base64.b64encode(signature).decode(),
        "telnyx-timestamp": stamp,
    }
    verify(body, headers, platform="talkturo", public_key=keys.public_b64)


def test_talkturo_billing_webhook_verifies(secret: str) -> None:
    """X-Signature: base64 HMAC-SHA256 of the body; an X-Timestamp is checked when sent."""
    headers = sign(BILLING, platform="talkturo-billing", secret=secret, timestamp=time.time())
    event = unwrap(BILLING, headers, platform="talkturo-billing", secret=secret)
    assert isinstance(event, BillingEvent)
    assert event.id == "evt_bill_1"


@pytest.mark.parametrize("header", ["X-Talkover-Signature", "X-Webhook-Signature"])
@pytest.mark.parametrize("prefix", ["", "sha256=", "SHA256="])
def test_talkover_accepts_both_header_names_and_the_prefix(
    secret: str, header: str, prefix: str
) -> None:
    """Hex HMAC-SHA256 of the body in either default header, with or without sha256=."""
    body = talkover_body()
    headers = {header: prefix + _talkover_hex(body, secret)}
    event = unwrap(body, headers, platform="talkover", secret=secret)
    assert isinstance(event, TalkoverEvent)
    assert (event.type, event.call_id, event.call_status) == (
        "event_phone_call_ended",
        "call_1",
        "completed",
    )
    assert event.is_final
    assert event.context == {"order": 7}


def test_talkover_header_name_is_configurable(secret: str) -> None:
    """A custom header name is read; the defaults are then not."""
    body = talkover_body()
    headers = {"X-Hub-Signature-256": "sha256=" + _talkover_hex(body, secret)}
    event = unwrap(
        body,
        headers,
        platform="talkover",
        secret=secret,
        signature_headers=["X-Hub-Signature-256"],
    )
    assert event.type == "event_phone_call_ended"
    with pytest.raises(WebhookSignatureError) as missing:
        unwrap(body, headers, platform="talkover", secret=secret)
    assert missing.value.reason == "missing_header"


def test_sign_round_trips_for_talkover(secret: str) -> None:
    """sign() gives the header unwrap() reads, also through httpx.Headers."""
    body = talkover_body()
    headers = httpx.Headers(sign(body, platform="talkover", secret=secret))
    assert unwrap(body, headers, platform="talkover", secret=secret).id


def test_rotated_secrets_are_each_accepted(secret: str) -> None:
    """Several secrets: a delivery signed with any of them passes."""
    body = talkover_body()
    headers = sign(body, platform="talkover", secret=secret)
    assert unwrap(body, headers, platform="talkover", secret=["old", secret]).id


# -- refusals, each with its reason -----------------------------------------------------------


def _refused(body: bytes, headers: dict[str, str], **kwargs: object) -> WebhookSignatureError:
    with pytest.raises(WebhookSignatureError) as caught:
        unwrap(body, headers, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_tampered_body_is_refused_on_every_platform(keys: KeyPair, secret: str) -> None:
    """One byte changed after signing: bad_signature on each scheme."""
    call = talkturo_call_body()
    over = talkover_body()
    cases = [
        (call, sign(call, platform="talkturo", private_key=keys.private), "talkturo"),
        (BILLING, sign(BILLING, platform="talkturo-billing", secret=secret), "talkturo-billing"),
        (over, sign(over, platform="talkover", secret=secret), "talkover"),
    ]
    for body, headers, platform in cases:
        tampered = body.replace(b"}", b" }", 1)
        error = _refused(
            tampered, headers, platform=platform, secret=secret, public_key=keys.public_b64
        )
        assert error.reason == "bad_signature", platform
        assert "does not match" in error.message


def test_wrong_key_or_secret_is_refused(keys: KeyPair, secret: str) -> None:
    """Another Ed25519 key, another HMAC secret: bad_signature."""
    call = talkturo_call_body()
    headers = sign(call, platform="talkturo", private_key=keys.private)
    error = _refused(call, headers, platform="talkturo", public_key=KeyPair().public_b64)
    assert (error.reason, "another key" in error.message) == ("bad_signature", True)
    for platform, body in (("talkturo-billing", BILLING), ("talkover", talkover_body())):
        headers = sign(body, platform=platform, secret=secret)
        error = _refused(body, headers, platform=platform, secret=secret + "x")
        assert error.reason == "bad_signature"


@pytest.mark.parametrize(
    ("platform", "drop", "named"),
    [
        ("talkturo", "Telnyx-Signature-Ed25519", "Telnyx-Signature-Ed25519"),
        ("talkturo", "Telnyx-Timestamp", "Telnyx-Timestamp"),
        ("talkturo-billing", "X-Signature", "X-Signature"),
        ("talkover", "X-Talkover-Signature", "X-Talkover-Signature or X-Webhook-Signature"),
    ],
)
def test_missing_header_is_refused(
    keys: KeyPair, secret: str, platform: str, drop: str, named: str
) -> None:
    """A missing signature or signed-timestamp header: missing_header, naming the header."""
    body = talkturo_call_body() if platform == "talkturo" else talkover_body()
    headers = sign(body, platform=platform, secret=secret, private_key=keys.private)
    del headers[drop]
    error = _refused(body, headers, platform=platform, secret=secret, public_key=keys.public_b64)
    assert error.reason == "missing_header"
    assert error.message == f"missing {named} header"


@pytest.mark.parametrize(
    ("offset", "reason"), [(-301, "stale_timestamp"), (400, "future_timestamp")]
)
def test_talkturo_timestamp_outside_tolerance(keys: KeyPair, offset: int, reason: str) -> None:
    """The signed Telnyx-Timestamp is checked after the signature: stale or future."""
    body = talkturo_call_body()
    headers = sign(
        body, platform="talkturo", private_key=keys.private, timestamp=time.time() + offset
    )
    error = _refused(body, headers, platform="talkturo", public_key=keys.public_b64)
    assert error.reason == reason
    assert "tolerance" in error.message
    # A wider tolerance lets the same delivery through.
    assert unwrap(body, headers, platform="talkturo", public_key=keys.public_b64, tolerance=1000)


def test_replayed_talkturo_delivery_cannot_get_a_fresh_timestamp(keys: KeyPair) -> None:
    """Rewriting Telnyx-Timestamp to now breaks the signature (the time is signed)."""
    body = talkturo_call_body()
    headers = sign(
        body, platform="talkturo", private_key=keys.private, timestamp=time.time() - 3600
    )
    headers["Telnyx-Timestamp"] = str(int(time.time()))
    assert _refused(body, headers, platform="talkturo", public_key=keys.public_b64).reason == (
        "bad_signature"
    )


@pytest.mark.parametrize(
    ("offset", "reason"), [(-301, "stale_timestamp"), (400, "future_timestamp")]
)
def test_talkover_body_timestamp_outside_tolerance(secret: str, offset: int, reason: str) -> None:
    """Talkover signs its body, timestamp included: stale and future bodies are refused."""
    from datetime import UTC, datetime, timedelta

    stamp = (datetime.now(UTC) + timedelta(seconds=offset)).isoformat()
    body = talkover_body(timestamp=stamp)
    headers = sign(body, platform="talkover", secret=secret)
    error = _refused(body, headers, platform="talkover", secret=secret)
    assert error.reason == reason
    assert "the body's timestamp" in error.message


@pytest.mark.parametrize(
    ("offset", "reason"), [(-301, "stale_timestamp"), (400, "future_timestamp")]
)
def test_billing_timestamp_outside_tolerance(secret: str, offset: int, reason: str) -> None:
    """A billing delivery's X-Timestamp outside the tolerance is refused."""
    headers = sign(
        BILLING, platform="talkturo-billing", secret=secret, timestamp=time.time() + offset
    )
    assert _refused(BILLING, headers, platform="talkturo-billing", secret=secret).reason == reason


def test_no_key_configured_is_unknown_key(keys: KeyPair) -> None:
    """No public key for a call webhook, no secret for Talkover: unknown_key, never a pass."""
    body = talkturo_call_body()
    headers = sign(body, platform="talkturo", private_key=keys.private)
    assert _refused(body, headers, platform="talkturo").reason == "unknown_key"
    assert _refused(talkover_body(), {}, platform="talkover").reason == "unknown_key"


def test_malformed_signature_and_timestamp(keys: KeyPair) -> None:
    """Not base64, not 64 bytes, not a number: refused with a reason, not a crash."""
    body = talkturo_call_body()
    good = sign(body, platform="talkturo", private_key=keys.private)
    cases = {
        "bad_signature": {**good, "Telnyx-Signature-Ed25519": "not base64!"},
        "bad_timestamp": {**good, "Telnyx-Timestamp": "soon"},
    }
    for reason, headers in cases.items():
        assert _refused(body, headers, platform="talkturo", public_key=keys.public_b64).reason == (
            reason
        )


def test_good_signature_bad_body_is_a_decode_error(secret: str) -> None:
    """Verified but not a JSON object: WebhookDecodeError (after the signature check)."""
    body = b"[1, 2]"
    with pytest.raises(WebhookDecodeError, match="not an object"):
        unwrap(
            body, sign(body, platform="talkover", secret=secret), platform="talkover", secret=secret
        )
    # An unverified bad body is refused as unsigned, never parsed.
    assert _refused(body, {}, platform="talkover", secret=secret).reason == "missing_header"


def test_arguments_are_checked() -> None:
    """Unknown platform, a str payload (already decoded), a bad secret: InvalidRequestError."""
    with pytest.raises(InvalidRequestError, match="platform"):
        unwrap(b"{}", {}, platform="nope", secret="s")
    with pytest.raises(InvalidRequestError, match="raw request body"):
        unwrap("{}", {}, platform="talkover", secret="s")  # type: ignore[arg-type]
    for bad in (123, "", [], [b"ok", None]):
        with pytest.raises(InvalidRequestError, match="secret"):
            unwrap(b"{}", {"X-Talkover-Signature": "00"}, platform="talkover", secret=bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidRequestError, match="secret"):
            talkkit.webhooks.app(talkover_secret=bad)  # type: ignore[arg-type]


# -- the old Talkturo helpers are aliases ----------------------------------------------------------


def test_old_talkturo_helpers_still_work(keys: KeyPair, secret: str) -> None:
    """talkturo.webhooks.sign/verify and client.webhooks.parse go through the same checks."""
    headers = talkturo_webhooks.sign(BILLING, secret, timestamp=time.time())
    talkturo_webhooks.verify(BILLING, headers, secret)
    with pytest.raises(WebhookSignatureError) as caught:
        talkturo_webhooks.verify(BILLING + b" ", headers, secret)
    assert caught.value.reason == "bad_signature"
    assert talkturo_webhooks.SIGNATURE_HEADER == "X-Signature"
    assert talkturo_webhooks.ED25519_HEADER == "Telnyx-Signature-Ed25519"

    client = AsyncTalkturo(
        "tok",
        base_url="http://127.0.0.1:9",
        transport=httpx.MockTransport(lambda r: httpx.Response(500)),
    )
    billing = client.webhooks.parse(BILLING, client.webhooks.sign(BILLING, secret), secret=secret)
    assert isinstance(billing, BillingEvent)
    call = talkturo_call_body()
    signed = sign(call, platform="talkturo", private_key=keys.private)
    assert isinstance(client.webhooks.parse(call, signed, public_key=keys.public_b64), CallHangup)
    with pytest.raises(WebhookSignatureError) as wrong:
        client.webhooks.parse(call, signed, public_key=KeyPair().public_b64)
    assert wrong.value.reason == "bad_signature"
