"""Call ends pushed into a waiting job (webhooks): reported at once and once; polls still catch the rest."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

import anyio
import pytest

from talkkit.bulk import FED_POLL_INTERVAL, BulkJob, CallEnd, CallEnds, ItemOutcome, Outcome
from talkkit.bulk._follow import Follower
from talkkit.errors import InvalidRequestError

from .helpers import collect, operation

pytestmark = pytest.mark.anyio

BUSY = CallEnd(status="busy", duration=0.0)
TALKED = CallEnd(status="completed", duration=42.0)
NEVER = 3600.0  # a poll interval no test reaches


def placed(call_id: str, index: int = 0) -> ItemOutcome:
    return ItemOutcome(
        index=index, key=f"item:{call_id}", outcome=Outcome.DONE, resource_id=call_id
    )


class Polls:
    """
    A fake history: ends nothing unless told; records the ids each poll asked about, and wakes
    a test waiting (`until`) for the follower to poll or report.
    """

    def __init__(self, ends: dict[str, CallEnd] | None = None) -> None:
        self.ends = ends or {}
        self.asked: list[list[str]] = []
        self.during: Callable[[], None] = lambda: None  # what happens while a poll runs
        self._changed = anyio.Event()

    async def follow(self, ids: Sequence[str]) -> dict[str, CallEnd]:
        self.asked.append(sorted(ids))
        self.during()
        self.changed()
        return {i: self.ends[i] for i in ids if i in self.ends}

    def changed(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    async def until(self, condition: Callable[[], bool]) -> None:
        while not condition():
            await self._changed.wait()


@asynccontextmanager
async def following(
    feed: CallEnds, polls: Polls, *, poll_interval: float = NEVER
) -> AsyncIterator[tuple[Follower, list[ItemOutcome]]]:
    """A follower running with ``feed``; closed at the end of the block, which waits for it."""
    reported: list[ItemOutcome] = []

    async def report(outcome: ItemOutcome) -> None:
        reported.append(outcome)
        polls.changed()

    follower = Follower(
        polls.follow,
        poll_interval=poll_interval,
        wait_timeout=None,
        report=report,
        refused=lambda exc: None,
        call_ends=feed,
    )
    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            tg.start_soon(follower.run)
            await anyio.lowlevel.checkpoint()  # (an end pushed before it listens is claimed then)
            yield follower, reported
            follower.close()


async def test_a_pushed_end_is_reported_at_once_and_only_once() -> None:
    """An end pushed for a live call is reported with its status and talk time, without a poll."""
    feed, polls = CallEnds(), Polls()
    async with following(feed, polls) as (follower, reported):
        follower.add(placed("call:a"))
        follower.add(placed("call:b", 1))
        feed.ended("call:a", TALKED)
        await polls.until(lambda: len(reported) == 1)
        feed.ended("call:a", BUSY)  # a redelivery, or a second event: the call is done already
        feed.ended("call:b", BUSY)
        await polls.until(lambda: len(reported) == 2)
    assert [(r.resource_id, r.status, r.duration) for r in reported] == [
        ("call:a", "completed", 42.0),
        ("call:b", "busy", 0.0),
    ]
    assert polls.asked == []  # no look at the history was needed
    assert (feed.pushed, len(feed)) == (3, 1)  # the late repeat is only kept, never reported


async def test_an_end_pushed_before_the_call_is_known_is_applied_when_it_is_added() -> None:
    """The webhook beat the dial's answer: the end is kept, then taken when the call is followed."""
    feed, polls = CallEnds(), Polls()
    feed.ended("call:early", BUSY)
    feed.ended("call:other", TALKED)  # a call of no job: kept, untouched
    assert len(feed) == 2
    async with following(feed, polls) as (follower, reported):
        follower.add(placed("call:early"))
        await polls.until(lambda: len(reported) == 1)
    assert [(r.resource_id, r.status) for r in reported] == [("call:early", "busy")]
    assert (len(feed), feed.claim("call:other"), polls.asked) == (1, TALKED, [])


