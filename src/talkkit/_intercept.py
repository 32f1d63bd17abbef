"""
Mocks and instrumentation patched into httpx or httpcore see talkkit's requests too.

talkkit hands each request to its transport directly, not through `httpx.AsyncClient`, and
its ``fast`` transport speaks aiohttp. Tools that patch httpx's own entry points would miss
those requests; instead, talkkit notices the patch and takes the path the tool watches:

- respx's default mocker patches ``httpcore.AsyncConnectionPool.handle_async_request``;
  pytest-httpx patches ``httpx.AsyncHTTPTransport.handle_async_request``, and so does
  OpenTelemetry's httpx instrumentation (as do other tracers built on wrapt). While either
  method is not the library's own (`sends_patched`), talkkit's aiohttp-backed transports send
  through httpx's transport: respx and pytest-httpx intercept every request (an unmatched one
  fails as they make it fail, before any socket is opened), and OpenTelemetry records a span
  for every attempt — at the price of the aiohttp speed-up while instrumentation is on.
- respx's ``using="httpx"`` mocker patches ``httpx.AsyncClient._transport_for_url``. While it
  is patched (`routing_patched`), `ClientRoute` asks it for the transport of each request,
  exactly as `httpx.AsyncClient` does, whatever the client's transport.

The checks cost a few attribute lookups per request (no import: httpcore is looked at only
once something has imported it). A method is "the library's own" when it is the plain
function httpx or httpcore defines; mocks, wrapt proxies, `functools.wraps` wrappers and
monkeypatched functions are not.
"""

from __future__ import annotations

import sys
from types import FunctionType
from typing import Any

import httpx

__all__ = ["ClientRoute", "routing_patched", "sends_patched"]

_POOL = ("httpcore._async.connection_pool", "AsyncConnectionPool.handle_async_request")
_TRANSPORT = ("httpx._transports.default", "AsyncHTTPTransport.handle_async_request")
_ROUTE = ("httpx._client", "AsyncClient._transport_for_url")

# The libraries' own functions once recognised: afterwards one identity test suffices.
_own: dict[tuple[str, str], Any] = {}


def _is_own(function: Any, where: tuple[str, str]) -> bool:
    if _own.get(where) is function:
        return True
    # The code's own name too: a `functools.wraps` wrapper copies the function's names only.
    if (
        type(function) is FunctionType
        and (function.__module__, function.__qualname__) == where
        and function.__code__.co_qualname == where[1]
    ):
        _own[where] = function
        return True
    return False


def sends_patched() -> bool:
    """Is httpx's transport or httpcore's pool patched (a mock, a tracer)?"""
    # Per request: an identity test each while nothing is patched (no call to _is_own).
    send = httpx.AsyncHTTPTransport.handle_async_request
    if send is not _own.get(_TRANSPORT) and not _is_own(send, _TRANSPORT):
        return True
    httpcore = sys.modules.get("httpcore")
    if httpcore is None:
        return False
    send = httpcore.AsyncConnectionPool.handle_async_request
    return send is not _own.get(_POOL) and not _is_own(send, _POOL)


def routing_patched() -> bool:
    """Is ``httpx.AsyncClient._transport_for_url`` patched (respx's ``using="httpx"``)?"""
    route = getattr(httpx.AsyncClient, "_transport_for_url", None)  # (private to httpx)
    return route is not None and route is not _own.get(_ROUTE) and not _is_own(route, _ROUTE)


class ClientRoute:
    """
    Sends a request where a patched ``AsyncClient._transport_for_url`` says.

    The patch is asked through an `httpx.AsyncClient` over ``transport`` (built on first use,
    never closed: ``transport`` belongs to the talkkit client), so a request it lets through
    goes on to ``transport``.
    """

    __slots__ = ("_client", "_transport")

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        client = self._client
        if client is None:
            client = self._client = httpx.AsyncClient(transport=self._transport, trust_env=False)
        return await client._transport_for_url(request.url).handle_async_request(request)


# Recognise httpx's own functions now, before a test can patch them (httpcore: on first use).
sends_patched()
routing_patched()
