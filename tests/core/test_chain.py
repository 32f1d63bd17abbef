"""The pipeline: fixed order, per-call vs per-attempt layers, user middleware."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import respx

from talkkit import AsyncTalkory
from talkkit.middleware import (
    AttemptTracingMiddleware,
    BearerAuth,
    CallTracingMiddleware,
    ErrorDecoderMiddleware,
    RateLimitMiddleware,
    RequestIdMiddleware,
    RetryMiddleware,
)
from talkkit.typing import Handler

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., AsyncTalkory]


class Recording:
    """A middleware that logs enter/exit events and what the request looked like."""

    def __init__(self, name: str, log: list[str]) -> None:
        self.name = name
        self.log = log

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        has_auth = "authorization" in request.headers
        self.log.append(f"enter {self.name} id={'x-request-id' in request.headers} auth={has_auth}")
        try:
            response = await call_next(request)
        except Exception as exc:
            self.log.append(f"raise {self.name} {type(exc).__name__}")
            raise
        self.log.append(f"exit {self.name} {response.status_code}")
        return response


async def test_default_order(make_talkory: MakeClient) -> None:
    """Request id, call span, retry, user layers, rate limit, attempt span, auth, errors."""
    log: list[str] = []
    client = make_talkory(middleware=[Recording("user", log)], rate_limit="10/s")
    kinds = [type(m) for m in client.middleware]
    assert kinds == [
        RequestIdMiddleware,
        CallTracingMiddleware,
        RetryMiddleware,
        Recording,
        RateLimitMiddleware,
        AttemptTracingMiddleware,
        BearerAuth,
        ErrorDecoderMiddleware,
    ]


async def test_user_middleware_runs_per_attempt(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """A user layer sees each attempt, after the request id and before auth and decoding."""
    router.get("/v1/wallet").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"balance": 1})]
    )
    log: list[str] = []
    await make_talkory(middleware=[Recording("user", log)]).wallet.get()
    assert log == [
        "enter user id=True auth=False",  # auth is added inside the user layer
        "raise user ServiceUnavailableError",
        "enter user id=True auth=True",  # same request object, header from attempt 1
        "exit user 200",
    ]


async def test_sync_middleware_rejected_at_construction(make_talkory: MakeClient) -> None:
    """A sync callable fails when the client is built, not on the first request."""

    def not_async(request: httpx.Request, call_next: Handler) -> None:
        return None

    with pytest.raises(TypeError, match="async callable"):
        make_talkory(middleware=[not_async])
    with pytest.raises(TypeError, match="async callable"):
        make_talkory(middleware=[object()])


async def test_plain_async_function_is_a_middleware(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """Any async (request, call_next) function works and can change the request."""
    route = router.get("/v1/wallet").mock(return_value=httpx.Response(200, json={"balance": 1}))

    async def tag(request: httpx.Request, call_next: Handler) -> httpx.Response:
        request.headers["X-Team"] = "growth"
        return await call_next(request)

    await make_talkory(middleware=[tag]).wallet.get()
    assert route.calls[0].request.headers["x-team"] == "growth"


async def test_with_options_shares_transport_and_changes_settings(
    router: respx.MockRouter, make_talkory: MakeClient
) -> None:
    """A derived client uses the parent's transport and limiter store with its own options."""
    route = router.get("/v1/wallet").mock(return_value=httpx.Response(503))
    parent = make_talkory()
    child = parent.with_options(max_retries=0)
    assert child._transport is parent._transport
    assert child._store is parent._store
    with pytest.raises(Exception, match="503"):
        await child.wallet.get()
    assert route.call_count == 1
    await child.aclose()  # does not close the parent's transport
    route.mock(return_value=httpx.Response(200, json={"balance": 3}))
    assert (await parent.wallet.get()).balance == 3
