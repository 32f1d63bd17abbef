"""The Starlette application: one mount per platform behind the request pipeline."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from talkkit.emulator._env import Env
from talkkit.emulator._errors import ApiError, ErrorKind
from talkkit.emulator._pipeline import Pipeline, error_response
from talkkit.emulator._platform import CONTEXT_KEY, Platform, context

__all__ = ["build_app"]

_KINDS = {404: ErrorKind.NOT_FOUND, 405: ErrorKind.METHOD_NOT_ALLOWED}


def _as_api_error(request: Request, exc: Exception) -> ApiError:
    if isinstance(exc, ApiError):
        return exc
    assert isinstance(exc, HTTPException)
    kind = _KINDS.get(exc.status_code)
    if kind is None or CONTEXT_KEY not in request.scope:
        return ApiError(exc.status_code, exc.detail, headers=exc.headers)
    return context(request).platform.dialect.error(kind, headers=exc.headers)


async def _on_error(request: Request, exc: Exception) -> Response:
    """Answer handler errors and routing misses in the platform's own error dialect."""
    error = _as_api_error(request, exc)
    if CONTEXT_KEY not in request.scope:
        return JSONResponse({"error": error.message}, error.status, headers=error.headers)
    return error_response(error, context(request))


def _index(platforms: Sequence[Platform]) -> Route:
    listing = {p.name: p.prefix for p in platforms}

    async def index(request: Request) -> Response:
        return JSONResponse({"service": "talkkit emulator", "platforms": listing})

    return Route("/", index, methods=["GET"])


def build_app(
    env: Env,
    mounts: Sequence[tuple[Platform, Sequence[BaseRoute]]],
    lifespan: Callable[[Starlette], AbstractAsyncContextManager[None]] | None = None,
) -> Starlette:
    """
    Build the emulator's Starlette app.

    Args:
        env: The shared runtime (faults, limits, logs).
        mounts: Each platform with its routes, mounted in the given order under its prefix.
        lifespan: Runs while a server serves the app with lifespan events (background
            webhook deliveries); in-process transports send none, so it never runs there.
    """
    platforms = [platform for platform, _ in mounts]
    routes: list[BaseRoute] = [Mount(p.prefix, routes=list(r)) for p, r in mounts]
    routes.append(_index(platforms))
    return Starlette(
        routes=routes,
        middleware=[Middleware(Pipeline, env=env, platforms=platforms)],
        exception_handlers={ApiError: _on_error, HTTPException: _on_error},
        lifespan=lifespan,
    )
