"""A job that stops: preflight, job-level errors, the storm rule — and counts that add up."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import anyio
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talkkit.bulk import BulkJob, BulkSummary, ItemOutcome, Journal, Outcome, Prepared
from talkkit.emulator import Emulator
from talkkit.errors import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    PreflightError,
    RateLimitError,
    ServerError,
    TalkkitError,
)
from talkkit.testing import talkturo_client

from ..conftest import BACKENDS
from .helpers import by_index, collect, fast, operation, unclear

pytestmark = pytest.mark.anyio

REFUSED = AuthenticationError("Invalid token", status=401, code="UNAUTHORIZED")
NO_AGENT = NotFoundError("Agent not found", status=404, code="not_found")


def letters(n: int) -> list[str]:
    return [f"r{i:03d}" for i in range(n)]


async def journal_states(path: Path) -> dict[str, str]:
    async with Journal(path, kind="test.items") as journal:
        return {
            key: entry.state
            for state in ("pending", "done", "skipped", "failed", "unknown", "not_placed")
            for key, entry in await journal.entries(state)
        }


def assert_adds_up(summary: BulkSummary) -> None:
    parts = (
        summary.done,
        summary.skipped,
        summary.failed,
        summary.unknown,
        summary.not_sent,
        summary.not_placed,
    )
    assert sum(parts) == summary.total, parts


# -- preflight -------------------------------------------------------------------------------


async def test_a_failed_preflight_reads_sends_and_reports_nothing(tmp_path: Path) -> None:
    """The preflight's error comes out of run() and stream(): no row read, sent, counted or journaled."""
    read: list[str] = []
    sent: list[str] = []
    progress: list[int] = []

    def rows() -> Iterator[str]:
        for row in letters(5):
            read.append(row)
            yield row

    async def send(payload: str) -> str:
        sent.append(payload)
        return f"id:{payload}"

    async def preflight() -> None:
        raise PreflightError("company_id", "not found (404 Company not found)", value="comp_x")

    journal = tmp_path / "job.db"
    job = BulkJob(
        rows(),
        operation(send, preflight=preflight),
        journal=journal,
        on_progress=lambda s: progress.append(s.total),
    )
    with pytest.raises(PreflightError) as refused:
        await job.run()
    assert (refused.value.field, refused.value.value) == ("company_id", "comp_x")
    streamed = BulkJob(letters(5), operation(send, preflight=preflight))
    with pytest.raises(PreflightError):
        async with streamed.stream():
            pytest.fail("a failed preflight yields no outcome stream")
    assert (read, sent, progress) == ([], [], [])
    assert (job.summary.total, streamed.summary.total) == (0, 0)
    assert not journal.exists()  # a corrected run is not refused by an empty journal's scope


async def test_the_preflight_runs_once_before_the_first_row_unless_switched_off() -> None:
    """With preflight on, it runs once and first; preflight=False skips it."""
    events: list[str] = []

    async def send(payload: str) -> str:
        events.append(payload)
        return f"id:{payload}"

    async def preflight() -> None:
        events.append("preflight")

    on = await BulkJob(letters(3), operation(send, preflight=preflight), concurrency=1)
    assert events == ["preflight", "r000", "r001", "r002"]
    events.clear()
    off = await BulkJob(letters(3), operation(send, preflight=preflight), preflight=False)
    assert sorted(events) == ["r000", "r001", "r002"]
    assert on.done == off.done == 3


async def test_a_missing_company_sends_no_contact(emu: Emulator) -> None:
    """Against the emulator: an import into a company that does not exist sends no create."""
    async with talkturo_client(emu) as turo:
        rows = [
            {"first_name": "A", "last_name": "B", "email": f"a{i}@example.com"} for i in range(50)
        ]
        with pytest.raises(PreflightError) as refused:
            await turo.contacts.import_many(rows, company_id="comp_missing")
    assert (refused.value.field, refused.value.value) == ("company_id", "comp_missing")
    assert [r for r in emu.request_log if r.method == "POST"] == []


