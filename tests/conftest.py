"""Shared fixtures: every async test runs on both anyio backends (asyncio and trio)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import respx

from talkkit import AsyncTalkory, RetryPolicy

TALKORY_TEST_KEY = "tk_live_" + "k" * 32


BACKENDS = [b for b in os.environ.get("TALKKIT_TEST_BACKENDS", "asyncio,trio").split(",") if b]


@pytest.fixture(params=BACKENDS)
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Run each `pytest.mark.anyio` test once per backend."""
    return str(request.param)


@pytest.fixture(autouse=True)
def _no_talkkit_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's credentials, log settings, proxies or CA bundle."""
    for name in (
        *(f"{scheme}_PROXY" for scheme in ("HTTP", "HTTPS", "ALL", "NO")),
        *(f"{scheme}_proxy" for scheme in ("http", "https", "all", "no")),
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "TALKORY_API_KEY",
        "TALKORY_BASE_URL",
        "TALKOVER_TOKEN",
        "TALKOVER_BASE_URL",
        "TALKTURO_TOKEN",
        "TALKTURO_BASE_URL",
        "TALKTURO_TEAM_ID",
        "TALKTURO_ACCOUNT_SLUG",
        "TALKKIT_LOG",
        "TALKKIT_REDIS_URL",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def router() -> respx.MockRouter:
    """A respx router; hand ``httpx.MockTransport(router.async_handler)`` to a client."""
    return respx.MockRouter(assert_all_called=False, base_url="https://api.talkory.ai")


FAST_RETRY = RetryPolicy(backoff_base=0.0, backoff_max=0.0)


@pytest.fixture
async def make_talkory(
    router: respx.MockRouter,
) -> AsyncIterator[Callable[..., AsyncTalkory]]:
    """Build Talkory clients over the respx router (zero backoff, no pacing unless given)."""
    clients: list[AsyncTalkory] = []

    def make(**options: Any) -> AsyncTalkory:
        options.setdefault("retry", FAST_RETRY)
        options.setdefault("rate_limit", None)
        options.setdefault("transport", httpx.MockTransport(router.async_handler))
        client = AsyncTalkory(TALKORY_TEST_KEY, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
