"""
talkkit's pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:
    talkkit_no_backoff: retries inside the test happen without waiting.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from talkkit.testing import no_backoff

__all__ = ["talkkit_no_backoff"]


@pytest.fixture
def talkkit_no_backoff() -> Iterator[None]:
    """Retries within the test run without sleeping."""
    with no_backoff():
        yield
