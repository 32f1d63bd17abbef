"""Fixtures: a fresh emulator, and a Talkover client wired to it through a recording transport."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import attrs
import httpx
import pytest

from talkkit import AsyncTalkover, RetryPolicy
from talkkit.emulator import TALKOVER_TOKEN, Emulator
from talkkit.talkover import Agent
from talkkit.testing import ready_agent

BASE_URL = "http://localhost/api/v1"
FAST_RETRY = RetryPolicy(backoff_base=0.0, backoff_max=0.0)


@attrs.frozen
class Sent:
    """One request as it reached the emulator's transport."""

    method: str
    path: str
    params: dict[str, str]
    body: Any


class RecordingTransport(httpx.AsyncBaseTransport):
    """Forwards to the emulator and records every request it was handed (each attempt)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[Sent] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        content = await request.aread()
        body = json.loads(content) if content else None
        path = request.url.path.removeprefix("/api/v1")
        self.sent.append(Sent(request.method, path, dict(request.url.params), body))
        return await self.inner.handle_async_request(request)

    @property
    def last(self) -> Sent:
        """The most recent request."""
        return self.sent[-1]

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def emu() -> Emulator:
    """A fresh in-memory emulator without server-side rate limiting (tests of 429 opt in)."""
    return Emulator(rate_limits={"talkover": None})


@pytest.fixture
def wire(emu: Emulator) -> RecordingTransport:
    """The recording transport in front of the emulator."""
    return RecordingTransport(emu.transport())


@pytest.fixture
async def client(wire: RecordingTransport) -> AsyncIterator[AsyncTalkover]:
    """A Talkover client on the emulator: no pacing, zero backoff."""
    async with AsyncTalkover(
        TALKOVER_TOKEN, base_url=BASE_URL, transport=wire, rate_limit=None, retry=FAST_RETRY
    ) as talkover:
        yield talkover


async def new_agent(client: AsyncTalkover, name: str = "SupportBot") -> Agent:
    """A draft agent."""
    return await client.agents.create(name=name, label=f"{name} label")


async def published_agent(client: AsyncTalkover, name: str = "SupportBot") -> Agent:
    """An agent with a voice, published: it takes calls."""
    return await ready_agent(client, name)
