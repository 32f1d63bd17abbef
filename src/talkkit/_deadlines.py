"""
Many deadlines, one event loop timer: what the aiohttp transport times with.

Making and cancelling an event loop timer per deadline cost more than the rest of the
bookkeeping of a request (an attempt's limit; aiohttp's read timeout made one when the request
was written and one more each time data arrived). Here a deadline is a dictionary entry. The
one timer is due at the earliest deadline set: a deadline that moves later or goes leaves it
as it is; when it fires, it calls what is past due, and is set again for the earliest left. So
a deadline is never met late, and the timer fires at most once per deadline set.

`read_timeouts` puts aiohttp's ``sock_read`` timeout of a session's connections on it.
"""

from __future__ import annotations

import asyncio
import functools
import math
import time
from collections.abc import Callable
from typing import Any

__all__ = ["Deadlines", "read_timeouts"]

_RESOLUTION = time.get_clock_info("monotonic").resolution  # an event loop's clock's


class Deadlines:
    """Calls ``due(item)`` for each entry once its deadline has passed, unless discarded first."""

    __slots__ = ("_at", "_due", "_loop", "_timer")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._due: dict[int, tuple[float, Callable[[Any], object], Any, object]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._at = math.inf  # when the timer is due

    def add(self, key: object, seconds: float, due: Callable[[Any], object], item: Any) -> None:
        """Call ``due(item)`` in ``seconds`` (replacing ``key``'s deadline, if it has one)."""
        when = self._loop.time() + seconds
        self._due[id(key)] = (when, due, item, key)  # (holding key: its id is not reused)
        if when < self._at:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = self._loop.call_at(when, self._fire)
            self._at = when

    def discard(self, key: object) -> None:
        """``key``'s deadline no longer holds (it may have none)."""
        self._due.pop(id(key), None)

    def _fire(self) -> None:
        ready = self._loop.time() + _RESOLUTION  # what the loop counts as due now
        self._timer, self._at = None, math.inf
        for key, (when, due, item, _) in list(self._due.items()):
            if when < ready:
                del self._due[key]
                due(item)
            elif when < self._at:
                self._at = when
        if self._at < math.inf:
            self._timer = self._loop.call_at(self._at, self._fire)


def read_timeouts(connector: object, deadlines: Deadlines) -> bool:
    """
    Time ``connector``'s connections' ``sock_read`` on ``deadlines``: each connection's
    protocol is then aiohttp's, with its read timeout set on a deadline rather than on a timer
    of its own; the timeout raises aiohttp's own error, at the same moment.

    The protocol factory is private to aiohttp's connectors: when it, or the protocol's
    timeout methods, are not laid out as expected, nothing changes (``False``) and aiohttp
    keeps its own timers.
    """
    from aiohttp.client_proto import ResponseHandler

    factory = getattr(connector, "_factory", None)
    expected = (
        isinstance(factory, functools.partial)
        and factory.func is ResponseHandler
        and not factory.args
        and set(factory.keywords) == {"loop"}
        and all(
            callable(getattr(ResponseHandler, name, None))
            for name in ("_reschedule_timeout", "_drop_timeout", "_on_read_timeout")
        )
    )
    if not expected:
        return False
    assert isinstance(factory, functools.partial)
    protocol = functools.partial(_protocol(), loop=factory.keywords["loop"], deadlines=deadlines)
    connector._factory = protocol  # type: ignore[attr-defined]
    return True


@functools.cache
def _protocol() -> Callable[..., Any]:
    from aiohttp.client_proto import ResponseHandler

    class Protocol(ResponseHandler):
        """aiohttp's protocol, its ``sock_read`` timed on `Deadlines` (see `read_timeouts`)."""

        def __init__(self, loop: asyncio.AbstractEventLoop, deadlines: Deadlines) -> None:
            super().__init__(loop)
            self._talkkit_deadlines = deadlines

        def _reschedule_timeout(self) -> None:
            timeout = self.read_timeout
            if timeout:
                self._talkkit_deadlines.add(self, timeout, _timed_out, self)
            else:
                self._talkkit_deadlines.discard(self)

        def _drop_timeout(self) -> None:
            self._talkkit_deadlines.discard(self)

    return Protocol


def _timed_out(protocol: Any) -> None:
    protocol._on_read_timeout()
