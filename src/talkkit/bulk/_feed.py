"""
Call ends pushed into waiting jobs from outside (webhooks), instead of waiting for a poll.

A job that waits (``wait=True``) learns how its calls ended from the platform's history, one
poll every few seconds. Given a `CallEnds` feed, it also takes the ends pushed into it (a
webhook receiver's handler calls `CallEnds.ended`) and reports such a call at once. The history
is still polled, more rarely (`FED_POLL_INTERVAL`): an end never pushed (a lost webhook, a
receiver down) is found there, and each call is reported once, by whichever source saw it first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from talkkit.bulk._types import CallEnd
from talkkit.errors import InvalidRequestError

__all__ = ["FED_POLL_INTERVAL", "KEEP_EARLY", "POLL_INTERVAL", "CallEnds", "poll_interval_for"]

POLL_INTERVAL = 5.0
"""Seconds between two polls of a waiting job's history (without a feed)."""
FED_POLL_INTERVAL = 30.0
"""
Seconds between two polls of a job given a `CallEnds` feed: the feed brings the ends as they
happen, the rarer poll only catches the ones whose webhook never came.
"""
KEEP_EARLY = 10_000
"""The ends a feed keeps for calls no job follows (yet), by default."""

Sink = Callable[[str, CallEnd], bool]
"""A job's taker of pushed ends: ``True`` when the call is one it follows (taken)."""


def poll_interval_for(poll_interval: float | None, call_ends: CallEnds | None) -> float:
    """The poll interval a job uses: the one given, else the default with or without a feed."""
    if poll_interval is not None:
        return poll_interval
    return POLL_INTERVAL if call_ends is None else FED_POLL_INTERVAL


class CallEnds:
    """
    A feed of call ends that waiting jobs take their outcomes from as they happen.

    Push each end with `ended` (`talkkit.webhooks.feed_handler` does it for a webhook receiver)
    and give the feed to a job that waits (``calls.dial_many(..., wait=True, call_ends=feed)``,
    or `BulkJob`'s ``call_ends``). A call the job follows is reported as soon as its end is
    pushed (after a poll already under way), with the pushed status and talk time. An end pushed
    before the job knows the call (the webhook beat the API's answer to the dial) is kept and
    taken when the job starts following that call; so is any end no job follows, up to
    ``keep`` of them (the oldest are dropped first: the job's poll still finds those).

    Push from the event loop the job runs in (a receiver served in the same process); from
    another thread, go through it: ``anyio.from_thread.run_sync(feed.ended, call_id, end)``.

    Args:
        keep: Ends kept for calls no job follows (yet), at most.

    Attributes:
        pushed: Ends pushed so far.
        dropped: Kept ends dropped to stay within ``keep``.

    Example:
        ```python
        feed = CallEnds()
        receiver = talkkit.webhooks.app(feed_handler(feed), talkover_secret=SECRET)
        job = client.calls.dial_many(numbers, agent_id=agent, wait=True, call_ends=feed)
        ```

    .. versionadded:: 0.1
    """

    def __init__(self, *, keep: int = KEEP_EARLY) -> None:
        if isinstance(keep, bool) or not isinstance(keep, int) or keep < 0:
            raise InvalidRequestError("keep", "must be a whole number, at least 0", value=keep)
        self._keep = keep
        self._kept: OrderedDict[str, CallEnd] = OrderedDict()
        self._sinks: list[Sink] = []
        self.pushed = 0
        self.dropped = 0

    def __len__(self) -> int:
        """The ends kept for calls no job follows (yet)."""
        return len(self._kept)

    def __repr__(self) -> str:
        return f"<CallEnds kept={len(self._kept)} pushed={self.pushed} jobs={len(self._sinks)}>"

    def ended(self, call_id: str, end: CallEnd) -> None:
        """
        A call ended: a job following it reports it now; otherwise the end is kept for a job
        that starts following it later.

        Raises:
            InvalidRequestError: ``call_id`` is not a non-empty string, or ``end`` not a
                `CallEnd`.
        """
        if not isinstance(call_id, str) or not call_id:
            raise InvalidRequestError("call_id", "must be a non-empty string", value=call_id)
        if not isinstance(end, CallEnd):
            raise InvalidRequestError("end", "must be a CallEnd", value=end)
        self.pushed += 1
        if any(take(call_id, end) for take in self._sinks):
            return
        self._kept.pop(call_id, None)  # the latest end of a call wins, as the newest entry
        self._kept[call_id] = end
        while len(self._kept) > self._keep:
            self._kept.popitem(last=False)
            self.dropped += 1

    def claim(self, call_id: str) -> CallEnd | None:
        """The end kept for ``call_id`` (removed from the feed), or ``None``: for the job."""
        return self._kept.pop(call_id, None)

    @contextmanager
    def listening(self, sink: Sink) -> Iterator[None]:
        """Offer every end pushed while the block runs to ``sink`` first: for the job."""
        self._sinks.append(sink)
        try:
            yield
        finally:
            self._sinks.remove(sink)