# -- job-level errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [REFUSED, PermissionDeniedError("Forbidden", status=403, code="forbidden"), NO_AGENT],
    ids=["401", "403", "404"],
)
async def test_a_job_level_error_ends_the_rest_not_sent_and_a_resumed_run_sends_them(
    tmp_path: Path, error: TalkkitError
) -> None:
    """Rows before it are done; it and every later row are not sent, not journaled, sent on resume."""
    journal = tmp_path / "job.db"
    broken = True

    async def send(payload: str) -> str:
        if broken and payload == "r003":
            raise error
        return f"id:{payload}"

    async with BulkJob(
        letters(10), operation(send), concurrency=1, journal=journal
    ).stream() as out:
        first = by_index(await collect(out))
    stopper = first[3]
    assert [first[i].outcome for i in range(3)] == [Outcome.DONE] * 3
    assert (stopper.outcome, stopper.key, stopper.code, stopper.attempts) == (
        Outcome.NOT_SENT,
        "item:r003",
        getattr(error, "code", None),
        1,
    )
    assert (stopper.message or "").startswith("not sent: the job stopped on this answer (")
    rest = [first[i] for i in range(4, 10)]
    assert {(r.outcome, r.code) for r in rest} == {(Outcome.NOT_SENT, "aborted")}
    assert await journal_states(journal) == {f"item:r00{i}": "done" for i in range(3)}
    broken = False
    again = await BulkJob(letters(10), operation(send), journal=journal)
    assert (again.done, again.from_journal, again.sent, again.not_sent) == (10, 3, 7, 0)


async def test_the_summary_of_a_stopped_job_says_why_and_counts_without_listing(
    tmp_path: Path,
) -> None:
    """Counts add up; not-sent rows are counted, not listed; the job is not ok; aborted names the 401."""

    async def send(payload: str) -> str:
        if payload == "r005":
            raise REFUSED
        if payload == "r001":
            raise BadRequestError("bad phone", status=422, code="invalid")
        return f"id:{payload}"

    summary = await BulkJob(letters(300), operation(send), concurrency=1)
    assert (summary.total, summary.done, summary.failed, summary.not_sent) == (300, 4, 1, 295)
    assert_adds_up(summary)
    assert [f.key for f in summary.failures] == ["item:r001"]
    assert not summary.ok
    assert summary.aborted is not None
    assert summary.aborted.startswith("stopped: 401 UNAUTHORIZED: Invalid token")
    data = summary.to_dict()
    assert (data["not_sent"], data["not_placed"], data["statuses"], data["talk_time_seconds"]) == (
        295,
        0,
        {},
        0.0,
    )


async def test_a_call_refused_with_401_is_dialled_by_the_resumed_run_not_looked_up(
    tmp_path: Path,
) -> None:
    """A refused call cannot have been placed: its pending mark is withdrawn, the resumed run dials it."""
    journal = tmp_path / "dial.db"
    refuse = True
    looked_up: list[str] = []
    sent: Counter[str] = Counter()

    async def send(payload: str) -> str:
        sent[payload] += 1
        if refuse:
            raise REFUSED
        return f"call:{payload}"

    async def reconcile(item: Prepared[str], since: float) -> str | None:
        looked_up.append(item.key)
        return None

    calls = operation(send, by_key=False, resendable=False, reconcile=reconcile)
    first = await BulkJob(["+1"], calls, journal=journal)
    assert (first.not_sent, first.sent) == (1, 1)
    refuse = False
    again = await BulkJob(["+1"], calls, journal=journal)
    assert (again.done, again.not_placed, again.sent) == (1, 0, 1)
    assert (looked_up, sent) == ([], {"+1": 2})


