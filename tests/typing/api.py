"""The public API as users write it: type-checked by mypy --strict, never executed."""

from __future__ import annotations

from datetime import datetime

import httpx

import talkkit
from talkkit import AsyncTalkory, RateLimit, RetryEvent, RetryPolicy
from talkkit.talkory import HealthStatus, LLMHealth, Query, QuerySummary
from talkkit.typing import Handler


async def tag(request: httpx.Request, call_next: Handler) -> httpx.Response:
    request.headers["X-Team"] = "growth"
    return await call_next(request)


def on_retry(event: RetryEvent) -> None:
    print(event.attempt, event.status, event.delay)


async def usage() -> None:
    async with AsyncTalkory(
        "tk_live_x",
        timeout=10.0,
        retry=RetryPolicy(max_retries=3, deadline=30.0, on_retry=on_retry),
        rate_limit=RateLimit(30, 60.0),
        middleware=[tag],
    ) as talkory:
        health: LLMHealth = await talkory.health.llm()
        ok: bool = health.status == HealthStatus.OK
        checked: datetime | None = health.checked_at
        query: Query = await talkory.queries.run("2+2?", models=["gpt", "claude"])
        async for summary in talkory.queries.list(limit=50):
            item: QuerySummary = summary
        faster = talkory.with_options(max_retries=0)
        await faster.wallet.get()
        started = await talkory.queries.create(
            "2+2?",
            timeout=5.0,
            extra_headers={"X-Trace": "t"},
            extra_query={"probe": "1"},
            extra_body={"priority": "low"},
            idempotency_key="row-17",
        )
        rid: str | None = started._request_id
        data: dict[str, object] = started.to_dict()
        text: str = started.to_json(wire_names=False, indent=2)
        raw = await talkory.wallet.with_raw_response.get()
        status: int = raw.status_code
        header: str | None = raw.headers.get("x-request-id")
        del rid, data, text, status, header
        # A read takes no idempotency key (strict mypy flags an unneeded ignore).
        await talkory.wallet.get(idempotency_key="x")  # type: ignore[call-arg]
    try:
        pass
    except talkkit.OutcomeUnknownError as exc:
        key: str | None = exc.idempotency_key
    del ok, checked, query, item, key
