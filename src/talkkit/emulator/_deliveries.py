"""
Webhook deliveries the emulator sends: an outbox of signed requests, attempted when due and
retried with backoff, as real providers do.

Platform states put deliveries in the outbox when something happens (a call changes status);
nothing is sent until `Outbox.send_due` runs: `Emulator.deliver_webhooks()` runs it in a loop
(the served emulator does so in the background), `Emulator.deliver_due()` once. The in-process
emulator therefore stays lazy and deterministic until a test asks for deliveries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

import anyio
import attrs
import httpx

__all__ = ["RETRY_BASE", "Outbox", "Signer", "WebhookDelivery"]

Signer = Callable[[bytes], Mapping[str, str]]
"""Signs a body at the moment it is sent: the headers to add (a signed timestamp, say)."""

RETRY_BASE = 5.0
"""
Call seconds before the first retry; each further retry waits twice as long (INFERRED: the
docs give ``max_retries`` 0-10 but no schedule). Scaled by the emulator's `call_time_scale`.
"""


@attrs.frozen(kw_only=True)
class WebhookDelivery:
    """
    One attempt to deliver a webhook.

    Attributes:
        event_id: The event's id (the same on every attempt of one event).
        event: The event name (``event_phone_call_ended``, ``call.hangup``…).
        url: Where it was sent.
        attempt: 1 for the first attempt, 2 for the first retry…
        status_code: The receiver's HTTP status, or `None` when the request failed.
        error: Why the request failed (connection refused, timeout…), else `None`.
        at: When the attempt was made (emulator clock).
    """

    event_id: str
    event: str
    url: str
    attempt: int
    status_code: int | None
    error: str | None
    at: datetime

    @property
    def ok(self) -> bool:
        """Whether the receiver answered 2xx."""
        return self.status_code is not None and 200 <= self.status_code < 300


@attrs.define
class _Pending:
    event_id: str
    event: str
    url: str
    method: str
    headers: dict[str, str]
    body: bytes
    max_attempts: int
    timeout: float
    due: datetime | None
    sign: Signer | None = None
    attempts: int = 0


@attrs.define
class Outbox:
    """
    Deliveries waiting to be sent, and the log of every attempt.

    `now` is the emulator's clock; `scale` gives its `call_time_scale` (real seconds per
    call second), which also paces retries.
    """

    now: Callable[[], datetime]
    scale: Callable[[], float]
    pending: list[_Pending] = attrs.Factory(list)
    attempts: list[WebhookDelivery] = attrs.Factory(list)
    failed: list[str] = attrs.Factory(list)  # event ids given up on

    def clear(self) -> None:
        """Forget every pending delivery and the log."""
        self.pending.clear()
        self.attempts.clear()
        self.failed.clear()

    def put(
        self,
        *,
        event_id: str,
        event: str,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        method: str = "POST",
        max_retries: int = 3,
        timeout: float = 30.0,
        sign: Signer | None = None,
    ) -> None:
        """
        Queue a delivery, due now.

        ``sign`` is called on every attempt (as providers that sign a timestamp do, so a
        retry is not stale); its headers are added to ``headers``.
        """
        self.pending.append(
            _Pending(
                event_id=event_id,
                event=event,
                url=url,
                method=method,
                headers={"Content-Type": "application/json", **headers},
                body=body,
                max_attempts=1 + max_retries,
                timeout=timeout,
                due=self.now(),
                sign=sign,
            )
        )

    def _backoff(self, attempts: int) -> datetime | None:
        real = RETRY_BASE * 2 ** (attempts - 1) * self.scale()
        if real == float("inf"):
            return None
        return self.now() + timedelta(seconds=real)

    async def send_due(self, client: httpx.AsyncClient, *, limit: int = 32) -> int:
        """
        Attempt every due delivery (``limit`` at once); return how many were attempted.

        A 2xx answer ends a delivery; anything else (an error status, a refused connection,
        a timeout) schedules a retry until its ``max_retries`` are spent.
        """
        now = self.now()
        due = [p for p in self.pending if p.due is not None and p.due <= now]
        if not due:
            return 0
        gate = anyio.Semaphore(limit)

        async def attempt(pending: _Pending) -> None:
            async with gate:
                await self._attempt(client, pending)

        async with anyio.create_task_group() as tg:
            for pending in due:
                pending.due = None  # taken: not due again until rescheduled
                tg.start_soon(attempt, pending)
        return len(due)

    async def _attempt(self, client: httpx.AsyncClient, pending: _Pending) -> None:
        pending.attempts += 1
        status: int | None = None
        error: str | None = None
        headers = pending.headers
        if pending.sign is not None:
            headers = {**headers, **pending.sign(pending.body)}
        try:
            response = await client.request(
                pending.method,
                pending.url,
                content=pending.body,
                headers=headers,
                timeout=pending.timeout,
            )
            status = response.status_code
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # never ends the delivery loop
            error = f"{type(exc).__name__}: {exc}"
        record = WebhookDelivery(
            event_id=pending.event_id,
            event=pending.event,
            url=pending.url,
            attempt=pending.attempts,
            status_code=status,
            error=error,
            at=self.now(),
        )
        self.attempts.append(record)
        if record.ok:
            self.pending.remove(pending)
        elif pending.attempts >= pending.max_attempts:
            self.pending.remove(pending)
            self.failed.append(pending.event_id)
        else:
            pending.due = self._backoff(pending.attempts)
