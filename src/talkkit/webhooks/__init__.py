"""
Receiving webhooks: verified, replay-safe, typed events from Talkturo and Talkover.

`unwrap` is the one entry point: it checks a delivery's signature on the raw bytes (and a
signed timestamp against a tolerance), then returns the platform's typed event.
`app` is a receiver (ASGI, mountable in Starlette and FastAPI) that verifies, de-duplicates by
event id and runs your async handlers off the request path; `feed_handler` makes one that feeds
the call ends to a waiting dial job (`talkkit.bulk.CallEnds`). Verifying Talkturo call webhooks
(Ed25519) needs the ``webhooks`` extra: ``pip install 'talkkit[webhooks]'``.

Example:
    ```python
    from talkkit.webhooks import unwrap

    event = unwrap(body, request.headers, platform="talkover", secret=WEBHOOK_SECRET)
    ```
"""

from __future__ import annotations

from talkkit.errors import WebhookSignatureError
from talkkit.webhooks._call_ends import call_end, feed_handler
from talkkit.webhooks._ed25519 import SIGNATURE_HEADER as TALKTURO_SIGNATURE_HEADER
from talkkit.webhooks._ed25519 import TIMESTAMP_HEADER as TALKTURO_TIMESTAMP_HEADER
from talkkit.webhooks._events import Event, TalkoverEvent, WebhookDecodeError
from talkkit.webhooks._hmac import BILLING_HEADER, TALKOVER_HEADERS
from talkkit.webhooks._receiver import Handler, WebhookApp, app
from talkkit.webhooks._redis import RedisEventStore
from talkkit.webhooks._stores import EventStore, MemoryEventStore
from talkkit.webhooks._unwrap import (
    BILLING_TIMESTAMP_HEADERS,
    Decoder,
    Platform,
    PublicKey,
    Secret,
    register_decoder,
    sign,
    unwrap,
    verify,
)

__all__ = [
    "BILLING_HEADER",
    "BILLING_TIMESTAMP_HEADERS",
    "TALKOVER_HEADERS",
    "TALKTURO_SIGNATURE_HEADER",
    "TALKTURO_TIMESTAMP_HEADER",
    "Decoder",
    "Event",
    "EventStore",
    "Handler",
    "MemoryEventStore",
    "Platform",
    "PublicKey",
    "RedisEventStore",
    "Secret",
    "TalkoverEvent",
    "WebhookApp",
    "WebhookDecodeError",
    "WebhookSignatureError",
    "app",
    "call_end",
    "feed_handler",
    "register_decoder",
    "sign",
    "unwrap",
    "verify",
]
