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
    """done stays as it is; pending, failed and unknown can move on."""
    path = tmp_path / "j.db"
    async with Journal(path, kind="test") as journal:
        await journal.record("done", Outcome.DONE, resource_id="r1")
        await journal.record("done", Outcome.FAILED, code="x")
        await journal.record("done", Outcome.UNKNOWN, code="outcome_unknown")
        await journal.mark_pending("done")
        await journal.record("failed", Outcome.FAILED, code="bad_request")
        await journal.mark_pending("failed")
        await journal.record("failed", Outcome.DONE, resource_id="r2")
        await journal.mark_pending("unknown")
        await journal.record("unknown", Outcome.UNKNOWN, code="outcome_unknown")
    async with Journal(path, kind="test") as journal:
        found = await journal.lookup(["done", "failed", "unknown"])
        unknown = await journal.entries("unknown")
    assert (found["done"].state, found["done"].resource_id, found["done"].code) == (
        "done",
        "r1",
        None,
    )
    assert (found["failed"].state, found["failed"].resource_id) == ("done", "r2")
    assert [(key, entry.state, entry.code) for key, entry in unknown] == [
        ("unknown", "unknown", "outcome_unknown")
    ]


@pytest.mark.parametrize(
    "later",
    [Outcome.DONE, Outcome.FAILED, Outcome.UNKNOWN, "pending"],
    ids=["done", "failed", "unknown", "pending"],
)
async def test_skipped_is_final(tmp_path: Path, later: Outcome | str) -> None:
    """A skipped item keeps its state and details whatever is recorded for it afterwards."""
    path = tmp_path / "j.db"
    async with Journal(path, kind="test") as journal:
        await journal.record("k", Outcome.SKIPPED, code="conflict", message="exists")
        if later == "pending":
            await journal.mark_pending("k")
        else:
            assert isinstance(later, Outcome)
            await journal.record("k", later, resource_id="r9", code="later", message="later")
    assert state_on_disk(path, "k") == "skipped"
    async with Journal(path, kind="test") as journal:
        [(key, entry)] = await journal.entries("skipped")
        assert await journal.counts() == {"skipped": 1}
    assert (key, entry.resource_id, entry.code, entry.message) == ("k", None, "conflict", "exists")


async def test_another_jobs_journal_is_refused(tmp_path: Path) -> None:
    """Kind and scope are recorded; a mismatch names both jobs."""
    path = tmp_path / "j.db"
    async with Journal(path, kind="contacts", scope={"team_id": "t1"}):
        pass
    with pytest.raises(ConfigurationError, match="another job") as info:
        async with Journal(path, kind="contacts", scope={"team_id": "t2"}):
            pass
    assert info.value.field == "journal"
    assert 'contacts {"team_id": "t1"}' in info.value.reason
    assert 'this is contacts {"team_id": "t2"}' in info.value.reason
    with pytest.raises(ConfigurationError, match="another job"):
        async with Journal(path, kind="calls", scope={"team_id": "t1"}):
            pass


async def test_the_same_scope_in_another_order_is_the_same_job(tmp_path: Path) -> None:
    """A scope is compared by content: the order its keys were given in does not matter."""
    path = tmp_path / "j.db"
    async with Journal(path, kind="calls", scope={"agent_id": "a1", "base_url": "u"}) as journal:
        await journal.record("k", Outcome.DONE, resource_id="r1")
    async with Journal(path, kind="calls", scope={"base_url": "u", "agent_id": "a1"}) as journal:
        assert (await journal.lookup(["k"]))["k"].resource_id == "r1"


async def test_a_journal_in_a_new_folder_is_created(tmp_path: Path) -> None:
    """The journal's folders are created as needed."""
    path = tmp_path / "runs" / "2026" / "j.db"
    async with Journal(path, kind="test") as journal:
        await journal.mark_pending("k")
    assert state_on_disk(path, "k") == "pending"


async def test_lookup_and_entries_return_every_detail_of_many_keys(tmp_path: Path) -> None:
    """More keys than one query takes: every entry comes back with its state and details."""
    path = tmp_path / "j.db"
    keys = [f"k{i}" for i in range(1_200)]
    async with Journal(path, kind="test") as journal:
        for i, key in enumerate(keys):
            await journal.record(key, Outcome.FAILED, resource_id=f"r{i}", code="c", message="m")
    async with Journal(path, kind="test") as journal:
        found = await journal.lookup(keys)
        listed = dict(await journal.entries("failed"))
    assert sorted(found) == sorted(keys) == sorted(listed)
    for entries in (found, listed):
        last = entries["k1199"]
        assert (last.state, last.resource_id, last.code, last.message) == (
            "failed",
            "r1199",
            "c",
            "m",
        )
        assert last.updated > 0


def attempts_on_disk(path: Path, key: str) -> int:
    """How many sends the journal counted for a key."""
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT attempts FROM items WHERE key = ?", (key,)).fetchone()[0])


