"""A job that waits: placed calls followed to their end, in batches, within a time limit."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import anyio
import pytest

from talkkit import AsyncTalkover
from talkkit.bulk import BulkJob, CallEnd, Journal, Outcome, Prepared
from talkkit.emulator import Emulator
from talkkit.errors import AuthenticationError, InvalidRequestError, ServerError

from .helpers import by_index, collect, operation, unclear

pytestmark = pytest.mark.anyio

QUICK = {"poll_interval": 0.01, "wait_timeout": 0.3}


class History:
    """A fake call history: each call ends after a number of polls (never, without one)."""

    def __init__(self, ends: Mapping[str, tuple[int, CallEnd]]) -> None:
        self.ends = ends
        self.polls: list[list[str]] = []
        self.failures: list[BaseException] = []

    async def follow(self, ids: Sequence[str]) -> dict[str, CallEnd]:
        self.polls.append(sorted(ids))
        if self.failures:
            raise self.failures.pop(0)
        ended: dict[str, CallEnd] = {}
        for call_id in ids:
            if call_id in self.ends:
                after, end = self.ends[call_id]
                if sum(call_id in poll for poll in self.polls) >= after:
                    ended[call_id] = end
        return ended


async def place(payload: str) -> str:
    return f"call:{payload}"


async def test_each_call_is_reported_when_it_ended_with_its_status_and_talk_time(
    tmp_path: Path,
) -> None:
    """Outcomes come as calls end; a call still live at the timeout is done without a status."""
    history = History(
        {
            "call:a": (3, CallEnd(status="completed", duration=42.5)),
            "call:b": (1, CallEnd(status="busy")),
        }
    )
    journal = tmp_path / "dial.db"
    calls = operation(place, by_key=False, resendable=False, follow=history.follow)
    job = BulkJob(["a", "b", "c"], calls, wait=True, journal=journal, **QUICK)
    with anyio.fail_after(10):
        async with job.stream() as out:
            results = await collect(out)
    assert [(r.key, r.status, r.duration) for r in results] == [
        ("item:b", "busy", None),
        ("item:a", "completed", 42.5),
        ("item:c", None, None),
    ]
    assert all((r.outcome, r.resource_id) == (Outcome.DONE, f"call:{r.key[5:]}") for r in results)
    assert (results[2].message or "").startswith("still in progress when the wait ended (0.3 s")
    summary = job.summary
    assert (summary.statuses, summary.talk_time) == (
        {"busy": 1, "completed": 1, "unfinished": 1},
        42.5,
    )
    assert summary.to_dict()["statuses"] == {"busy": 1, "completed": 1, "unfinished": 1}
    assert summary.to_dict()["talk_time_seconds"] == 42.5
    assert history.polls[0] == ["call:a", "call:b", "call:c"]  # one poll for every live call
    assert history.polls[1] == ["call:a", "call:c"]
    async with Journal(journal, kind="test.items") as j:
        done = await j.entries("done")
    assert [(key, entry.resource_id) for key, entry in done] == [
        ("item:a", "call:a"),
        ("item:b", "call:b"),
        ("item:c", "call:c"),
    ]


async def test_a_placed_call_is_journaled_done_before_it_ends(tmp_path: Path) -> None:
    """While the job waits for a call, the journal holds it done already: a crash never redials it."""
    journal = tmp_path / "dial.db"
    states_while_live: list[list[tuple[str, str]]] = []

    def on_disk() -> list[tuple[str, str]]:
        with sqlite3.connect(journal) as db:
            return [(str(k), str(s)) for k, s in db.execute("SELECT key, state FROM items")]

    async def follow(ids: Sequence[str]) -> dict[str, CallEnd]:
        for _ in range(200):  # the journal writes outcomes in batches: soon, not at once
            if on_disk() == [("item:a", "done")]:
                break
            await anyio.sleep(0.01)
        states_while_live.append(on_disk())
        return {"call:a": CallEnd(status="completed", duration=1.0)}

    calls = operation(place, by_key=False, resendable=False, follow=follow)
    job = BulkJob(["a"], calls, wait=True, journal=journal, poll_interval=0.01)
    async with job.stream() as out:
        [result] = await collect(out)
    assert states_while_live == [[("item:a", "done")]]
    assert result.status == "completed"


async def test_a_failed_poll_is_asked_again_a_refused_one_stops_following() -> None:
    """A 5xx on a poll: the next poll asks again. A 401: the live calls are released, the job stops."""
    history = History({"call:a": (1, CallEnd(status="completed", duration=5.0))})
    history.failures.append(ServerError("down", status=500))  # the first poll fails
    calls = operation(place, by_key=False, resendable=False, follow=history.follow)
    with anyio.fail_after(10):
        summary = await BulkJob(["a"], calls, wait=True, **QUICK)
    assert (summary.statuses, summary.talk_time, len(history.polls)) == ({"completed": 1}, 5.0, 2)

    refused = History({})
    refused.failures.append(AuthenticationError("revoked", status=401, code="UNAUTHORIZED"))
    calls = operation(place, by_key=False, resendable=False, follow=refused.follow)
    async with BulkJob(["a"], calls, wait=True, **QUICK).stream() as out:
        [result] = await collect(out)
    assert (result.outcome, result.status) == (Outcome.DONE, None)
    assert (result.message or "").startswith("not followed to its end: 401 UNAUTHORIZED")


async def test_a_call_found_after_an_unclear_answer_is_followed_too() -> None:
    """The history shows the lost call: done, reconciled, and followed to its end."""
    history = History({"call:found": (1, CallEnd(status="no-answer", duration=0.0))})

    async def send(payload: str) -> str:
        raise unclear()

    async def reconcile(item: Prepared[str], since: float) -> str | None:
        return "call:found"

    calls = operation(
        send, by_key=False, resendable=False, reconcile=reconcile, follow=history.follow
    )
    async with BulkJob(["x"], calls, wait=True, **QUICK).stream() as out:
        [result] = await collect(out)
    assert (result.outcome, result.code, result.status) == (Outcome.DONE, "reconciled", "no-answer")


async def test_without_wait_nothing_is_followed_and_wait_needs_follow() -> None:
    """wait=False reports at once; wait=True on an operation that cannot follow is refused."""
    history = History({})
    calls = operation(place, by_key=False, resendable=False, follow=history.follow)
    summary = await BulkJob(["a"], calls)
    assert (summary.done, summary.statuses, history.polls) == (1, {}, [])
    with pytest.raises(InvalidRequestError) as refused:
        BulkJob(["a"], operation(place), wait=True)
    assert refused.value.field == "wait"


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("poll_interval", 0),
        ("poll_interval", -1.0),
        ("wait_timeout", -5),
        ("wait_timeout", float("nan")),
        ("reconcile_grace", -0.1),
        ("reconcile_grace", "60"),
        ("reconcile_grace", True),
    ],
)
async def test_time_settings_are_checked(setting: str, value: object) -> None:
    """Seconds must be numbers, not negative (a poll interval more than 0), named when refused."""
    with pytest.raises(InvalidRequestError) as refused:
        BulkJob(["a"], operation(place), **{setting: value})  # type: ignore[arg-type]
    assert refused.value.field == setting
    assert refused.value.reason.startswith("must be a number of seconds")


async def test_leaving_the_stream_while_calls_are_followed_is_clean() -> None:
    """The consumer walks away while the job waits for calls: it is cancelled without an error."""
    history = History({"call:r0": (1, CallEnd(status="completed"))})
    calls = operation(place, by_key=False, resendable=False, follow=history.follow)
    with anyio.fail_after(5):
        async with BulkJob(
            [f"r{i}" for i in range(50)], calls, wait=True, poll_interval=0.01, wait_timeout=None
        ).stream() as out:
            async for _ in out:
                break


async def test_waiting_reports_the_emulators_true_final_statuses(
    over: AsyncTalkover, emu: Emulator, agent_id: str
) -> None:
    """End to end: every call's status and talk time are the ones the emulator's calls ended with."""
    emu.call_time_scale = 0.0005  # a four-minute call ends in an eighth of a second
    numbers = [f"+1202555{i:04d}" for i in range(24)]
    job = over.calls.dial_many(numbers, agent_id=agent_id, wait=True, poll_interval=0.05)
    with anyio.fail_after(20):
        async with job.stream() as out:
            results = by_index(await collect(out))
    fates = emu.call_fates()
    assert len(fates) == 24
    for result in results.values():
        fate = fates[result.resource_id or ""]
        assert (result.outcome, result.status) == (Outcome.DONE, fate.status)
        assert result.duration == float(fate.duration)
    summary = job.summary
    assert summary.statuses == Counter(f.status for f in fates.values())
    assert summary.talk_time == sum(f.duration for f in fates.values())
