"""
The receiver: an ASGI app that verifies, de-duplicates and queues deliveries, and runs your
handlers off the request path.

A delivery is answered as soon as it is verified and queued (providers give up after a few
seconds: Talkturo documents 5). Handlers then run in worker tasks fed by a bounded memory
stream; when the queue is full the delivery is refused with 503, so the sender retries later
instead of the receiver buffering without limit. An event is handled at most once per store:
its key is remembered before it is queued, so a handler that fails is logged, not retried.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from talkkit._log import logger
from talkkit.errors import WebhookSignatureError
from talkkit.webhooks import _ed25519
from talkkit.webhooks._events import Event, WebhookDecodeError
from talkkit.webhooks._headers import lowered
from talkkit.webhooks._hmac import BILLING_HEADER, TALKOVER_HEADERS
from talkkit.webhooks._stores import EventStore, MemoryEventStore
from talkkit.webhooks._time import check_tolerance
from talkkit.webhooks._unwrap import Platform, Secret, secret_keys, unwrap

__all__ = ["Handler", "WebhookApp"]

Handler = Callable[[Event], Awaitable[None]]
"""An async function called with each new verified event."""

_Message = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[_Message]]
_Send = Callable[[_Message], Awaitable[None]]


class WebhookApp:
    """
    An ASGI app receiving webhooks from the platforms it has keys for (see `app`).

    Serve it directly (uvicorn runs its workers through the ASGI lifespan) or mount it in
    Starlette or FastAPI and enter ``async with receiver.running():`` in your app's lifespan.
    Without running workers, handlers run after the response, in the request's own task.

    Attributes:
        store: Where handled event keys are remembered.
        accepted: Deliveries verified and queued.
        duplicates: Verified deliveries of events already taken (answered 200, not handled).
        refused: Deliveries refused (signature, body, full queue).
    """

    def __init__(
        self,
        handlers: Sequence[Handler],
        *,
        keys: dict[Platform, dict[str, Any]],
        store: EventStore | None,
        queue_size: int,
        workers: int,
        tolerance: float,
        max_body: int,
        signature_headers: Sequence[str],
    ) -> None:
        if queue_size < 1 or workers < 1 or max_body < 1:
            raise ValueError("queue_size, workers and max_body must be at least 1")
        self._handlers = tuple(handlers)
        self._keys = keys
        self.store: EventStore = store if store is not None else MemoryEventStore()
        self._queue_size = queue_size
        self._workers = workers
        self._tolerance = check_tolerance(tolerance)
        self._max_body = max_body
        self._signature_headers = tuple(signature_headers)
        self._send: MemoryObjectSendStream[Event] | None = None
        self.accepted = self.duplicates = self.refused = 0

    # -- workers --------------------------------------------------------------------------

    @asynccontextmanager
    async def running(self) -> AsyncIterator[WebhookApp]:
        """
        Run the handler workers for the duration of the block; on exit, the queued events
        are handled before it returns.
        """
        send, receive = anyio.create_memory_object_stream[Event](self._queue_size)
        async with anyio.create_task_group() as tg:
            for _ in range(self._workers):
                tg.start_soon(self._work, receive.clone())
            receive.close()
            self._send = send
            try:
                yield self
            finally:
                self._send = None
                send.close()

    async def _work(self, events: MemoryObjectReceiveStream[Event]) -> None:
        async with events:
            async for event in events:
                await self._handle(event)

    async def _handle(self, event: Event) -> None:
        for handler in self._handlers:
            try:
                await handler(event)
            except Exception:
                logger.exception(
                    "webhook handler %s failed on %s (event id %s)",
                    getattr(handler, "__qualname__", handler),
                    event.type,
                    event.id,
                )

    # -- ASGI -----------------------------------------------------------------------------

    async def __call__(self, scope: _Message, receive: _Receive, send: _Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: _Receive, send: _Send) -> None:
        await receive()  # lifespan.startup
        async with self.running():
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
        await send({"type": "lifespan.shutdown.complete"})

    async def _http(self, scope: _Message, receive: _Receive, send: _Send) -> None:
        if scope.get("method") != "POST":
            await _reply(send, 405, {"error": "POST a webhook delivery"}, allow="POST")
            return
        body = await self._body(receive)
        if body is None:
            await _reply(send, 413, {"error": f"body over {self._max_body} bytes"})
            return
        headers = lowered(dict(scope.get("headers") or []))
        platform = self._platform(headers)
        try:
            event = unwrap(
                body,
                headers,
                platform=platform,
                tolerance=self._tolerance,
                signature_headers=self._signature_headers,
                **self._keys.get(platform, {}),
            )
        except (WebhookSignatureError, WebhookDecodeError) as exc:
            reason = getattr(exc, "reason", "bad_body")
            self._refuse(scope, platform, reason, exc.message)
            await _reply(send, 400, {"error": reason})
            return
        key = f"{platform.value}:{event.id or 'sha256:' + hashlib.sha256(body).hexdigest()}"
        try:
            new = await self.store.add(key)
        except Exception as exc:  # the store is down: let the sender retry
            self._refuse(scope, platform, "store_unavailable", repr(exc))
            await _reply(send, 503, {"error": "store_unavailable"}, retry_after="5")
            return
        if not new:
            self.duplicates += 1
            logger.info("webhook duplicate: %s %s (event id %s)", platform.value, event.type, key)
            await _reply(send, 200, {"received": True, "duplicate": True})
            return
        await self._take(scope, platform, key, event, send)

    async def _take(
        self, scope: _Message, platform: Platform, key: str, event: Event, send: _Send
    ) -> None:
        if self._send is None:  # no workers running: handle after answering
            self.accepted += 1
            await _reply(send, 200, {"received": True})
            await self._handle(event)
            return
        try:
            self._send.send_nowait(event)
        except (anyio.WouldBlock, anyio.ClosedResourceError):
            await self.store.discard(key)
            self._refuse(scope, platform, "queue_full", f"{self._queue_size} events waiting")
            await _reply(send, 503, {"error": "queue_full"}, retry_after="1")
            return
        self.accepted += 1
        await _reply(send, 200, {"received": True})

    async def _body(self, receive: _Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # http.disconnect
                return b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _platform(self, headers: dict[str, str]) -> Platform:
        """The platform the signature headers name, else the only one configured."""
        if _ed25519.SIGNATURE_HEADER.lower() in headers:
            return Platform.TALKTURO
        if BILLING_HEADER.lower() in headers:
            return Platform.TALKTURO_BILLING
        if any(name.lower() in headers for name in self._signature_headers):
            return Platform.TALKOVER
        return next(iter(self._keys)) if len(self._keys) == 1 else Platform.TALKOVER

    def _refuse(self, scope: _Message, platform: Platform, reason: str, message: str) -> None:
        self.refused += 1
        client = scope.get("client")
        peer = f"{client[0]}:{client[1]}" if client else "?"
        logger.warning("webhook refused: %s %s from %s: %s", platform.value, reason, peer, message)


async def _reply(send: _Send, status: int, content: object, **headers: str) -> None:
    body = json.dumps(content).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def app(
    *handlers: Handler,
    talkover_secret: Secret | None = None,
    talkturo_public_key: Any = None,
    talkturo_billing_secret: Secret | None = None,
    store: EventStore | None = None,
    queue_size: int = 1000,
    workers: int = 4,
    tolerance: float = 300,
    max_body: int = 1 << 20,
    talkover_signature_headers: Sequence[str] = TALKOVER_HEADERS,
) -> WebhookApp:
    """
    An ASGI app that receives webhooks and calls ``handlers`` with each new verified event.

    Each delivery is verified on its raw bytes (`unwrap`) for the platform its signature
    header names (``Telnyx-Signature-Ed25519``: Talkturo calls, ``X-Signature``: Talkturo
    billing, a Talkover signature header: Talkover); de-duplicated by event id in ``store``;
    queued; and answered ``200 {"received": true}`` at once. A refusal is answered 400
    (signature, timestamp or body), 413 (too large) or 503 (queue full, store down: the sender
    retries) and logged as one ``webhook refused: <platform> <reason> from <peer>: …`` line
    on the ``talkkit`` logger.

    Args:
        handlers: Async functions called with every new event, in order, in worker tasks.
        talkover_secret: The ``webhook_secret`` you registered on Talkover agent or campaign
            webhooks (several: any may have signed).
        talkturo_public_key: Talkturo's (Telnyx's) Ed25519 public key, base64.
        talkturo_billing_secret: The Talkturo billing webhook secret.
        store: Remembers taken events; a bounded `MemoryEventStore` by default, a
            `RedisEventStore` to share it between processes.
        queue_size: Events waiting for a worker before deliveries are refused with 503.
        workers: Handler tasks running at once.
        tolerance: Seconds a signed timestamp may differ from now.
        max_body: Largest body accepted, in bytes.
        talkover_signature_headers: Talkover's signature header names (INFERRED defaults).

    Raises:
        ValueError: No key or secret given.
        InvalidRequestError: A secret is empty or not text or bytes.
        ConfigurationError: ``talkturo_public_key`` is not an Ed25519 public key.

    Example:
        ```python
        async def on_event(event: Event) -> None:
            if isinstance(event, TalkoverEvent) and event.is_final:
                print(event.call_id, event.call_status)


        receiver = talkkit.webhooks.app(on_event, talkover_secret=os.environ["WEBHOOK_SECRET"])
        # uvicorn module:receiver   (or mount it, and enter receiver.running() in a lifespan)
        ```
    """
    keys: dict[Platform, dict[str, Any]] = {}
    if talkover_secret is not None:  # checked now, not on every delivery
        keys[Platform.TALKOVER] = {"secret": secret_keys(talkover_secret)}
    if talkturo_public_key is not None:
        keys[Platform.TALKTURO] = {"public_key": _ed25519.load_public_keys(talkturo_public_key)}
    if talkturo_billing_secret is not None:
        keys[Platform.TALKTURO_BILLING] = {"secret": secret_keys(talkturo_billing_secret)}
    if not keys:
        raise ValueError(
            "give at least one of talkover_secret, talkturo_public_key, talkturo_billing_secret"
        )
    return WebhookApp(
        handlers,
        keys=keys,
        store=store,
        queue_size=queue_size,
        workers=workers,
        tolerance=tolerance,
        max_body=max_body,
        signature_headers=talkover_signature_headers,
    )
