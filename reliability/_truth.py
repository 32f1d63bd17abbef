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

import csv
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

import attrs

from reliability._harness import Scenario
from talkkit.emulator import Emulator, LoggedRequest

__all__ = [
    "DUPLICATE",
    "FINAL",
    "RESULTS_COLUMNS",
    "JournalRow",
    "ResultRow",
    "Results",
    "Sends",
    "check_contact_rows",
    "check_repeats",
    "check_results_file",
    "check_rows_sent_once",
    "journal_rows",
    "read_results",
    "results_by_key",
    "sends_by_subject",
]

LOST = "commit_drop"
"""The fault of a request the server processed although its answer never reached the client."""
FINAL = frozenset({"done", "skipped", "failed", "unknown", "not_placed"})
"""
The states a journal records as final. ``not_sent`` is never one: a row the job did not process
(it stopped first) stays pending, or is absent, so that a resumed run sends it.
"""
RESULTS_COLUMNS = ("row", "key", "outcome", "id", "status", "duration", "code", "field", "message")
"""
The header of a ``--results`` file (the issue's list: row number, key, outcome, the id the server
gave, the call's final status and duration, error code, field, message).
"""
DUPLICATE = "duplicate_in_input"
"""The code of a row skipped before sending because it repeats an earlier row's key."""


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
class ResultRow:
    """One line of a ``--results`` file: how one input row ended, as the run reported it."""

    row: int
    key: str
    outcome: str
    resource_id: str | None
    status: str | None
    duration: float | None
    code: str | None
    field: str | None
    message: str


@attrs.frozen
class Results:
    """
    A ``--results`` file as read back.

    Attributes:
        rows: Each line by its row number (1-based); a row number written twice keeps its last.
        lines: How many lines the file has under its header.
    """

    rows: dict[int, ResultRow]
    lines: int

    def outcomes(self) -> Counter[str]:
        """Rows per outcome."""
        return Counter(r.outcome for r in self.rows.values())


def read_results(path: Path) -> Results:
    """Read a ``--results`` file (row, key, outcome, id, status, duration, code, field, message)."""
    rows: dict[int, ResultRow] = {}
    lines = 0
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        if tuple(reader.fieldnames or ()) != RESULTS_COLUMNS:
            raise ValueError(f"{path.name}: header {reader.fieldnames}, not {RESULTS_COLUMNS}")
        for line in reader:
            lines += 1
            row = int(line["row"])
            rows[row] = ResultRow(
                row=row,
                key=line["key"],
                outcome=line["outcome"],
                resource_id=line["id"] or None,
                status=line["status"] or None,
                duration=float(line["duration"]) if line["duration"] else None,
                code=line["code"] or None,
                field=line["field"] or None,
                message=line["message"],
            )
    return Results(rows, lines)


def check_results_file(scenario: Scenario, results: Results, total: int, run: str = "") -> None:
    """The results file has one line per input row: each row number 1…``total`` exactly once."""
    numbers = set(results.rows)
    expected = set(range(1, total + 1))
    scenario.check(
        f"the results file{run} has one line per input row",
        results.lines == total and numbers == expected,
        f"{results.lines:,} lines for {total:,} rows; missing rows "
        f"{sorted(expected - numbers)[:5]}, extra {sorted(numbers - expected)[:5]}",
    )


def results_by_key(
    scenario: Scenario, results: Results, keys: Mapping[int, str], run: str = ""
) -> dict[str, ResultRow]:
    """
    Each key's line in a results file: the line of the first row that has the key (``keys``:
    row number → the key of its valid input row; later rows with the key repeat it). Checks that
    each of these lines names its row's key — or ``row:<n>`` for a row the job never read
    because it had stopped first (``not_sent``).
    """
    found: dict[str, ResultRow] = {}
    wrong: list[str] = []
    for row in sorted(keys):
        key = keys[row]
        line = results.rows.get(row)
        if line is None:
            continue  # a missing line fails `check_results_file`
        if line.key != key and not (line.key == f"row:{row}" and line.outcome == "not_sent"):
            wrong.append(f"row {row}: {line.key} for {key}")
        found.setdefault(key, line)
    scenario.check(
        f"each line of the results file{run} names its row's key (row:<n> only for a row not "
        "read because the job had stopped)",
        not wrong,
        wrong[:3],
    )
    return found