async def test_the_poll_still_finds_a_call_whose_webhook_never_came() -> None:
    """One call's end is pushed, the other's is lost: the poll reports that one, each once."""
    feed, polls = CallEnds(), Polls({"call:lost": BUSY, "call:pushed": TALKED})
    async with following(feed, polls, poll_interval=0.01) as (follower, reported):
        follower.add(placed("call:pushed"))
        follower.add(placed("call:lost", 1))
        feed.ended("call:pushed", TALKED)
        await polls.until(lambda: len(reported) == 2)
    assert sorted((r.resource_id, r.status) for r in reported) == [
        ("call:lost", "busy"),
        ("call:pushed", "completed"),
    ]
    assert polls.asked[0] == ["call:lost"]  # the pushed call was no longer asked about


async def test_an_end_both_pushed_and_polled_is_reported_once() -> None:
    """The webhook arrives while a poll that also sees the end is under way: one report."""
    feed, polls = CallEnds(), Polls({"call:a": TALKED})
    polls.during = lambda: feed.ended("call:a", TALKED)
    async with following(feed, polls, poll_interval=0.01) as (follower, reported):
        follower.add(placed("call:a"))
        await polls.until(lambda: len(reported) == 1)
        await polls.until(lambda: len(polls.asked) == 1)
        feed.ended("call:a", BUSY)  # and once more, late
        follower.add(placed("call:b", 1))  # the loop goes on: a later poll
        await polls.until(lambda: len(polls.asked) >= 2)
        feed.ended("call:b", BUSY)
        await polls.until(lambda: len(reported) == 2)
    assert [(r.resource_id, r.status) for r in reported] == [
        ("call:a", "completed"),
        ("call:b", "busy"),
    ]


async def test_a_job_with_a_feed_polls_rarely_and_reports_every_call() -> None:
    """End to end in the engine: ends pushed as the calls are placed; the job ends without a poll."""
    feed, polls = CallEnds(), Polls()

    async def place(payload: str) -> str:
        call_id = f"call:{payload}"
        feed.ended(call_id, TALKED if payload < "m" else BUSY)  # before the job has the id
        return call_id

    calls = operation(place, by_key=False, resendable=False, follow=polls.follow)
    job = BulkJob(["a", "b", "x"], calls, wait=True, call_ends=feed)
    assert job.poll_interval == FED_POLL_INTERVAL
    with anyio.fail_after(10):
        async with job.stream() as out:
            results = await collect(out)
    assert sorted((r.key, r.status) for r in results) == [
        ("item:a", "completed"),
        ("item:b", "completed"),
        ("item:x", "busy"),
    ]
    assert (job.summary.statuses, job.summary.talk_time) == ({"completed": 2, "busy": 1}, 84.0)
    assert (polls.asked, len(feed)) == ([], 0)


async def test_a_feed_needs_wait_and_refuses_bad_ends() -> None:
    """call_ends without wait is refused; so are a blank call id and an end that is no CallEnd."""
    calls = operation(lambda payload: _id(payload), follow=Polls().follow)
    with pytest.raises(InvalidRequestError) as refused:
        BulkJob(["a"], calls, call_ends=CallEnds())
    assert refused.value.field == "call_ends"
    assert BulkJob(["a"], calls, wait=True).poll_interval == 5.0
    feed = CallEnds()
    for call_id, end, field in (("", BUSY, "call_id"), ("c", "busy", "end")):
        with pytest.raises(InvalidRequestError) as bad:
            feed.ended(call_id, end)  # type: ignore[arg-type]
        assert bad.value.field == field
    assert feed.pushed == 0


async def test_kept_ends_are_bounded_oldest_dropped_first() -> None:
    """Ends no job takes are kept up to ``keep``; past it the oldest go (the poll finds those)."""
    feed = CallEnds(keep=2)
    for n in range(4):
        feed.ended(f"call:{n}", BUSY)
    assert (len(feed), feed.dropped) == (2, 2)
    assert [feed.claim(f"call:{n}") for n in range(4)] == [None, None, BUSY, BUSY]


def _id(payload: str) -> Awaitable[str]:
    async def placed_id() -> str:
        return f"call:{payload}"

    return placed_id()
