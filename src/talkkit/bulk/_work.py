"""
One item on its way through the engine, and the outcomes it can end with.

The builders here state once how an outcome reads: its code (the API's error code, or the
error's type when it has none; ``outcome_unknown`` for an unclear answer) and its message (the
API's own words rather than the error's summary line).
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import attrs

from talkkit.bulk._journal import JournalEntry
from talkkit.bulk._types import ItemOutcome, Outcome, Prepared
from talkkit.errors import InvalidRequestError, OutcomeUnknownError, TalkkitError

__all__ = [
    "ABORTED",
    "Work",
    "aborted",
    "error_text",
    "from_journal",
    "invalid",
    "maybe_processed",
    "outcome",
    "reconciled",
    "repeat",
    "row_key",
    "stopped_on",
]

P = TypeVar("P")

ABORTED = "aborted"
"""The code of the items a stopped job did not process (``not_sent``)."""


@attrs.define
class Work(Generic[P]):
    """A valid item the workers send (or look up), with what this run knows of it."""

    index: int
    prepared: Prepared[P]
    resend: bool = False
    """An earlier attempt (this run or a killed one) may have been processed."""
    reconcile_since: float | None = None
    """Set: look it up (from these Unix seconds on) instead of sending it."""
    reschedules: int = 0
    marked: bool = False
    """This run marked it pending in the journal."""


def outcome(
    item: Work[Any],
    ended: Outcome,
    attempts: int,
    error: TalkkitError | None,
    resource_id: str | None = None,
    *,
    code: str | None = None,
    message: str | None = None,
) -> ItemOutcome:
    """How ``item`` ended; the code and message come from ``error`` unless given."""
    if code is None and error is not None:
        code = "outcome_unknown" if isinstance(error, OutcomeUnknownError) else _code(error)
    return ItemOutcome(
        index=item.index,
        key=item.prepared.key,
        outcome=ended,
        resource_id=resource_id,
        code=code,
        message=message or (error_text(error) if error is not None else None),
        attempts=attempts,
    )


def reconciled(item: Work[Any], found: str, attempts: int) -> ItemOutcome:
    """Done: the history shows what an unclear answer did (``found`` is its id)."""
    return outcome(
        item,
        Outcome.DONE,
        attempts,
        None,
        found,
        code="reconciled",
        message="confirmed in the platform's history after an unclear answer",
    )


def unsent(
    index: int,
    key: str,
    ended: Outcome,
    code: str,
    message: str,
    *,
    field: str | None = None,
    from_journal: bool = False,
) -> ItemOutcome:
    """How an item ended without a request of this run: its ``code`` and ``message``."""
    return ItemOutcome(
        index=index,
        key=key,
        outcome=ended,
        code=code,
        message=message,
        field=field,
        from_journal=from_journal,
    )


def invalid(index: int, error: InvalidRequestError) -> ItemOutcome:
    """Failed before sending: bad input, the field named (the row has no key: ``row:<n>``)."""
    failed = Outcome.FAILED
    return unsent(index, row_key(index), failed, "invalid_input", str(error), field=error.field)


def repeat(index: int, key: str, earlier: int) -> ItemOutcome:
    """Skipped before sending: the item repeats the key of the item at ``earlier``."""
    message = f"repeats row {earlier + 1}: not sent twice"
    return unsent(index, key, Outcome.SKIPPED, "duplicate_in_input", message)


def aborted(index: int, key: str, error: TalkkitError | None) -> ItemOutcome:
    """Not sent: the job stopped (on ``error``) before processing this item."""
    return unsent(index, key, Outcome.NOT_SENT, ABORTED, f"not sent: the job stopped ({error})")


def stopped_on(item: Work[Any], attempts: int, error: TalkkitError) -> ItemOutcome:
    """
    Not sent: this item's own answer was the job-level error (401, its parent not found). It
    is not the item's fault, and a resumed run sends it.
    """
    return outcome(
        item,
        Outcome.NOT_SENT,
        attempts,
        error,
        message=f"not sent: the job stopped on this answer ({error_text(error)}); "
        "a resumed run sends it",
    )


def maybe_processed(item: Work[Any], attempts: int, error: TalkkitError) -> ItemOutcome:
    """Unknown: the job stopped on this answer, but an earlier attempt may have been processed."""
    return outcome(
        item,
        Outcome.UNKNOWN,
        attempts,
        None,
        code="outcome_unknown",
        message="an earlier attempt may have been processed; the job then stopped on this "
        f"answer: {error_text(error)}",
    )


def from_journal(index: int, key: str, ended: Outcome, entry: JournalEntry) -> ItemOutcome:
    """An earlier run's outcome, reported again (nothing is sent)."""
    return ItemOutcome(
        index=index,
        key=key,
        outcome=ended,
        resource_id=entry.resource_id,
        code=entry.code,
        message=entry.message,
        from_journal=True,
    )


def error_text(error: TalkkitError) -> str:
    """The error's own message (the API's words), not its summary line."""
    return getattr(error, "message", None) or str(error)


def _code(error: TalkkitError) -> str:
    return getattr(error, "code", None) or type(error).__name__


def row_key(index: int) -> str:
    """The key of an item that has none (it could not be read or was never prepared)."""
    return f"row:{index + 1}"