def check_repeats(
    scenario: Scenario, results: Results, repeats: Mapping[int, int], run: str = ""
) -> None:
    """
    Each row of ``repeats`` (row number → the earlier row it repeats, both 1-based) was skipped
    before sending with the code ``duplicate_in_input`` and a message naming the earlier row.
    """
    wrong = []
    for row, earlier in sorted(repeats.items()):
        got = results.rows.get(row)
        if (
            got is None
            or (got.outcome, got.code) != ("skipped", DUPLICATE)
            or f"repeats row {earlier}" not in got.message
        ):
            wrong.append(f"row {row}: {got}")
    scenario.check(
        f"every row repeating an earlier row's key is skipped{run}, naming the row it repeats",
        not wrong,
        wrong[:3],
    )


def _agrees(result: ResultRow | None, row: JournalRow | None) -> bool:
    """
    The results file and the journal tell the same about a key: a row not sent is not final in
    the journal; any other outcome is the journal's final state, with the same id.
    """
    if result is None:
        return True
    if result.outcome == "not_sent":
        return row is None or row.state not in FINAL
    return row is not None and row.state == result.outcome and row.resource_id == result.resource_id


def _state(result: ResultRow | None, row: JournalRow | None) -> str | None:
    """A key's outcome: the results file's when there is one, else the journal's final state."""
    if result is not None:
        return result.outcome
    if row is None or row.state not in FINAL:
        return None
    return row.state


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
    results: Mapping[str, ResultRow] | None = None,
    name: str = "",
) -> None:
    """
    Per-row checks for items the client must never send twice (calls, companies).

    ``what`` names them in the plural and the singular (``("calls", "call")``).
    Each key of ``expected`` (the valid, distinct input items) must have an outcome that matches
    the emulator's log: ``done`` exactly when this row's one request created a record, with that
    record's id; ``failed``, ``not_placed`` (an unclear attempt the history did not show after
    the grace period) and ``not_sent`` (the job stopped first) only when nothing was created;
    ``unknown`` with at most one record; nothing pending or missing. The outcome is the journal's
    final state, or with ``results`` (the run's ``--results`` file by key, `results_by_key`)
    the file's line, which must then agree with the journal (the same state and id;
    ``not_sent`` never final there). Keys of ``never_sent`` (rows that fail validation) must
    never have reached the handler.
    """
    items, item = what
    wanted = set(expected)
    by_key = results if results is not None else {}
    twice = {k: len(s.requests) for k, s in sends.items() if len(s.requests) > 1}
    mismatched: list[str] = []
    disagree: list[str] = []
    missing: list[str] = []
    states: Counter[str] = Counter()
    for key in sorted(wanted):
        row = rows.get(key)
        result = by_key.get(key)
        created = sends[key].created if key in sends else []
        if results is not None and not _agrees(result, row):
            disagree.append(f"{key}: results {result} vs journal {row}")
        state = _state(result, row)
        if state is None or (results is not None and result is None):
            missing.append(key)
            continue
        states[state] += 1
        resource_id = result.resource_id if result is not None else row and row.resource_id
        ok = {
            "done": len(created) == 1 and resource_id == created[0],
            "failed": not created,
            "unknown": len(created) <= 1,
            "skipped": not created and key in sends and sends[key].refused > 0,
            "not_placed": not created,
            "not_sent": not created,
        }.get(state, False)
        if not ok:
            mismatched.append(f"{key}: {state} {resource_id} vs created {created}")
    phantoms = sorted(k for k, s in sends.items() if k not in wanted and s.created)
    arrived = sorted(k for k in never_sent if k in sends)
    unknown_created = sum(
        1
        for k in wanted
        if _state(by_key.get(k), rows.get(k)) == "unknown" and k in sends and sends[k].created
    )
    source = "results file" if results is not None else "journal"
    scenario.figure(
        f"{items}{name}: final states ({source})",
        ", ".join(f"{s} {n:,}" for s, n in sorted(states.items())),
    )
    scenario.figure(
        f"{items} created (emulator truth){name}", sum(len(s.created) for s in sends.values())
    )
    scenario.figure(f"{items} sent to the server twice{name}", len(twice))
    scenario.figure(f"unknown {items} that were in fact created{name}", unknown_created)
    scenario.check(
        f"0 {items} sent to the server twice{name} (counted per {item} on the server)",
        not twice,
        _some(twice),
    )
    scenario.check(
        f"every {item} has a final state{name} (none pending or lost)", not missing, missing[:5]
    )
    scenario.check(
        f"each {item}'s outcome matches the emulator's log{name} (done = created by it, with "
        "its id; failed, not_placed, not_sent = never created; unknown = at most once)",
        not mismatched,
        mismatched[:5],
    )
    if results is not None:
        scenario.check(
            f"the results file and the journal agree on every {item}{name} (outcome and id; "
            "not_sent never final in the journal)",
            not disagree,
            disagree[:3],
        )
    scenario.check(f"nothing created that is not in the input{name}", not phantoms, phantoms[:5])
    scenario.check(f"invalid rows never reached the server{name}", not arrived, arrived[:5])


