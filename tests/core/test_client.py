"""Client lifecycle: construction and derived clients, context manager, aclose, warnings, reprs."""

from __future__ import annotations

import gc
from typing import Any

import httpx
import pytest

from talkkit import AsyncTalkory, AsyncTalkturo

from ..conftest import TALKORY_TEST_KEY

pytestmark = pytest.mark.anyio


async def test_async_with_closes_the_transport() -> None:
    """Leaving `async with` closes the client's own connection pool."""
    async with AsyncTalkory(TALKORY_TEST_KEY) as client:
        assert client._owns_transport
    assert client._closed
    with pytest.raises(RuntimeError, match="closed"):
        await client.wallet.get()
    await client.aclose()  # a second close is harmless


def test_unclosed_client_warns() -> None:
    """A client collected while open emits a ResourceWarning (and does no I/O)."""
    client = AsyncTalkory(TALKORY_TEST_KEY)
    with pytest.warns(ResourceWarning, match="not closed"):
        client.__del__()
    client._closed = True  # the real finaliser stays quiet now
    del client
    gc.collect()


async def test_given_transport_is_not_closed() -> None:
    """A transport passed in belongs to the caller."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    async with AsyncTalkory(TALKORY_TEST_KEY, transport=transport) as client:
        assert client._owns_transport is False


def test_repr_hides_the_key() -> None:
    """The client's repr shows the base URL and a masked token."""
    client = AsyncTalkory(
        TALKORY_TEST_KEY, transport=httpx.MockTransport(lambda r: httpx.Response(200))
    )
    text = repr(client)
    assert "api.talkory.ai" in text
    assert TALKORY_TEST_KEY not in text


def test_base_url_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """TALKORY_BASE_URL overrides the default; an argument overrides both."""
    monkeypatch.setenv("TALKORY_BASE_URL", "http://127.0.0.1:9999")
    transport = httpx.MockTransport(lambda r: httpx.Response(200))
    assert AsyncTalkory(TALKORY_TEST_KEY, transport=transport).base_url == "http://127.0.0.1:9999"
    other = AsyncTalkory(TALKORY_TEST_KEY, base_url="https://eu.talkory.ai/", transport=transport)
    assert other.base_url == "https://eu.talkory.ai"


def test_derived_client_is_built_by_the_constructor() -> None:
    """with_options goes through the class's constructor, sharing transport, store and converter."""
    built: list[AsyncTalkory] = []

    class Counted(AsyncTalkory):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            built.append(self)
            super().__init__(*args, **kwargs)

    transport = httpx.MockTransport(lambda r: httpx.Response(200))
    parent = Counted(TALKORY_TEST_KEY, transport=transport, headers={"X-A": "1"})
    child = parent.with_options(headers={"X-B": "2"}, max_retries=0)
    assert built == [parent, child]
    assert child.limiter_store is parent.limiter_store
    assert child._transport is parent._transport
    assert child._converter is parent._converter
    assert child.config.headers == {"X-A": "1", "X-B": "2"}
    assert child.config.retry.max_retries == 0
    assert child.wallet._client is child


def test_derived_client_keeps_allow_insecure() -> None:
    """A client allowed to use cleartext HTTP to a remote host derives clients that are too."""
    transport = httpx.MockTransport(lambda r: httpx.Response(200))
    parent = AsyncTalkory(
        TALKORY_TEST_KEY,
        base_url="http://talkory.internal",
        allow_insecure=True,
        transport=transport,
    )
    assert parent.with_options(timeout=5).base_url == "http://talkory.internal"


def test_talkturo_defaults_cleared_by_with_options_stay_cleared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """team_id=None in with_options clears the default even when TALKTURO_TEAM_ID is set."""
    transport = httpx.MockTransport(lambda r: httpx.Response(200))
    parent = AsyncTalkturo("tok", base_url="https://acme.test/api", transport=transport)
    monkeypatch.setenv("TALKTURO_TEAM_ID", "team_env")
    monkeypatch.setenv("TALKTURO_ACCOUNT_SLUG", "acme")
    child = parent.with_options(team_id=None)
    assert (child.team_id, child.account_slug) == (None, None)
    assert parent.with_options(account_slug="beta").account_slug == "beta"
