"""The request pipeline in front of the three routers: log, faults, auth, limits, headers."""

from __future__ import annotations

import math
from collections.abc import Sequence

import anyio
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from talkkit.emulator._auth import bearer_token
from talkkit.emulator._drop import ConnectionDropped, drop_connection, is_drop
from talkkit.emulator._env import Env
from talkkit.emulator._errors import ApiError, ErrorKind
from talkkit.emulator._faults import FaultDecision, Outcome
from talkkit.emulator._platform import CONTEXT_KEY, Platform, RequestContext
from talkkit.emulator._records import LoggedRequest, token_hash


def retry_after_headers(seconds: float) -> dict[str, str]:
    """``Retry-After`` in whole seconds (rounded up), and ``retry-after-ms`` for a fraction."""
    headers = {"Retry-After": str(math.ceil(seconds))}
    if seconds != int(seconds):
        headers["retry-after-ms"] = str(round(seconds * 1000))
    return headers


__all__ = ["Pipeline", "error_response"]


def error_response(error: ApiError, ctx: RequestContext) -> JSONResponse:
    """Render `error` in the dialect of the request's platform."""
    body = ctx.platform.dialect.render(error, ctx.server_request_id)
    return JSONResponse(body, status_code=error.status, headers=error.headers)


class Pipeline:
    """
    Pure ASGI middleware that runs before routing for every platform request.

    In order: attach a `RequestContext`, apply a scripted fault, authenticate, spend a
    rate-limit token, run the router (watching event streams for a scripted cut), add the
    `X-RateLimit-*` / `x-request-id` headers, and append the request to the log.
    """

    def __init__(self, app: ASGIApp, *, env: Env, platforms: Sequence[Platform]) -> None:
        self.app = app
        self.env = env
        # Longest prefix first, so Talkover (`/api/v1`) wins over Talkturo (`/api`).
        self.platforms = tuple(sorted(platforms, key=lambda p: len(p.prefix), reverse=True))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        platform = None
        if scope["type"] == "http":
            platform = next((p for p in self.platforms if p.owns(scope["path"])), None)
        if platform is None:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        ctx = RequestContext(
            platform=platform,
            route=f"{scope['method']} {scope['path']}",
            request_id=headers.get("x-request-id"),
            idempotency_key=headers.get("idempotency-key"),
            server_request_id=self.env.ids.request_id(),
        )
        scope[CONTEXT_KEY] = ctx
        try:
            await self._handle(scope, receive, send, ctx, headers)
        except Exception as exc:
            if not is_drop(exc) and ctx.status is None:
                ctx.status = 500
            raise
        finally:
            self._log(scope, ctx)

    async def _handle(
        self, scope: Scope, receive: Receive, send: Send, ctx: RequestContext, headers: Headers
    ) -> None:
        decision = self.env.faults.decide(ctx.route)
        if decision is not None:
            ctx.fault = decision.label
            if decision.rule.latency:
                await anyio.sleep(decision.rule.latency)
            if decision.outcome is Outcome.DROP:
                await drop_connection(send)
        rejection = self._reject(decision, ctx, headers)
        if rejection is not None:
            await error_response(rejection, ctx)(scope, receive, self._watch(scope, ctx, send))
        elif decision is not None and decision.outcome is Outcome.COMMIT_DROP:
            await self.app(scope, receive, self._swallow(ctx))
            await drop_connection(send)
        else:
            await self.app(scope, receive, self._watch(scope, ctx, send))

    def _reject(
        self, decision: FaultDecision | None, ctx: RequestContext, headers: Headers
    ) -> ApiError | None:
        """The answer given without processing: a scripted 5xx/429, bad credentials, 429."""
        dialect = ctx.platform.dialect
        outcome = None if decision is None else decision.outcome
        if decision is not None and outcome is Outcome.ERROR:
            status = decision.rule.error_status
            kind = ErrorKind.UNAVAILABLE if status == 503 else ErrorKind.SERVER_ERROR
            return dialect.error(kind, status=status)
        if decision is not None and outcome is Outcome.THROTTLE:
            retry = retry_after_headers(decision.rule.retry_after)
            return dialect.error(ErrorKind.RATE_LIMITED, headers=retry)
        if ctx.platform.is_public(ctx.route):
            return None
        token = ctx.platform.credentials.check(headers.get("authorization"))
        if isinstance(token, ErrorKind):
            return dialect.error(token)
        ctx.token = token
        ctx.rate = self.env.limiter.take(ctx.platform.name, token)
        if ctx.rate is not None and not ctx.rate.allowed:
            self.env.throttled += 1
            retry = {"Retry-After": str(ctx.rate.retry_after)}
            return dialect.error(ErrorKind.RATE_LIMITED, headers=retry)
        return None

    def _swallow(self, ctx: RequestContext) -> Send:
        """A `send` that lets the handler commit its work but delivers nothing."""

        async def swallow(message: Message) -> None:
            if message["type"] == "http.response.start":
                ctx.status = message["status"]

        return swallow

    def _watch(self, scope: Scope, ctx: RequestContext, send: Send) -> Send:
        """
        A `send` that decorates the response start and may cut an event stream.

        The request is logged just before the last body message goes out, so a client that
        has its answer always finds the request in the log (a served emulator runs in
        another thread).
        """
        cut_after: int | None = None
        events = 0

        async def watched(message: Message) -> None:
            nonlocal cut_after, events
            if message["type"] == "http.response.start":
                ctx.status = message["status"]
                headers = MutableHeaders(scope=message)
                self._decorate(ctx, headers)
                if headers.get("content-type", "").startswith("text/event-stream"):
                    cut_after = self.env.faults.decide_stream(ctx.route)
            elif cut_after is not None and b"data:" in message.get("body", b""):
                if events >= cut_after:
                    ctx.fault = "stream_drop"
                    raise ConnectionDropped
                events += 1
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                self._log(scope, ctx)
            await send(message)

        return watched

    def _decorate(self, ctx: RequestContext, headers: MutableHeaders) -> None:
        platform = ctx.platform
        rate = ctx.rate
        if rate is None and platform.always_rate_headers:
            rate = self.env.limiter.peek(platform.name, ctx.token)
        if rate is not None:
            headers["X-RateLimit-Limit"] = str(rate.limit)
            headers["X-RateLimit-Remaining"] = str(rate.remaining)
        if platform.request_id_header:
            headers["x-request-id"] = ctx.server_request_id

    def _log(self, scope: Scope, ctx: RequestContext) -> None:
        if ctx.logged:
            return
        ctx.logged = True
        token = bearer_token(Headers(scope=scope).get("authorization"))
        self.env.request_log.append(
            LoggedRequest(
                platform=ctx.platform.name,
                method=scope["method"],
                path=scope["path"],
                status=ctx.status,
                token_hash=None if token is None else token_hash(token),
                request_id=ctx.request_id,
                idempotency_key=ctx.idempotency_key,
                fault=ctx.fault,
                at=self.env.now(),
                subject=ctx.subject,
                created=ctx.created,
            )
        )