async def test_stops_job_decides_which_404s_are_about_the_job() -> None:
    """By default a 404 answered to a send stops the job; an operation can say a row's 404 is its own."""

    async def send(payload: str) -> str:
        if payload == "r001":
            raise NO_AGENT
        return f"id:{payload}"

    default = await BulkJob(letters(4), operation(send), concurrency=1)
    own = await BulkJob(
        letters(4), operation(send, stops_job=lambda item, error: False), concurrency=1
    )
    assert (default.done, default.not_sent, default.failed) == (1, 3, 0)
    assert (own.done, own.not_sent, own.failed, own.aborted) == (3, 0, 1, None)


async def test_a_refused_resend_of_an_item_that_may_exist_is_unknown_not_unsent(
    tmp_path: Path,
) -> None:
    """Unclear, then 401 on the re-send: the first attempt may have stored it — unknown, re-sent on resume."""
    journal = tmp_path / "job.db"
    answers = iter([unclear(), REFUSED, ConflictError("exists", status=409, code="conflict")])

    async def send(payload: str) -> str:
        raise next(answers)

    async with fast(BulkJob(["x"], operation(send), journal=journal)).stream() as out:
        [result] = await collect(out)
    assert (result.outcome, result.code, result.attempts) == (Outcome.UNKNOWN, "outcome_unknown", 2)
    assert (result.message or "").startswith("an earlier attempt may have been processed")
    assert await journal_states(journal) == {"item:x": "unknown"}
    again = await BulkJob(["x"], operation(send), journal=journal)
    assert (again.done, again.sent) == (1, 1)  # the 409 of the re-send: it was ours


async def test_an_item_waiting_for_a_retry_after_ends_not_sent_at_once_when_the_job_stops(
    tmp_path: Path,
) -> None:
    """A deferred item does not wait out its Retry-After on a stopped job; its pending mark is withdrawn."""
    journal = tmp_path / "job.db"

    async def send(payload: str) -> str:
        if payload == "slow":
            raise RateLimitError("slow down", status=429, retry_after=30.0)
        raise REFUSED

    with anyio.fail_after(10):
        async with BulkJob(
            ["slow", "bad"], operation(send), concurrency=1, journal=journal
        ).stream() as out:
            results = {r.key: r for r in await collect(out)}
    slow = results["item:slow"]
    assert (slow.outcome, slow.code) == (Outcome.NOT_SENT, "aborted")
    assert await journal_states(journal) == {}


# -- the storm rule ----------------------------------------------------------------------------


def _failure(kind: int) -> TalkkitError:
    return [
        ServerError("down", status=500, code="SERVER_ERROR"),
        APIConnectionError("refused", request_sent=False),
        unclear(),
    ][kind % 3]


async def test_a_storm_stops_the_job_at_forty_of_the_last_fifty_sends() -> None:
    """10 good sends, then every send fails: the 50th send completes the storm; nothing more is sent."""
    sent: list[str] = []

    async def send(payload: str) -> str:
        index = len(sent)
        sent.append(payload)
        if index < 10:
            return f"id:{payload}"
        raise _failure(index)

    calls = operation(send, by_key=False)  # unclear answers stay unknown: no re-sends
    summary = await BulkJob(letters(200), calls, concurrency=1)
    assert len(sent) == 50
    assert (summary.done, summary.failed + summary.unknown, summary.not_sent) == (10, 40, 150)
    assert summary.aborted is not None
    assert summary.aborted.startswith("stopped: 40 of the last 50 requests failed")
    assert_adds_up(summary)


async def test_a_steady_three_in_four_failure_rate_is_no_storm() -> None:
    """At 75 % failed sends (under the 80 % of the rule) the job goes on to the end."""
    sent: list[str] = []

    async def send(payload: str) -> str:
        index = len(sent)
        sent.append(payload)
        if index % 4 == 0:
            return f"id:{payload}"
        raise _failure(index)

    summary = await BulkJob(letters(200), operation(send, by_key=False), concurrency=1)
    assert (len(sent), summary.done, summary.aborted) == (200, 50, None)


