"""
talkkit's pytest plugin, loaded automatically when talkkit is installed (``pytest11``).

Fixtures (each test gets a fresh emulator and fresh clients; no network, no credentials)::

    async def test_signup_creates_contact(talkturo, talkkit_emulator):
        await talkturo.contacts.create("Ada", "Lovelace", company_id=..., email="ada@example.com")
        assert len(talkkit_emulator.talkturo.contacts) == 1

- ``talkkit_emulator``: an in-memory `talkkit.emulator.Emulator`.
- ``talkturo``, ``talkover``, ``talkory``: clients wired to it in-process.
- ``talkkit_emulator_options``: override it in your ``conftest.py`` to configure the emulator
  (``{"rate_limits": {"talkory": None}, "seed": 7}``).
- ``talkkit_no_backoff``: retries inside the test happen without waiting.

The client fixtures are plain (synchronous) fixtures, so they work with any async test runner
(anyio, pytest-asyncio, trio). They need the ``emulator`` extra.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from talkkit.testing import no_backoff, talkory_client, talkover_client, talkturo_client

if TYPE_CHECKING:
    from talkkit.emulator import Emulator
    from talkkit.talkory import AsyncTalkory
    from talkkit.talkover import AsyncTalkover
    from talkkit.talkturo import AsyncTalkturo

__all__ = [
    "talkkit_emulator",
    "talkkit_emulator_options",
    "talkkit_no_backoff",
    "talkory",
    "talkover",
    "talkturo",
]


@pytest.fixture
def talkkit_no_backoff() -> Iterator[None]:
    """Retries within the test run without sleeping."""
    with no_backoff():
        yield


@pytest.fixture
def talkkit_emulator_options() -> dict[str, Any]:
    """Keyword arguments for the test's `Emulator` (override in your conftest.py)."""
    return {}


@pytest.fixture
def talkkit_emulator(talkkit_emulator_options: dict[str, Any]) -> Emulator:
    """A fresh in-memory emulator of the three APIs."""
    from talkkit.emulator import Emulator

    return Emulator(**talkkit_emulator_options)


@pytest.fixture
def talkturo(talkkit_emulator: Emulator) -> AsyncTalkturo:
    """An `AsyncTalkturo` bound to the test's emulator (default account and team set)."""
    return talkturo_client(talkkit_emulator)


@pytest.fixture
def talkover(talkkit_emulator: Emulator) -> AsyncTalkover:
    """An `AsyncTalkover` bound to the test's emulator."""
    return talkover_client(talkkit_emulator)


@pytest.fixture
def talkory(talkkit_emulator: Emulator) -> AsyncTalkory:
    """An `AsyncTalkory` bound to the test's emulator."""
    return talkory_client(talkkit_emulator)