def check_contact_rows(
    scenario: Scenario,
    sends: Mapping[str, Sends],
    rows: Mapping[str, JournalRow],
    expected: Iterable[str],
    never_sent: Iterable[str] = (),
    pending_at_kills: Mapping[str, int] | None = None,
    results: Mapping[str, ResultRow] | None = None,
) -> int:
    """
    Per-row checks for contacts, which the client re-sends after an unclear answer.

    A contact may reach the server more than once only when an earlier request's answer was
    lost: processed then dropped (``commit_drop``), or the client was killed while the row was
    pending in its journal (``pending_at_kills``: key → kills that found it pending). Then each
    row's final state must match the log: ``done`` when this run created it (with one of the
    created ids, or none when the 409 to a re-send told it), or when a re-send after an unclear
    answer was refused (the journal counts the sends); ``skipped`` only when refused and not
    created; ``failed`` and ``not_sent`` (the job stopped first) only when not created. With
    ``results`` (the run's ``--results`` file by key, `results_by_key`) a row's outcome is its
    line there, which must agree with the journal. Returns the number of unexplained extra
    sends (what a server that refuses no duplicate stores twice).
    """
    wanted = set(expected)
    by_key = results if results is not None else {}
    kills = pending_at_kills or {}
    unexplained: dict[str, int] = {}
    mismatched: list[str] = []
    disagree: list[str] = []
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
        result = by_key.get(key)
        if results is not None and not _agrees(result, row):
            disagree.append(f"{key}: results {result} vs journal {row}")
        state = _state(result, row)
        if state is None or (results is not None and result is None):
            missing.append(key)
            continue
        resource_id = result.resource_id if result is not None else row and row.resource_id
        attempts = row.attempts if row is not None else 0
        created = sent.created
        ok = {
            "done": (
                (bool(created) and (resource_id is None or resource_id in created))
                # a 409 to a re-send after an unclear answer: the client cannot tell it
                # from its own earlier send (which a drop may have stopped before the server)
                or (not created and sent.refused > 0 and attempts > 1 and not resource_id)
            ),
            "skipped": not created and sent.refused > 0,
            "failed": not created,
            "not_sent": not created,
            "unknown": True,
        }.get(state, False)
        if not ok:
            mismatched.append(
                f"{key}: {state} {resource_id} vs created {created}, "
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
        "as existing, failed and not_sent = not created)",
        not mismatched,
        mismatched[:5],
    )
    if results is not None:
        scenario.check(
            "the results file and the journal agree on every row (outcome and id; not_sent "
            "never final in the journal)",
            not disagree,
            disagree[:3],
        )
    scenario.check("nothing created that is not in the input", not phantoms, phantoms[:5])
    scenario.check("invalid rows never reached the server", not arrived, arrived[:5])
    return sum(unexplained.values())


def _some(found: Mapping[str, int]) -> str:
    return ", ".join(f"{k} ×{n}" for k, n in list(found.items())[:5])
