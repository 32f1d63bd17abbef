"""
A server (or a proxy in front of it) that echoes the credential back in an error: the typed error
talkkit raises must not carry it on, in its message, body, field errors or text.
"""

from __future__ import annotations

import json

import httpx
import pytest

from talkkit import AsyncTalkory, AsyncTalkover, AsyncTalkturo, TalkkitError
from talkkit.emulator import TALKTURO_TEAM_ID

from .conftest import ORY_KEY, OVER_TOKEN, TURO_TOKEN, LeakDetector

pytestmark = pytest.mark.anyio


def _echo(request: httpx.Request) -> httpx.Response:
    token = request.headers["authorization"].removeprefix("Bearer ")
    body = {
        "success": False,
        "error": {"code": "invalid_api_key", "message": f"Invalid API key: {token}"},
        "message": f"Authorization: Bearer {token} was refused",
        "errors": {"token": [f"{token} is not valid"]},
    }
    return httpx.Response(401, json=body)


def _html_echo(request: httpx.Request) -> httpx.Response:
    page = f"<html><pre>{request.headers['authorization']}</pre></html>"
    return httpx.Response(502, text=page, headers={"content-type": "text/html"})


@pytest.mark.parametrize("answer", [_echo, _html_echo], ids=["json", "html"])
async def test_an_echoed_token_is_redacted_from_the_error(
    leaks: LeakDetector, answer: object
) -> None:
    """Regression: a 401 or 502 whose body repeats the token raises an error that does not."""
    transport = httpx.MockTransport(answer)  # type: ignore[arg-type]
    async with (
        AsyncTalkturo(
            TURO_TOKEN,
            base_url="https://acme.talkturo.test/api",
            team_id=TALKTURO_TEAM_ID,
            transport=transport,
            max_retries=0,
        ) as turo,
        AsyncTalkover(OVER_TOKEN, transport=transport, max_retries=0, rate_limit=None) as over,
        AsyncTalkory(ORY_KEY, transport=transport, max_retries=0, rate_limit=None) as ory,
    ):
        for client in (turo, over, ory):
            with pytest.raises(TalkkitError) as info:
                await client.request_json("GET", "/anything")
            error = info.value
            leaks.see(f"{client.dialect.name} echo", error)
            leaks.see(f"{client.dialect.name} echo body", json.dumps(getattr(error, "body", None)))
