"""Validate middleware and fold them into one handler, once per client."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Sequence

import httpx

from talkkit.typing import Handler, Middleware

__all__ = ["build_chain", "check_middleware"]


def check_middleware(middleware: object) -> Middleware:
    """
    Accept an async callable ``(request, call_next) -> response``; refuse anything else now.

    Raises:
        TypeError: A sync function, or something not callable.
    """
    is_async = inspect.iscoroutinefunction(middleware) or (
        callable(middleware)
        and not inspect.isroutine(middleware)
        and inspect.iscoroutinefunction(type(middleware).__call__)
    )
    if not is_async:
        raise TypeError(
            f"middleware must be an async callable (request, call_next) -> response, "
            f"got {middleware!r}"
        )
    return middleware  # type: ignore[return-value]


def build_chain(middleware: Sequence[Middleware], innermost: Handler) -> Handler:
    """Fold ``middleware`` (outermost first) around ``innermost``."""
    handler = innermost
    for layer in reversed(middleware):
        handler = _Bound(layer, handler)
    return handler


class _Bound:
    """``call_next`` for one layer: returns the layer's awaitable without an extra frame."""

    __slots__ = ("call_next", "layer")

    def __init__(self, layer: Middleware, call_next: Handler) -> None:
        self.layer = layer
        self.call_next = call_next

    def __call__(self, request: httpx.Request) -> Awaitable[httpx.Response]:
        return self.layer(request, self.call_next)

    def __repr__(self) -> str:
        return f"<{type(self.layer).__name__} -> {self.call_next!r}>"
