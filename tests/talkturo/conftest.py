"""Talkturo fixtures: a fresh emulator and clients wired to it in-process."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import attrs
import httpx
import pytest

from talkkit import RetryPolicy
from talkkit.emulator import (
    TALKTURO_ACCOUNT_SLUG,
    TALKTURO_TEAM_ID,
    TALKTURO_TOKEN,
    Emulator,
)
from talkkit.talkturo import AsyncTalkturo
from talkkit.typing import Handler

BASE_URL = "http://localhost/api"
FAST_RETRY = RetryPolicy(backoff_base=0.0, backoff_max=0.0)


@attrs.frozen
class Sent:
    """One request as the client put it on the wire."""

    method: str
    path: str
    params: dict[str, str]
    json: Any


@attrs.define
class Recorder:
    """A user middleware that records every attempt the client sends."""

    sent: list[Sent] = attrs.Factory(list)

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        content = request.content
        self.sent.append(
            Sent(
                request.method,
                request.url.path,
                dict(request.url.params),
                json.loads(content) if content else None,
            )
        )
        return await call_next(request)

    @property
    def last(self) -> Sent:
        """The most recent request."""
        return self.sent[-1]


@pytest.fixture
def emu() -> Emulator:
    """A fresh in-memory emulator."""
    return Emulator()


@pytest.fixture
def recorder() -> Recorder:
    """Records what the clients send."""
    return Recorder()


@pytest.fixture
async def make_client(
    emu: Emulator, recorder: Recorder
) -> AsyncIterator[Callable[..., AsyncTalkturo]]:
    """Build clients over the emulator (no pacing, zero backoff); closed after the test."""
    clients: list[AsyncTalkturo] = []

    def make(**options: Any) -> AsyncTalkturo:
        options.setdefault("base_url", BASE_URL)
        options.setdefault("transport", emu.transport())
        options.setdefault("rate_limit", None)
        options.setdefault("retry", FAST_RETRY)
        options.setdefault("middleware", [recorder])
        client = AsyncTalkturo(TALKTURO_TOKEN, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def talkturo(make_client: Callable[..., AsyncTalkturo]) -> AsyncTalkturo:
    """A client with the emulator's account slug and team as defaults."""
    return make_client(account_slug=TALKTURO_ACCOUNT_SLUG, team_id=TALKTURO_TEAM_ID)


@pytest.fixture
def bare(make_client: Callable[..., AsyncTalkturo]) -> AsyncTalkturo:
    """A client without account slug or team defaults."""
    return make_client()
