"""The resume journal: durable pending marks, no weakened states, one job per file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import anyio
import pytest

from talkkit import ConfigurationError
from talkkit.bulk import Journal, Outcome

pytestmark = pytest.mark.anyio


def state_on_disk(path: Path, key: str) -> str | None:
    """Read a key's state through a separate connection (what a crashed process would leave)."""
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT state FROM items WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


async def test_pending_is_durable_when_mark_returns(tmp_path: Path) -> None:
    """Once mark_pending returns, another process already sees the mark."""
    path = tmp_path / "j.db"
    async with Journal(path, kind="test") as journal:
        await journal.mark_pending("a")
        assert state_on_disk(path, "a") == "pending"


async def test_records_are_flushed_on_exit(tmp_path: Path) -> None:
    """Batched outcomes are all on disk after the block, with their details."""
    path = tmp_path / "j.db"
    async with Journal(path, kind="test") as journal:
        for i in range(500):
            await journal.record(f"k{i}", Outcome.DONE, resource_id=f"id{i}")
    async with Journal(path, kind="test") as journal:
        found = await journal.lookup([f"k{i}" for i in range(500)] + ["absent"])
        assert await journal.counts() == {"done": 500}
    assert len(found) == 500
    assert found["k7"].resource_id == "id7"


async def test_finished_states_are_never_weakened(tmp_path: Path) -> None:
    """done/skipped stay as they are; pending/failed/unknown can move on."""
    path = tmp_path / "j.db"
    async with Journal(path, kind="test") as journal:
        await journal.record("done", Outcome.DONE, resource_id="r1")
        await journal.record("done", Outcome.FAILED, code="x")
        await journal.mark_pending("done")
        await journal.record("failed", Outcome.FAILED, code="bad_request")
        await journal.mark_pending("failed")
        await journal.record("failed", Outcome.DONE, resource_id="r2")
    async with Journal(path, kind="test") as journal:
        found = await journal.lookup(["done", "failed"])
        unknown = await journal.entries("unknown")
    assert (found["done"].state, found["done"].resource_id) == ("done", "r1")
    assert (found["failed"].state, found["failed"].resource_id) == ("done", "r2")
    assert unknown == []


async def test_another_jobs_journal_is_refused(tmp_path: Path) -> None:
    """Kind and scope are recorded; a mismatch names both jobs."""
    path = tmp_path / "j.db"
    async with Journal(path, kind="contacts", scope={"team_id": "t1"}):
        pass
    with pytest.raises(ConfigurationError, match="another job"):
        async with Journal(path, kind="contacts", scope={"team_id": "t2"}):
            pass


async def test_cancelled_writer_still_flushes(tmp_path: Path) -> None:
    """Outcomes queued when the job is cancelled are written before the journal closes."""
    path = tmp_path / "j.db"
    with anyio.CancelScope() as scope:
        async with Journal(path, kind="test") as journal:
            for i in range(100):
                await journal.record(f"k{i}", Outcome.SKIPPED)
            scope.cancel()
            await anyio.sleep(1)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM items").fetchone() == (100,)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
