"""
What a resumed run does with an item an earlier run's journal knows.

Finished items (done, skipped; failed unless ``retry_failed``) are reported from the journal.
Items an earlier run may have sent (pending, unknown) are sent again when the API dedupes them
by natural key — a 409 then means the earlier send arrived — and otherwise looked up in the
platform's history, never sent again; without a lookup they are reported unknown. Calls the
history did not show after the grace period (not_placed) are reported, or dialled again when
the user asks (``redial_not_placed``). Reconciling a journal on demand looks up its unclear
items only (`plan_lookup`).
"""

from __future__ import annotations

from typing import TypeVar

from talkkit.bulk._journal import JournalEntry
from talkkit.bulk._types import BulkOperation, ItemOutcome, Outcome, Prepared
from talkkit.bulk._work import Work, from_journal, unsent
from talkkit.errors import InvalidRequestError

__all__ = ["plan_known", "plan_lookup"]

P = TypeVar("P")


def plan_known(
    index: int,
    prepared: Prepared[P],
    entry: JournalEntry,
    *,
    resendable: bool,
    can_look_up: bool,
    retry_failed: bool,
    redial_not_placed: bool,
) -> Work[P] | ItemOutcome:
    """
    The work for an item with a journal ``entry`` (to send or to look up), or its outcome when
    nothing is to be done (reported from the journal).
    """
    state = entry.state
    key = prepared.key
    if state in ("done", "skipped") or (state == "failed" and not retry_failed):
        return from_journal(index, key, Outcome(state), entry)
    if state == "failed" or (state == Outcome.NOT_PLACED and redial_not_placed):
        return Work(index, prepared)
    if state == Outcome.NOT_PLACED:
        return from_journal(index, key, Outcome.NOT_PLACED, entry)
    if state in ("pending", "unknown") and resendable:
        # Maybe stored by an earlier run (sent before a crash, or its answer was lost): the API
        # dedupes by natural key, so send it again; a 409 then means it was ours.
        return Work(index, prepared, resend=True)
    # unknown or pending, never to be repeated (a call, a company): look it up or report it
    if can_look_up:
        return Work(index, prepared, reconcile_since=entry.updated)
    code = entry.code or "outcome_unknown"
    message = entry.message or "may have been sent by an earlier run: check before retrying"
    return unsent(index, key, Outcome.UNKNOWN, code, message, from_journal=True)


def plan_lookup(
    index: int, key: str, entry: JournalEntry, operation: BulkOperation[P]
) -> Work[P] | ItemOutcome:
    """
    A journal's unclear item (``key``, ``entry``) rebuilt with the operation's ``from_key`` to be
    looked up, never sent; unknown when it cannot be rebuilt.
    """
    assert operation.from_key is not None
    try:
        prepared = operation.prepare(operation.from_key(key))
    except InvalidRequestError as exc:
        message = f"cannot be looked up: {exc}"
        unknown = Outcome.UNKNOWN
        return unsent(
            index, key, unknown, "invalid_input", message, field=exc.field, from_journal=True
        )
    item = Prepared(key, prepared.payload, prepared.resendable)  # under the journal's key
    return Work(index, item, reconcile_since=entry.updated)
