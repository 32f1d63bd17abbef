"""
Waiting for placed calls to end: one poll covers every live call.

A job that waits (``wait=True``) hands each call it placed to the `Follower` instead of
reporting it at once. Every ``poll_interval`` seconds the follower asks the operation's
``follow`` about all the calls still live (one batched look at the call history, not one
request per call) and reports each call that ended with its final status and talk time. A call
still live ``wait_timeout`` seconds after it was placed is reported done without a status
(counted as ``unfinished``): the job does not wait for it forever.

Given a `CallEnds` feed, the follower also takes the ends pushed into it (webhooks): such a call
is reported at once, between polls. Whichever source sees a call's end first reports it; the
other then finds the call no longer live, so each call is reported exactly once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import nullcontext

import anyio
import attrs

from talkkit.bulk._feed import CallEnds
from talkkit.bulk._stop import refuses_credentials
from talkkit.bulk._types import CallEnd, ItemOutcome
from talkkit.errors import TalkkitError

__all__ = ["Follower"]


@attrs.define
class _Live:
    outcome: ItemOutcome
    deadline: float  # anyio.current_time() past which the job stops waiting for it


class Follower:
    """
    The live calls of a job and the loop that polls them until each ended.

    Args:
        follow: The operation's ``follow``: of these call ids, the ones that ended, and how.
        poll_interval: Seconds between polls.
        wait_timeout: Seconds after placing a call to give up waiting (``None``: never).
        report: Reports a call's final outcome (counted as followed).
        refused: Called when a poll's credentials were refused (the job stops on it).
        call_ends: A feed of call ends pushed from outside (webhooks), reported as they come.
    """

    def __init__(
        self,
        follow: Callable[[Sequence[str]], Awaitable[Mapping[str, CallEnd]]],
        *,
        poll_interval: float,
        wait_timeout: float | None,
        report: Callable[[ItemOutcome], Awaitable[None]],
        refused: Callable[[TalkkitError], None],
        call_ends: CallEnds | None = None,
    ) -> None:
        self._follow = follow
        self._poll_interval = poll_interval
        self._wait_timeout = wait_timeout
        self._report = report
        self._refused = refused
        self._feed = call_ends
        # Insertion order is the order of the first add, so deadlines never decrease along it.
        self._live: dict[str, list[_Live]] = {}
        self._pushed: dict[str, CallEnd] = {}  # ends taken from the feed, not reported yet
        self._closed = False
        self._wake = anyio.Event()

    def add(self, outcome: ItemOutcome) -> None:
        """Follow a placed call (``outcome`` is done and has the call's id)."""
        assert outcome.resource_id is not None
        timeout = self._wait_timeout
        deadline = float("inf") if timeout is None else anyio.current_time() + timeout
        self._live.setdefault(outcome.resource_id, []).append(_Live(outcome, deadline))
        self._claim(outcome.resource_id)  # its end may have been pushed before we knew the call

    def _claim(self, call_id: str) -> None:
        if self._feed is not None and (end := self._feed.claim(call_id)) is not None:
            self._take(call_id, end)

    def _take(self, call_id: str, end: CallEnd) -> bool:
        """A pushed end: taken (and the loop woken) when ``call_id`` is live here."""
        if call_id not in self._live:
            return False
        self._pushed.setdefault(call_id, end)
        self._wake.set()
        return True

    def close(self) -> None:
        """No more calls will come: the loop ends once the live ones ended or timed out."""
        self._closed = True
        if not self._live:
            self._wake.set()

    async def run(self) -> None:
        """Poll (and take pushed ends) until closed and nothing is live any more."""
        with self._feed.listening(self._take) if self._feed is not None else nullcontext():
            for call_id in list(self._live):  # added before we listened
                self._claim(call_id)
            next_poll = anyio.current_time() + self._poll_interval
            while self._live or not self._closed:
                await self._pause(next_poll)
                await self._report_pushed()
                if anyio.current_time() >= next_poll:
                    if self._live and not await self._poll():
                        return
                    next_poll = anyio.current_time() + self._poll_interval
                await self._expire()

    async def _poll(self) -> bool:
        """One look at every live call; ``False``: the credentials were refused (stop)."""
        try:
            ended = await self._follow(list(self._live))
        except TalkkitError as exc:
            if refuses_credentials(exc):
                self._refused(exc)
                await self._release_all(f"not followed to its end: {exc}")
                return False
            return True  # a failed poll: the next one asks again
        for call_id, end in ended.items():
            await self._ended(call_id, end)
        return True

    async def _report_pushed(self) -> None:
        while self._pushed:
            call_id = next(iter(self._pushed))
            await self._ended(call_id, self._pushed.pop(call_id))

    async def _ended(self, call_id: str, end: CallEnd) -> None:
        """Report a call that ended, once: a call no longer live was reported already."""
        for live in self._live.pop(call_id, ()):
            await self._report(attrs.evolve(live.outcome, status=end.status, duration=end.duration))

    async def _pause(self, until: float) -> None:
        if self._pushed or (self._closed and not self._live):
            return
        self._wake = anyio.Event()
        with anyio.move_on_after(until - anyio.current_time()):
            await self._wake.wait()

    async def _expire(self) -> None:
        now = anyio.current_time()
        expired = []
        for call_id, lives in self._live.items():  # oldest first: stop at the first one not due
            if lives[0].deadline > now:
                break
            expired.append(call_id)
        for call_id in expired:
            lives = self._live.pop(call_id)
            for live in lives:
                await self._report(
                    attrs.evolve(
                        live.outcome,
                        message=f"still in progress when the wait ended "
                        f"({self._wait_timeout:g} s after it was placed)",
                    )
                )

    async def _release_all(self, message: str) -> None:
        lives = [live for group in self._live.values() for live in group]
        self._live.clear()
        for live in lives:
            await self._report(attrs.evolve(live.outcome, message=message))