async def test_every_pending_mark_counts_one_send(tmp_path: Path) -> None:
    """Each pending mark adds one attempt; recording an outcome adds none."""
    path = tmp_path / "j.db"
    async with Journal(path, kind="test") as journal:
        await journal.mark_pending("k")
        await journal.record("k", Outcome.UNKNOWN)
        await journal.mark_pending("k")
        await journal.record("k", Outcome.DONE, resource_id="r1")
        await journal.record("never-sent", Outcome.FAILED, code="invalid_input")
    assert (attempts_on_disk(path, "k"), attempts_on_disk(path, "never-sent")) == (2, 0)


async def test_writing_outside_the_block_is_refused(tmp_path: Path) -> None:
    """A journal is written only inside ``async with``; the error says so."""
    journal = Journal(tmp_path / "j.db", kind="test")
    with pytest.raises(RuntimeError, match=r"^use 'async with Journal\(\.\.\.\)'$"):
        await journal.record("k", Outcome.DONE)


async def test_closing_checkpoints_the_file(tmp_path: Path) -> None:
    """Leaving the block closes both connections: the write-ahead log is folded in and removed."""
    path = tmp_path / "j.db"
    async with Journal(path, kind="test") as journal:
        await journal.mark_pending("k")
        assert (tmp_path / "j.db-wal").exists()
    assert not (tmp_path / "j.db-wal").exists()


async def test_cancelled_writer_still_flushes(tmp_path: Path) -> None:
    """Outcomes queued when the job is cancelled are written before the journal closes."""
    path = tmp_path / "j.db"
    with anyio.CancelScope() as scope:
        async with Journal(path, kind="test") as journal:
            for i in range(100):
                await journal.record(f"k{i}", Outcome.SKIPPED)
            scope.cancel()
            await anyio.sleep(1)
    assert not (tmp_path / "j.db-wal").exists()  # closed although cancelled
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM items").fetchone() == (100,)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def test_forgetting_a_pending_mark_leaves_every_other_state(tmp_path: Path) -> None:
    """Only a pending mark is withdrawn (the key reads as never attempted); the rest stay."""
    path = tmp_path / "j.db"
    async with Journal(path, kind="test") as journal:
        await journal.mark_pending("refused")
        await journal.forget_pending("refused")
        for state in (Outcome.DONE, Outcome.SKIPPED, Outcome.FAILED, Outcome.UNKNOWN):
            await journal.mark_pending(state.value)
            await journal.record(state.value, state)
            await journal.forget_pending(state.value)
        await journal.record("not_placed", Outcome.NOT_PLACED, code="not_in_history")
        await journal.forget_pending("not_placed")
        await journal.mark_pending("later")
        await journal.forget_pending("later")
        await journal.mark_pending("later")  # sent again: pending once more
    async with Journal(path, kind="test") as journal:
        found = await journal.lookup(
            ["refused", "done", "skipped", "failed", "unknown", "not_placed", "later"]
        )
    assert {key: entry.state for key, entry in found.items()} == {
        "done": "done",
        "skipped": "skipped",
        "failed": "failed",
        "unknown": "unknown",
        "not_placed": "not_placed",
        "later": "pending",
    }


async def test_a_journal_of_the_first_layout_is_read_as_it_is(tmp_path: Path) -> None:
    """A file written with the first version's tables (no change since) resumes as before."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE items (
                key TEXT PRIMARY KEY, state TEXT NOT NULL, resource_id TEXT, code TEXT,
                message TEXT, attempts INTEGER NOT NULL DEFAULT 0, updated REAL NOT NULL
            );
            INSERT INTO meta VALUES ('kind', 'test'), ('scope', '{}');
            INSERT INTO items VALUES ('a', 'done', 'id_a', NULL, NULL, 1, 1700000000.0);
            INSERT INTO items VALUES ('b', 'unknown', NULL, 'outcome_unknown', 'lost', 1, 1700000001.0);
            """
        )
    async with Journal(path, kind="test") as journal:
        found = await journal.lookup(["a", "b"])
        await journal.record("b", Outcome.NOT_PLACED, code="not_in_history")
    assert (found["a"].state, found["a"].resource_id) == ("done", "id_a")
    assert (found["b"].state, found["b"].updated) == ("unknown", 1700000001.0)
    assert state_on_disk(path, "b") == "not_placed"


async def test_an_unknown_outcome_keeps_the_time_of_its_attempt(tmp_path: Path) -> None:
    """record(..., at=) stores when the attempt began, so a later lookup searches from there."""
    path = tmp_path / "j.db"
    async with Journal(path, kind="test") as journal:
        await journal.record("k", Outcome.UNKNOWN, code="outcome_unknown", at=1234.5)
        await journal.record("now", Outcome.DONE)
    async with Journal(path, kind="test") as journal:
        found = await journal.lookup(["k", "now"])
    assert found["k"].updated == 1234.5
    assert found["now"].updated > 1234.5