async def test_rows_the_api_refuses_are_no_storm() -> None:
    """Every row refused with a 4xx is the rows' fault: each fails, the job never stops."""

    async def send(payload: str) -> str:
        raise BadRequestError("bad row", status=400, code="invalid")

    summary = await BulkJob(letters(120), operation(send), concurrency=4)
    assert (summary.failed, summary.not_sent, summary.aborted) == (120, 0, None)


# -- every item one outcome, counts add up (property) ------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def portal(request: pytest.FixtureRequest) -> Iterator[BlockingPortal]:
    """An event loop (asyncio or trio) in a thread for the property test."""
    with start_blocking_portal(str(request.param)) as running:
        yield running


BEHAVIOURS = st.sampled_from(
    ["ok", "ok", "ok", "conflict", "bad", "server", "unclear", "flaky", "401", "404", "invalid"]
)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(st.tuples(BEHAVIOURS, st.integers(0, 30)), max_size=80),
    concurrency=st.integers(1, 6),
    by_key=st.booleans(),
    reconcile=st.sampled_from([None, "found", "missing"]),
)
def test_every_item_gets_one_outcome_and_the_counts_add_up(
    portal: BlockingPortal,
    rows: list[tuple[str, int]],
    concurrency: int,
    by_key: bool,
    reconcile: str | None,
) -> None:
    """Any mix of answers: one outcome per row, counts add up, nothing unsafe sent twice."""
    sent: Counter[str] = Counter()

    def prepare_key(raw: str) -> str:
        behaviour, key = raw.split("/")
        if behaviour == "invalid":
            raise InvalidRequestError("email", "is not an email")
        return f"k{key}"

    async def send(raw: str) -> str:
        behaviour, key = raw.split("/")
        sent[key] += 1
        await anyio.lowlevel.checkpoint()
        answers: dict[str, TalkkitError] = {
            "conflict": ConflictError("exists", status=409, code="conflict"),
            "bad": BadRequestError("bad", status=400, code="invalid"),
            "server": ServerError("down", status=500),
            "unclear": unclear(),
            "401": REFUSED,
            "404": NO_AGENT,
        }
        if behaviour == "flaky" and sent[key] == 1:
            raise unclear()
        if behaviour in answers:
            raise answers[behaviour]
        return f"id:{key}"

    async def look_up(item: Prepared[str], since: float) -> str | None:
        return "found" if reconcile == "found" else None

    async def run() -> tuple[list[ItemOutcome], BulkSummary]:
        job = fast(
            BulkJob(
                [f"{behaviour}/{key}" for behaviour, key in rows],
                operation(
                    send,
                    by_key=by_key,
                    key=prepare_key,
                    reconcile=None if reconcile is None else look_up,
                ),
                concurrency=concurrency,
                reconcile_grace=5.0,
            )
        )
        async with job.stream() as out:
            results = await collect(out)
        return results, job.summary

    results, summary = portal.call(run)
    assert sorted(r.index for r in results) == list(range(len(rows)))
    assert summary.total == len(rows)
    assert_adds_up(summary)
    counted = Counter(r.outcome.value for r in results)
    for outcome in Outcome:
        assert getattr(summary, outcome.value) == counted[outcome.value]
    if not by_key:
        assert all(n == 1 for n in sent.values()), "an item the API cannot dedupe was sent twice"
    assert summary.not_sent == 0 or summary.aborted is not None
    if any(r.code in ("UNAUTHORIZED", "not_found") for r in results):
        assert summary.aborted is not None


async def test_leaving_a_stopped_job_early_is_clean() -> None:
    """The consumer walks away after a stop: the job is cancelled without an error."""

    async def rows() -> AsyncIterator[str]:
        for row in letters(5000):
            yield row

    async def send(payload: str) -> str:
        raise REFUSED

    async with BulkJob(rows(), operation(send), concurrency=4).stream() as out:
        async for _ in out:
            break
