"""unwrap on random bytes and headers: a typed refusal or a typed decode error, nothing else."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talkkit import WebhookSignatureError
from talkkit.webhooks import Event, WebhookDecodeError, sign, unwrap

from .conftest import KeyPair

# A failing example with a large body is still reported, not hidden behind this warning.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

KEYS = KeyPair()
SECRET = "whsec_fuzz"
PLATFORMS = ("talkturo", "talkturo-billing", "talkover")
REASONS = {
    "missing_header",
    "bad_signature",
    "bad_timestamp",
    "stale_timestamp",
    "future_timestamp",
    "decode",  # WebhookDecodeError
}
FUZZ = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["2024-05-01T12:00:00Z", "0001-01-01T00:00:00+23:59", "9999-12-31"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
_known = st.sampled_from(
    ["event", "event_id", "timestamp", "call", "context", "data", "type", "id", "event_type"]
)
_objects = st.dictionaries(_known | st.text(max_size=8), _json, max_size=6)
bodies = (
    st.binary(max_size=200)
    | _objects.map(lambda o: json.dumps(o).encode())
    | _json.map(lambda o: json.dumps(o).encode())
)
_names = st.sampled_from(
    [
        "Telnyx-Signature-Ed25519",
        "Telnyx-Timestamp",
        "X-Signature",
        "X-Timestamp",
        "X-Talkover-Signature",
        "X-Webhook-Signature",
    ]
) | st.text(max_size=12)
_values = (
    st.text(max_size=90)
    | st.binary(max_size=90)
    | st.sampled_from(["", "sha256=", "1700000000", "nan", "inf", "-1e999", "1e400", "c2ln" * 22])
)
headers = st.dictionaries(
    _names | st.binary(max_size=12), _values | st.none() | st.integers(), max_size=5
)


@FUZZ
@given(
    body=bodies,
    extra=headers,
    platform=st.sampled_from(PLATFORMS),
    signed=st.booleans(),
    tolerance=st.sampled_from([0, 300, float("inf")]),
)
def test_unwrap_raises_only_typed_errors(
    body: bytes, extra: dict[Any, Any], platform: str, signed: bool, tolerance: float
) -> None:
    """Random bodies and headers, signed or not: an Event or one of the two typed errors."""
    delivery = dict(extra)
    if signed:  # past the signature check: the decoding and timestamp paths get fuzzed too
        delivery.update(sign(body, platform=platform, secret=SECRET, private_key=KEYS.private))
    error: WebhookSignatureError | WebhookDecodeError | None = None
    try:
        event: Event = unwrap(
            body,
            delivery,
            platform=platform,
            secret=SECRET,
            public_key=KEYS.public_b64,
            tolerance=tolerance,
        )
    except (WebhookSignatureError, WebhookDecodeError) as exc:  # anything else fails the test
        error = exc
    if error is not None:
        assert getattr(error, "reason", "decode") in REASONS
        assert error.message
        return
    assert isinstance(event.type, str)
    assert isinstance(event.raw, dict)
    repr(event)
