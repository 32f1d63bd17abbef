"""Authentication errors in each platform's exact dialect."""

from __future__ import annotations

import httpx
import pytest

from talkkit.emulator import (
    TALKORY_KEY,
    TALKOVER_TOKEN,
    TALKTURO_ACCOUNT_SLUG,
    TALKTURO_TEAM_ID,
    Emulator,
    token_hash,
)
from talkkit.emulator._constants import OTHER_TEAM_ID

from .conftest import ORY, OVER, TURO

pytestmark = pytest.mark.anyio


async def test_talkturo_401_has_no_success_key(client: httpx.AsyncClient) -> None:
    """Talkturo answers a missing or wrong token with exactly {"error": "Unauthorized"}."""
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = await client.get("/api/crm/campaigns", params={"teamId": "x"}, headers=headers)
        assert response.status_code == 401
        assert response.json() == {"error": "Unauthorized"}


async def test_talkturo_team_of_other_account_is_403_unknown_is_404(
    client: httpx.AsyncClient,
) -> None:
    """A team of another account gives {"error": "Forbidden"}; an unknown team gives 404."""
    forbidden = await client.get(
        "/api/crm/campaigns", params={"teamId": OTHER_TEAM_ID}, headers=TURO
    )
    assert forbidden.status_code == 403
    assert forbidden.json() == {"error": "Forbidden"}
    unknown = await client.get("/api/crm/campaigns", params={"teamId": "team_nope"}, headers=TURO)
    assert unknown.status_code == 404
    assert unknown.json() == {"success": False, "error": "Team not found"}
    own = await client.get("/api/crm/campaigns", params={"teamId": TALKTURO_TEAM_ID}, headers=TURO)
    assert own.status_code == 200


async def test_talkturo_account_slug_ownership(client: httpx.AsyncClient) -> None:
    """Creating an assistant under another account's slug is forbidden."""
    body = {"accountSlug": "globex", "name": "Other"}
    response = await client.post("/api/assistants", json=body, headers=TURO)
    assert response.status_code == 403
    body["accountSlug"] = TALKTURO_ACCOUNT_SLUG
    assert (await client.post("/api/assistants", json=body, headers=TURO)).status_code == 200


async def test_talkover_auth_shape_a(client: httpx.AsyncClient) -> None:
    """Talkover uses shape A with MISSING_TOKEN or UNAUTHORIZED and status_code 401."""
    missing = await client.get("/api/v1/agents")
    assert missing.status_code == 401
    assert missing.json() == {
        "error": "MISSING_TOKEN",
        "message": "Missing Bearer Token",
        "status_code": 401,
    }
    wrong = await client.get("/api/v1/agents", headers={"Authorization": "Bearer talq_wrong"})
    assert wrong.json() == {
        "error": "UNAUTHORIZED",
        "message": "Invalid or missing authentication token",
        "status_code": 401,
    }


async def test_talkover_expired_token() -> None:
    """A token listed in expired_tokens gets TOKEN_EXPIRED."""
    emu = Emulator(talkover_tokens=(TALKOVER_TOKEN, "talq_old"), expired_tokens=("talq_old",))
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://t") as client:
        response = await client.get("/api/v1/health", headers={"Authorization": "Bearer talq_old"})
        ok = await client.get("/api/v1/health", headers=OVER)
    assert response.status_code == 401
    assert response.json()["error"] == "TOKEN_EXPIRED"
    assert ok.status_code == 200


async def test_talkory_missing_and_invalid_key(client: httpx.AsyncClient) -> None:
    """Talkory says missing_api_key without a header and invalid_api_key for a bad key."""
    missing = await client.get("/v1/models")
    assert missing.status_code == 401
    error = missing.json()["error"]
    assert error["code"] == "missing_api_key"
    assert error["status"] == 401
    assert error["requestId"] == missing.headers["x-request-id"]
    assert error["requestId"].startswith("req_")
    for key in ("tk_live_" + "x" * 32, TALKORY_KEY.removeprefix("tk_live_"), "tk_test_abc"):
        response = await client.get("/v1/models", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_api_key"


def test_talkory_keys_must_have_the_live_prefix() -> None:
    """Configuring a Talkory key without tk_live_ is refused up front."""
    with pytest.raises(ValueError, match="tk_live_"):
        Emulator(talkory_keys=("sk_nope",))


async def test_request_log_records_credentials_and_headers(
    emu: Emulator, client: httpx.AsyncClient
) -> None:
    """The log keeps a token hash, X-Request-Id and Idempotency-Key, never the token."""
    headers = {**ORY, "X-Request-Id": "rid-1", "Idempotency-Key": "idem-1"}
    await client.get("/v1/wallet", headers=headers)
    await client.get("/api/v1/health", headers=TURO)
    first, second = emu.request_log
    assert (first.platform, first.method, first.path, first.status) == (
        "talkory",
        "GET",
        "/v1/wallet",
        200,
    )
    assert first.token_hash == token_hash(TALKORY_KEY)
    assert (first.request_id, first.idempotency_key, first.fault) == ("rid-1", "idem-1", None)
    assert second.platform == "talkover"
    assert second.status == 401
    assert TALKORY_KEY not in repr(emu.request_log)
