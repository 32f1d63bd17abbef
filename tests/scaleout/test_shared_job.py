"""One job shared by several engines through a Redis journal, in one process (fast checks)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import anyio
import pytest

from talkkit.bulk import BulkJob, BulkSummary, Outcome, RedisJournal, read_csv
from talkkit.bulk._shared import ClaimLostError
from talkkit.emulator import Emulator, FaultRule
from talkkit.testing import ready_agent, talkover_client, talkturo_client
from tests.bulk.conftest import FAST
from tests.redis_server import RedisServer

pytestmark = pytest.mark.anyio


def _contacts_csv(path: Path, rows: int, *, repeats: int = 0, bad: int = 0) -> Path:
    lines = ["first_name,last_name,email"]
    lines += [f"Ada,L{n},user{n}@example.com" for n in range(rows)]
    lines += [f"Ada,Again{n},user{n}@example.com" for n in range(repeats)]
    lines += [f",NoFirst{n},bad{n}@example.com" for n in range(bad)]
    path.write_text("\n".join(lines) + "\n")
    return path


async def test_two_engines_share_one_import(redis_server: RedisServer, tmp_path: Path) -> None:
    emu = Emulator(seed=3, rate_limits={"talkturo": None})
    source = read_csv(_contacts_csv(tmp_path / "c.csv", 300, repeats=20, bad=5))
    summaries: list[BulkSummary] = []
    jobs: list[BulkJob[object]] = []
    async with talkturo_client(emu, retry=FAST, rate_limit=None) as turo:
        company = (await turo.companies.create("Acme")).id

        async def run() -> None:
            journal = RedisJournal(redis_server.url, lease=5)
            job = turo.contacts.import_many(source, company_id=company, journal=journal)
            jobs.append(job)
            summaries.append(await job.run())

        async with anyio.create_task_group() as tg:
            tg.start_soon(run)
            tg.start_soon(run)
    assert Counter(emu.contact_keys().values()) == Counter({1: 300})
    assert sum(s.total for s in summaries) == 325
    assert sum(s.done for s in summaries) == 300
    assert sum(s.skipped for s in summaries) == 20
    assert sum(s.failed for s in summaries) == 5
    assert sum(job.last for job in jobs) == 1
    final = next(job.job_summary for job in jobs if job.last)
    assert final is not None
    assert (final.total, final.done, final.skipped, final.failed) == (325, 300, 20, 5)


async def test_a_lapsed_lease_fences_the_send(redis_server: RedisServer) -> None:
    """A worker whose lease ran out cannot mark the row pending once another worker took it."""
    rows = [(0, '{"phone":"+12025550100"}')]
    first, second = (RedisJournal(redis_server.url, job="fence", lease=1) for _ in range(2))
    for journal in (first, second):
        journal.bind("test.fence", {}, "")
    async with first, second:
        assert await first.take_loader() == (False, 0, True)
        assert await first.owners([("phone:+12025550100", 0)]) == [None]
        assert await first.commit(0, 1, rows, [], final=True)
        assert (await first.claim(5))[0] == rows
        assert (await second.claim(5))[0] == []  # leased to the first
        await anyio.sleep(1.2)  # the first stalls past its lease
        assert (await second.claim(5))[0] == rows
        with pytest.raises(ClaimLostError):
            await first.mark_pending("phone:+12025550100", 0)
        await second.mark_pending("phone:+12025550100", 0)
        assert (await second.lookup(["phone:+12025550100"]))["phone:+12025550100"].state == (
            "pending"
        )


async def test_a_call_left_pending_is_looked_up_not_redialled(redis_server: RedisServer) -> None:
    """A dialer cancelled mid-request leaves its calls pending: the next one looks them up."""
    emu = Emulator(seed=5, rate_limits={"talkover": None})
    emu.faults.add(FaultRule("POST /api/v1/agents/*/call", latency=30.0, times=4))
    numbers = [f"+1202555{n:04d}" for n in range(40)]
    async with talkover_client(emu, retry=FAST, rate_limit=None) as over:
        agent = (await ready_agent(over)).id

        def job() -> BulkJob[object]:
            journal = RedisJournal(redis_server.url, job="pending-calls", lease=1)
            return over.calls.dial_many(
                [{"phone": n} for n in numbers],
                agent_id=agent,
                journal=journal,
                concurrency=4,
                reconcile_grace=0.2,
            )

        with anyio.move_on_after(1.0):  # its first 4 requests hang: cancelled mid-send
            await job().run()
        assert emu.placed_calls == []
        second = job()
        summary = await second.run()
    assert Counter(emu.calls_per_number().values()) == Counter({1: 36})
    assert (summary.total, summary.done, summary.not_placed) == (40, 36, 4)
    assert second.job_summary is not None
    assert second.job_summary.total == 40
    stuck = [o for o in second.job_summary.failures if o.outcome is Outcome.NOT_PLACED]
    assert len(stuck) == 4  # the four hung calls: looked up, not there, never dialled again
    assert {o.key for o in stuck}.isdisjoint(f"phone:{n}" for n in emu.calls_per_number())
