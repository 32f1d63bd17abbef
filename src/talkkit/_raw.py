"""
Response metadata: ``client.<resource>.with_raw_response.<method>(...)``.

One generic proxy serves every resource (no twin classes): it runs the method with a sink in
a context variable, the client core records the HTTP response of each request made while
the sink is set, and the proxy returns a `RawResponse` holding the last one next to the
parsed result. A method that returns a paginator fetches its first page.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

import httpx

from talkkit._headers import request_id_from
from talkkit._request import context_of
from talkkit.pagination import AsyncPaginator

__all__ = ["RawResponse", "RawResponseProxy", "record_response", "request_id_of"]

T = TypeVar("T")
R = TypeVar("R")

_SINK: ContextVar[list[httpx.Response] | None] = ContextVar("talkkit_raw_sink", default=None)


def record_response(response: httpx.Response) -> None:
    """Called by the client core for every response; keeps it when a caller asked for it."""
    sink = _SINK.get()
    if sink is not None:
        sink.append(response)


def request_id_of(response: httpx.Response) -> str | None:
    """The server's request id for a response, else the one talkkit sent with the call."""
    return request_id_from(response.headers) or context_of(response.request).request_id


class RawResponse(Generic[T]):
    """
    The HTTP response of a call, with its parsed result.

    Attributes:
        http_response: The last `httpx.Response` of the call (its body already read,
            unless the call streams).
    """

    __slots__ = ("_parsed", "http_response")

    def __init__(self, http_response: httpx.Response, parsed: T) -> None:
        self.http_response = http_response
        self._parsed = parsed

    @property
    def status_code(self) -> int:
        """The HTTP status of the response."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The response headers."""
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        """The server's request id header, else the ``X-Request-Id`` talkkit sent."""
        return request_id_of(self.http_response)

    def parse(self) -> T:
        """The model (or page) the method returns normally."""
        return self._parsed

    def __repr__(self) -> str:
        return f"<RawResponse {self.status_code} request_id={self.request_id!r}>"


class RawResponseProxy(Generic[R]):
    """
    Every method of a resource, returning `RawResponse` instead of the parsed value.

    Reached as ``resource.with_raw_response``; ``await proxy.create(...)`` runs
    ``resource.create(...)``. For a method that makes several requests (a wait that polls),
    the response is the last one.
    """

    __slots__ = ("_resource",)

    def __init__(self, resource: R) -> None:
        self._resource = resource

    def __getattr__(self, name: str) -> Callable[..., Awaitable[RawResponse[Any]]]:
        method = getattr(self._resource, name)
        if name.startswith("_") or not callable(method):
            raise AttributeError(f"{type(self._resource).__name__} has no method {name!r}")

        async def call(*args: Any, **kwargs: Any) -> RawResponse[Any]:
            sink: list[httpx.Response] = []
            token = _SINK.set(sink)
            try:
                result = method(*args, **kwargs)
                if isinstance(result, AsyncPaginator):  # a list: its first page
                    result = await result.first_page()
                elif inspect.isawaitable(result):
                    result = await result
            finally:
                _SINK.reset(token)
            if not sink:
                raise TypeError(f"{name}() made no HTTP request")
            return RawResponse(sink[-1], result)

        return call

    def __repr__(self) -> str:
        return f"<with_raw_response of {self._resource!r}>"
