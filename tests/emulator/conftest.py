"""Fixtures for the emulator tests: a fresh emulator and raw httpx clients wired to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from talkkit.emulator import TALKORY_KEY, TALKOVER_TOKEN, TALKTURO_TOKEN, Emulator

TURO = {"Authorization": f"Bearer {TALKTURO_TOKEN}"}
OVER = {"Authorization": f"Bearer {TALKOVER_TOKEN}"}
ORY = {"Authorization": f"Bearer {TALKORY_KEY}"}


class FakeClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock for the rate limiter."""
    return FakeClock()


@pytest.fixture
def emu(clock: FakeClock) -> Emulator:
    """A fresh emulator with default settings and a fake limiter clock."""
    return Emulator(clock=clock)


@pytest.fixture
async def client(emu: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """A raw httpx client that talks to `emu` in-process."""
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://localhost") as c:
        yield c
