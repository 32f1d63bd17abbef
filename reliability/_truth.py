"""
What the emulator says happened to each input row, and the per-row checks against a run's outcome.

Every create a bulk job sends that reaches the emulator's handler is logged with the natural key
it was about (``subject``: ``email:…``, ``name:…``, ``phone:…``) and the id it stored
(``created``). A request a fault answered or dropped before processing carries no subject. So for
each row the log tells: created by this row (and whether its answer was lost on the way back),
refused as existing (409), or never arrived. The row's outcome comes from the job's journal, which
records every row's final state and the id the client was given.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

import attrs

from reliability._harness import Scenario
from talkkit.emulator import Emulator, LoggedRequest

__all__ = [
    "JournalRow",
    "Sends",
    "check_contact_rows",
    "check_rows_sent_once",
    "journal_rows",
    "sends_by_subject",
]

LOST = "commit_drop"
"""The fault of a request the server processed although its answer never reached the client."""


@attrs.frozen
class JournalRow:
    """One key's final line in a journal."""

    state: str
    resource_id: str | None
    code: str | None
    attempts: int = 0
    """Sends the client journaled as pending for the key, over every run."""


def journal_rows(path: Path, states: Collection[str] | None = None) -> dict[str, JournalRow]:
    """Every key of a journal file (or those in ``states``), read as a fresh process would."""
    if not path.exists():
        return {}
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT key, state, resource_id, code, attempts FROM items").fetchall()
    except sqlite3.OperationalError:  # killed before the schema was committed
        rows = []
    finally:
        db.close()
    return {
        str(key): JournalRow(str(state), resource_id, code, int(attempts))
        for key, state, resource_id, code, attempts in rows
        if states is None or state in states
    }


@attrs.frozen
class Sends:
    """
    The creates of one subject that reached the emulator's handler, in arrival order.

    Attributes:
        requests: The logged requests.
    """

    requests: tuple[LoggedRequest, ...]

    @property
    def created(self) -> list[str]:
        """The ids of the records these requests stored."""
        return [r.created for r in self.requests if r.created is not None]

    @property
    def refused(self) -> int:
        """How many were refused as existing (409)."""
        return sum(r.status == 409 for r in self.requests)

    @property
    def lost_answers(self) -> int:
        """How many were processed but their answer never reached the client (all but the last)."""
        return sum(r.fault == LOST for r in self.requests[:-1])


def sends_by_subject(emu: Emulator, path_suffix: str, *, since: int = 0) -> dict[str, Sends]:
    """The processed POSTs to paths ending in ``path_suffix`` (from the ``since``-th request on)."""
    found: defaultdict[str, list[LoggedRequest]] = defaultdict(list)
    for request in emu.request_log[since:]:
        if (
            request.method == "POST"
            and request.subject is not None
            and request.path.endswith(path_suffix)
        ):
            found[request.subject].append(request)
    return {subject: Sends(tuple(requests)) for subject, requests in found.items()}


def check_rows_sent_once(
    scenario: Scenario,
    what: tuple[str, str],
    sends: Mapping[str, Sends],
    rows: Mapping[str, JournalRow],
    expected: Iterable[str],
    never_sent: Iterable[str] = (),
) -> None:
    """
    Per-row checks for items the client must never send twice (calls, companies).

    ``what`` names them in the plural and the singular (``("calls", "call")``).
    Each key of ``expected`` (the valid, distinct input items) must have a final state in the
    journal ``rows`` that matches the emulator's log: ``done`` exactly when this row's one
    request created a record, with that record's id; ``failed`` only when nothing was created;
    ``unknown`` with at most one record; nothing pending or missing. Keys of ``never_sent``
    (rows that fail validation) must never have reached the handler.
    """
    items, item = what
    wanted = set(expected)
    twice = {k: len(s.requests) for k, s in sends.items() if len(s.requests) > 1}
    mismatched: list[str] = []
    missing: list[str] = []
    states: Counter[str] = Counter()
    for key in sorted(wanted):
        row = rows.get(key)
        created = sends[key].created if key in sends else []
        if row is None or row.state == "pending":
            missing.append(key)
            continue
        states[row.state] += 1
        ok = {
            "done": len(created) == 1 and row.resource_id == created[0],
            "failed": not created,
            "unknown": len(created) <= 1,
            "skipped": not created and key in sends and sends[key].refused > 0,
        }.get(row.state, False)
        if not ok:
            mismatched.append(f"{key}: {row.state} {row.resource_id} vs created {created}")
    phantoms = sorted(k for k, s in sends.items() if k not in wanted and s.created)
    arrived = sorted(k for k in never_sent if k in sends)
    unknown_created = sum(
        1
        for k in wanted
        if k in rows and rows[k].state == "unknown" and k in sends and sends[k].created
    )
    scenario.figure(
        f"{items}: final states (journal)",
        ", ".join(f"{s} {n:,}" for s, n in sorted(states.items())),
    )
    scenario.figure(
        f"{items} created (emulator truth)", sum(len(s.created) for s in sends.values())
    )
    scenario.figure(f"{items} sent to the server twice", len(twice))
    scenario.figure(f"unknown {items} that were in fact created", unknown_created)
    scenario.check(
        f"0 {items} sent to the server twice (counted per {item} on the server)",
        not twice,
        _some(twice),
    )
    scenario.check(
        f"every {item} has a final state (none pending or lost)", not missing, missing[:5]
    )
    scenario.check(
        f"each {item}'s outcome matches the emulator's log (done = created by it, with its id; "
        "failed = never created)",
        not mismatched,
        mismatched[:5],
    )
    scenario.check("nothing created that is not in the input", not phantoms, phantoms[:5])
    scenario.check("invalid rows never reached the server", not arrived, arrived[:5])


