"""Fixtures of the scale-out tests: a real redis-server (no fakeredis), asyncio only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.redis_server import RedisServer


@pytest.fixture
def anyio_backend() -> str:
    """A Redis journal runs on redis-py's asyncio client: asyncio only."""
    return "asyncio"


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    """One throwaway redis-server for the module's tests (each test names its own job)."""
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()
