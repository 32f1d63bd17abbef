"""`AsyncTalkover` configuration: token, base URL, resources on derived clients."""

from __future__ import annotations

import httpx
import pytest

from talkkit import ConfigurationError
from talkkit.emulator import TALKOVER_TOKEN, Emulator
from talkkit.talkover import AsyncTalkover

from .conftest import BASE_URL, RecordingTransport

pytestmark = pytest.mark.anyio

TRANSPORT = httpx.MockTransport(lambda request: httpx.Response(200, json={"success": True}))


async def test_token_and_base_url_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """TALKOVER_TOKEN and TALKOVER_BASE_URL are read when no argument is given."""
    monkeypatch.setenv("TALKOVER_TOKEN", "talq_fromenv")
    monkeypatch.setenv("TALKOVER_BASE_URL", "http://127.0.0.1:8080/api/v1")
    async with AsyncTalkover(transport=TRANSPORT) as client:
        assert client.base_url == "http://127.0.0.1:8080/api/v1"
        assert client.config.token.get() == "talq_fromenv"


async def test_default_base_url() -> None:
    """Without an override the documented base URL is used."""
    async with AsyncTalkover("talq_x", transport=TRANSPORT) as client:
        assert client.base_url == "https://app.talkover.ai/api/v1"


def test_token_prefix_is_checked() -> None:
    """A token without the `talq_` prefix is refused with a message naming it."""
    with pytest.raises(ConfigurationError, match="talq_"):
        AsyncTalkover("tk_live_123", transport=TRANSPORT)


def test_missing_token() -> None:
    """No token and no env var is a ConfigurationError naming TALKOVER_TOKEN."""
    with pytest.raises(ConfigurationError, match="TALKOVER_TOKEN"):
        AsyncTalkover(transport=TRANSPORT)


async def test_repr_hides_the_token() -> None:
    """The token never shows in repr."""
    async with AsyncTalkover("talq_supersecret", transport=TRANSPORT) as client:
        assert "supersecret" not in repr(client)
        assert "supersecret" not in repr(client.agents)


async def test_derived_client_has_its_own_resources(
    client: AsyncTalkover, wire: RecordingTransport
) -> None:
    """with_options() attaches fresh resources bound to the derived client."""
    derived = client.with_options(headers={"X-Team": "growth"})
    assert derived.agents is not client.agents
    assert derived.campaigns.webhooks is derived.campaign_webhooks
    await derived.health.check()
    assert wire.last.path == "/health"
    await derived.aclose()


async def test_bearer_token_is_sent(emu: Emulator) -> None:
    """Requests carry `Authorization: Bearer talq_…`."""
    seen: list[str] = []

    async def spy(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return await emu.transport().handle_async_request(request)

    async with AsyncTalkover(
        TALKOVER_TOKEN, base_url=BASE_URL, transport=httpx.MockTransport(spy), rate_limit=None
    ) as client:
        await client.health.check()
    assert seen == [f"Bearer {TALKOVER_TOKEN}"]