def check_contact_rows(
    scenario: Scenario,
    sends: Mapping[str, Sends],
    rows: Mapping[str, JournalRow],
    expected: Iterable[str],
    never_sent: Iterable[str] = (),
    pending_at_kills: Mapping[str, int] | None = None,
) -> int:
    """
    Per-row checks for contacts, which the client re-sends after an unclear answer.

    A contact may reach the server more than once only when an earlier request's answer was
    lost: processed then dropped (``commit_drop``), or the client was killed while the row was
    pending in its journal (``pending_at_kills``: key → kills that found it pending). Then each
    row's final state must match the log: ``done`` when this run created it (with one of the
    created ids, or none when the 409 to a re-send told it), or when a re-send after an unclear
    answer was refused (the journal counts the sends); ``skipped`` only when refused and not
    created; ``failed`` only when not created. Returns the number of unexplained extra sends
    (what a server that refuses no duplicate stores twice).
    """
    wanted = set(expected)
    kills = pending_at_kills or {}
    unexplained: dict[str, int] = {}
    mismatched: list[str] = []
    missing: list[str] = []
    stored_twice = resent = 0
    for key in sorted(wanted):
        sent = sends.get(key, Sends(()))
        again = len(sent.requests) - 1
        lost = sent.lost_answers + kills.get(key, 0)
        if again > lost:
            unexplained[key] = len(sent.requests)
        stored_twice += max(len(sent.created) - 1, 0)
        resent += max(again, 0)
        row = rows.get(key)
        if row is None or row.state == "pending":
            missing.append(key)
            continue
        created = sent.created
        ok = {
            "done": (
                (bool(created) and (row.resource_id is None or row.resource_id in created))
                # a 409 to a re-send after an unclear answer: the client cannot tell it
                # from its own earlier send (which a drop may have stopped before the server)
                or (not created and sent.refused > 0 and row.attempts > 1 and not row.resource_id)
            ),
            "skipped": not created and sent.refused > 0,
            "failed": not created,
            "unknown": True,
        }.get(row.state, False)
        if not ok:
            mismatched.append(
                f"{key}: {row.state} {row.resource_id} vs created {created}, "
                f"refused {sent.refused}, lost answers {lost}"
            )
    phantoms = sorted(k for k, s in sends.items() if k not in wanted and s.created)
    arrived = sorted(k for k in never_sent if k in sends)
    scenario.figure("rows sent to the server again after a lost answer", resent)
    scenario.figure("… of them stored twice (the emulator refusing no duplicates)", stored_twice)
    scenario.check(
        "0 contacts sent again without a lost answer to explain it (counted per row on the server)",
        not unexplained,
        _some(unexplained),
    )
    scenario.check(
        "every valid row has a final state (none pending or lost)", not missing, missing[:5]
    )
    scenario.check(
        "each row's outcome matches the emulator's log (done = created by it, skipped = refused "
        "as existing, failed = not created)",
        not mismatched,
        mismatched[:5],
    )
    scenario.check("nothing created that is not in the input", not phantoms, phantoms[:5])
    scenario.check("invalid rows never reached the server", not arrived, arrived[:5])
    return sum(unexplained.values())


def _some(found: Mapping[str, int]) -> str:
    return ", ".join(f"{k} ×{n}" for k, n in list(found.items())[:5])
