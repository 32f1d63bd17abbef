"""Client lifecycle: context manager, aclose, the unclosed-client warning, reprs."""

from __future__ import annotations

import gc

import httpx
import pytest

from talkkit import AsyncTalkory

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
