"""Run the emulator in-process behind an httpx transport, with real-looking connection drops."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from talkkit.emulator._drop import is_drop

__all__ = ["EmulatorTransport"]


class _CutStream(httpx.AsyncByteStream):
    """Yields what the server sent before the drop, then fails like a closed socket."""

    def __init__(self, parts: list[bytes], request: httpx.Request) -> None:
        self._parts = parts
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self._parts:
            yield part
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body", request=self._request
        )


class EmulatorTransport(httpx.AsyncBaseTransport):
    """
    An `httpx.AsyncBaseTransport` that calls the emulator app in-process.

    It wraps `httpx.ASGITransport` and adds one thing: a deliberate connection drop inside
    the app surfaces as `httpx.RemoteProtocolError`, as it would over a socket. A stream cut
    after some events returns a response whose body yields those events and then raises.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` to the app; translate deliberate drops into transport errors."""
        seen: dict[str, Any] = {"status": None, "headers": [], "body": []}

        async def spy_app(scope: Scope, receive: Receive, send: Send) -> None:
            async def spy(message: Message) -> None:
                if message["type"] == "http.response.start":
                    seen["status"] = message["status"]
                    seen["headers"] = list(message.get("headers", []))
                elif message.get("body"):
                    seen["body"].append(bytes(message["body"]))
                await send(message)

            await self._app(scope, receive, spy)

        try:
            return await httpx.ASGITransport(app=spy_app).handle_async_request(request)
        except Exception as exc:
            if not is_drop(exc):
                raise
        if not seen["body"]:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        return httpx.Response(
            seen["status"],
            headers=seen["headers"],
            stream=_CutStream(seen["body"], request),
            request=request,
        )
