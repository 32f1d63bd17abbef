"""The request-id layer: one id per call, one idempotency key per unsafe call."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import respx

from talkkit import AsyncTalkory, NotFoundError

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., AsyncTalkory]


async def test_each_call_gets_its_own_request_id(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """Two calls carry two different X-Request-Id values, and GETs no idempotency key."""
    route = router.get("/v1/wallet").mock(return_value=httpx.Response(200, json={"balance": 1}))
    client = make_talkory()
    await client.wallet.get()
    await client.wallet.get()
    ids = [call.request.headers["x-request-id"] for call in route.calls]
    assert len(set(ids)) == 2
    assert all(len(i) == 32 for i in ids)
    assert all("idempotency-key" not in call.request.headers for call in route.calls)


async def test_retries_keep_the_same_ids(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """Every attempt of one call shares its request id."""
    route = router.get("/v1/wallet").mock(
        side_effect=[
            httpx.Response(502),
            httpx.Response(502),
            httpx.Response(200, json={"balance": 1}),
        ]
    )
    await make_talkory().wallet.get()
    assert len({call.request.headers["x-request-id"] for call in route.calls}) == 1
    assert route.call_count == 3


async def test_caller_supplied_ids_are_kept(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """An X-Request-Id / Idempotency-Key the caller set is not replaced."""
    route = router.post("/v1/query").mock(return_value=httpx.Response(202, json={"id": "q"}))
    client = make_talkory(headers={"X-Request-Id": "mine", "Idempotency-Key": "key-1"})
    await client.queries.create("hi")
    sent = route.calls[0].request.headers
    assert sent["x-request-id"] == "mine"
    assert sent["idempotency-key"] == "key-1"


async def test_api_error_falls_back_to_our_request_id(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """When the server sends no request id, the error carries the one we sent."""
    route = router.get("/v1/wallet").mock(return_value=httpx.Response(404))
    with pytest.raises(NotFoundError) as info:
        await make_talkory().wallet.get()
    assert info.value.request_id == route.calls[0].request.headers["x-request-id"]
