"""The auth layer, and that the token never leaks into logs, errors or reprs."""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable

import httpx
import pytest
import respx

from talkkit import AsyncTalkory, OutcomeUnknownError, TalkkitError
from talkkit.testing import capture_logs

from ..conftest import TALKORY_TEST_KEY

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., AsyncTalkory]


async def test_bearer_header_on_every_attempt(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """Each attempt carries Authorization: Bearer <key>."""
    route = router.get("/v1/wallet").mock(
        side_effect=[httpx.Response(500), httpx.Response(200, json={"balance": 1})]
    )
    await make_talkory().wallet.get()
    assert [c.request.headers["authorization"] for c in route.calls] == [
        f"Bearer {TALKORY_TEST_KEY}"
    ] * 2


async def test_token_appears_nowhere(router: respx.MockRouter, make_talkory: MakeClient) -> None:
    """Logs at DEBUG, error texts, reprs and pickles of errors never contain the token."""
    router.get("/v1/wallet").mock(
        side_effect=[
            httpx.Response(500, text="oops"),
            httpx.Response(401, json={"error": {"code": "invalid_api_key", "message": "bad key"}}),
        ]
    )
    router.post("/v1/query").mock(side_effect=httpx.ReadTimeout("timed out"))
    client = make_talkory()
    texts: list[str] = [repr(client), str(client), repr(client.config), repr(client.middleware)]
    with capture_logs(logging.DEBUG) as records:
        for call in (client.wallet.get(), client.queries.create("hi")):
            try:
                await call
            except TalkkitError as exc:
                texts += [str(exc), repr(exc), pickle.dumps(exc).decode("latin-1")]
                if isinstance(exc, OutcomeUnknownError):
                    texts += [str(exc.cause), repr(exc.cause)]
    texts += [record.getMessage() for record in records]
    assert records, "debug logging must have produced lines"
    secret_part = TALKORY_TEST_KEY[len("tk_live_") :]
    leaks = [t for t in texts if secret_part in t]
    assert leaks == []
