"""Every Talkover error shape comes back as one typed error with its code."""

from __future__ import annotations

import httpx
import pytest
import respx

from talkkit import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ServiceUnavailableError,
)
from talkkit.emulator import TALKOVER_TOKEN, Emulator, FaultRule, RateLimitSpec
from talkkit.talkover import AsyncTalkover

from .conftest import BASE_URL, FAST_RETRY, new_agent, published_agent

pytestmark = pytest.mark.anyio


class StripAuth(httpx.AsyncBaseTransport):
    """Removes the Authorization header on its way to the emulator."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        del request.headers["Authorization"]
        return await self.inner.handle_async_request(request)


def talkover(transport: httpx.AsyncBaseTransport, token: str = TALKOVER_TOKEN) -> AsyncTalkover:
    """A client with no retries and no pacing."""
    return AsyncTalkover(
        token, base_url=BASE_URL, transport=transport, rate_limit=None, max_retries=0
    )


async def test_shape_a_missing_token(emu: Emulator) -> None:
    """No bearer token: 401 shape A `MISSING_TOKEN`."""
    async with talkover(StripAuth(emu.transport())) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.health.check()
    assert (info.value.status, info.value.code) == (401, "MISSING_TOKEN")
    assert info.value.message == "Missing Bearer Token"


async def test_shape_a_unknown_and_expired_tokens() -> None:
    """A wrong token is `UNAUTHORIZED`; an expired one `TOKEN_EXPIRED`."""
    emu = Emulator(expired_tokens=["talq_expired"])
    async with talkover(emu.transport(), "talq_unknown") as client:
        with pytest.raises(AuthenticationError) as wrong:
            await client.agents.get("a1")
    async with talkover(emu.transport(), "talq_expired") as client:
        with pytest.raises(AuthenticationError) as expired:
            await client.agents.get("a1")
    assert wrong.value.code == "UNAUTHORIZED"
    assert expired.value.code == "TOKEN_EXPIRED"
    assert isinstance(expired.value.body, dict)
    assert expired.value.body["status_code"] == 401


async def test_shape_c_not_found_conflict_forbidden_transition(client: AsyncTalkover) -> None:
    """`{success: false, message, code}`: 404, 409, 403 and 400 map to their classes."""
    with pytest.raises(NotFoundError) as missing:
        await client.campaigns.get("nope")
    assert missing.value.code == "CAMPAIGN_NOT_FOUND"
    agent = await published_agent(client)
    with pytest.raises(ConflictError) as published:
        await client.agents.delete(agent.id)
    assert published.value.code == "AGENT_IS_PUBLISHED"
    campaign = await client.campaigns.create(name="C", agent_id=agent.id, start_date="2030-01-01")
    with pytest.raises(BadRequestError) as transition:
        await client.campaigns.set_status(campaign.id, "completed")
    assert (transition.value.status, transition.value.code) == (400, "INVALID_TRANSITION")
    await client.campaigns.set_status(campaign.id, "active")
    with pytest.raises(PermissionDeniedError) as forbidden:
        await client.campaigns.delete(campaign.id)
    assert (forbidden.value.status, forbidden.value.code) == (403, "FORBIDDEN")


async def test_shape_d_validation_errors(client: AsyncTalkover) -> None:
    """A 422 keeps its per-field `errors` map."""
    agent = await new_agent(client)
    with pytest.raises(BadRequestError) as info:
        await client.agents.update_calling(
            agent.id, direction="inbound", phone_number_ids=["missing"]
        )
    assert info.value.status == 422
    assert info.value.errors == {
        "phone_number_ids.0": ["The selected phone number ids.0 is invalid."]
    }


async def test_rate_limited() -> None:
    """Over the server's limit: 429 RateLimitError with Retry-After."""
    emu = Emulator(rate_limits={"talkover": RateLimitSpec(1, 60.0)})
    async with talkover(emu.transport()) as client:
        await client.health.check()
        with pytest.raises(RateLimitError) as info:
            await client.health.check()
    assert info.value.status == 429
    assert info.value.code == "RATE_LIMIT_EXCEEDED"
    assert info.value.retry_after is not None
    assert info.value.retry_after > 0


@pytest.mark.parametrize(
    ("status", "cls", "code"),
    [(500, ServerError, "SERVER_ERROR"), (503, ServiceUnavailableError, "SERVICE_UNAVAILABLE")],
)
async def test_server_errors(status: int, cls: type[ServerError], code: str) -> None:
    """Scripted 5xx answers map to ServerError / ServiceUnavailableError with their codes."""
    emu = Emulator(rate_limits={"talkover": None})
    emu.faults.add(FaultRule(route="GET /api/v1/agents", error_rate=1.0, error_status=status))
    async with talkover(emu.transport()) as client:
        with pytest.raises(cls) as info:
            await client.agents.list().first_page()
    assert (info.value.status, info.value.code) == (status, code)


async def test_safe_reads_are_retried_after_a_server_error(emu: Emulator) -> None:
    """A GET that hits one 500 is retried and succeeds."""
    emu.faults.add(FaultRule(route="GET /api/v1/health", error_rate=1.0, times=1))
    async with AsyncTalkover(
        TALKOVER_TOKEN,
        base_url=BASE_URL,
        transport=emu.transport(),
        rate_limit=None,
        retry=FAST_RETRY,
    ) as client:
        assert (await client.health.check()).status == "ok"
    assert [r.status for r in emu.request_log] == [500, 200]


# Shapes B and E and a proxy's HTML page are documented but the emulator never sends them:
# these go through the real client over respx.


@pytest.fixture
def router() -> respx.MockRouter:
    """A respx router on the Talkover base URL."""
    return respx.MockRouter(assert_all_called=True, base_url=BASE_URL)


async def test_shape_b_nested_error(router: respx.MockRouter) -> None:
    """`{success: false, error: {code, message, details}}` reads code and message inside."""
    router.get("/agents/a1").respond(
        401,
        json={
            "success": False,
            "error": {"code": "INVALID_API_KEY", "message": "Bad key", "details": {}},
        },
    )
    async with talkover(httpx.MockTransport(router.async_handler)) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.agents.get("a1")
    assert (info.value.code, info.value.message) == ("INVALID_API_KEY", "Bad key")


async def test_shape_e_bare_error_string(router: respx.MockRouter) -> None:
    """`{"error": "Failed to generate demo audio"}` (500) is a ServerError with that message."""
    router.get("/voice-templates/v1/demo").respond(
        500, json={"error": "Failed to generate demo audio"}
    )
    async with talkover(httpx.MockTransport(router.async_handler)) as client:
        with pytest.raises(ServerError) as info:
            await client.voice_templates.demo_url("v1")
    assert info.value.message == "Failed to generate demo audio"
    assert info.value.code == "http_500"


async def test_html_from_a_proxy(router: respx.MockRouter) -> None:
    """An HTML 502 still yields a typed ServerError with a readable message."""
    router.get("/calls").respond(502, text="<html><body>Bad Gateway</body></html>")
    async with talkover(httpx.MockTransport(router.async_handler)) as client:
        with pytest.raises(ServerError) as info:
            await client.calls.list().first_page()
    assert info.value.status == 502
    assert "HTML" in info.value.message
