"""Fixtures for bulk-job tests: an emulator, clients bound to it, a company to import into."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from talkkit import AsyncTalkover, AsyncTalkturo, RetryPolicy
from talkkit.emulator import Emulator
from talkkit.testing import ready_agent, talkover_client, talkturo_client

FAST = RetryPolicy(backoff_base=0.0, backoff_max=0.0)


@pytest.fixture
def emu() -> Emulator:
    """A fresh emulator with a fixed seed (faults are reproducible)."""
    return Emulator(seed=7, rate_limits={"talkover": None})


@pytest.fixture
async def turo(emu: Emulator) -> AsyncIterator[AsyncTalkturo]:
    """A Talkturo client on the emulator, retrying without backoff."""
    async with talkturo_client(emu, retry=FAST) as client:
        yield client


@pytest.fixture
async def company_id(turo: AsyncTalkturo) -> str:
    """A company the imported contacts belong to."""
    return (await turo.companies.create("Acme Imports")).id


@pytest.fixture
async def over(emu: Emulator) -> AsyncIterator[AsyncTalkover]:
    """A Talkover client on the emulator, retrying without backoff."""
    async with talkover_client(emu, retry=FAST, rate_limit="100/s") as client:
        yield client


@pytest.fixture
async def agent_id(over: AsyncTalkover) -> str:
    """A published agent with a voice, able to place real calls."""
    return (await ready_agent(over)).id
