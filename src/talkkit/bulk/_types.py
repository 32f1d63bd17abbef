"""The records of a bulk job: per-item outcomes, the running summary, the operation."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import attrs

from talkkit.errors import TalkkitError

__all__ = [
    "BulkOperation",
    "BulkSummary",
    "CallEnd",
    "Failure",
    "ItemOutcome",
    "Outcome",
    "Prepared",
]

P = TypeVar("P")

MAX_FAILURES_KEPT = 10_000
UNFINISHED = "unfinished"
"""The ``statuses`` entry of followed calls still live when the wait ended (no final status)."""


class Outcome(enum.StrEnum):
    """How one input item ended."""

    DONE = "done"
    """Created (``resource_id`` says what); also a 409 answered to our own re-send."""
    SKIPPED = "skipped"
    """Already existed (409 on the first attempt) or a duplicate within the input: not sent."""
    FAILED = "failed"
    """Rejected: bad input (never sent) or a definite error from the API. Safe to retry."""
    UNKNOWN = "unknown"
    """
    The result is unclear. An item the API dedupes by natural key (a contact's email or phone)
    is sent again by a resumed run, where a 409 means done; any other is never re-sent
    automatically: a resumed run reconciles it (call history) or reports it again.
    """
    NOT_SENT = "not_sent"
    """
    Not processed: the job stopped first, on a job-level error (refused credentials, the job's
    parent not found, a storm of failures retries did not cure) — or on this item's own answer
    when that was the job-level error. Never recorded as finished in the journal (the pending
    mark of a refused request is withdrawn), so a resumed run sends it.
    """
    NOT_PLACED = "not_placed"
    """
    A call whose answer was unclear and that the call history still does not show once the
    grace period has passed. Never dialled again unless asked (``redial_not_placed``).
    """


@attrs.frozen(kw_only=True)
class ItemOutcome:
    """
    What happened to one input item.

    Attributes:
        index: The item's position in the input (0-based; CSV data rows count from 0).
        key: Its stable key (email, phone number, or a hash of the row).
        outcome: done / skipped / failed / unknown / not_sent / not_placed.
        resource_id: The created (or found) object's id, when known.
        code: Error code for failed/unknown items (``invalid_input`` for bad rows); also
            ``reconciled`` (done, found in the history), ``duplicate_in_input`` (skipped),
            ``aborted`` (not sent: the job stopped first).
        message: What went wrong, naming the field for bad input.
        field: The offending field for bad input.
        attempts: Requests sent for this item in this run.
        from_journal: Taken from an earlier run's journal; nothing was sent now.
        status: A placed call's final status (``completed``, ``busy``…), when followed.
        duration: A placed call's talk time in seconds, when followed and reported.
    """

    index: int
    key: str
    outcome: Outcome
    resource_id: str | None = None
    code: str | None = None
    message: str | None = None
    field: str | None = None
    attempts: int = 0
    from_journal: bool = False
    status: str | None = None
    duration: float | None = None


_LISTED = (Outcome.FAILED, Outcome.UNKNOWN, Outcome.NOT_PLACED)  # in `BulkSummary.failures`
_DONE = Outcome.DONE


@attrs.frozen(kw_only=True)
class CallEnd:
    """
    How a placed call ended (what `BulkOperation.follow` reports).

    Attributes:
        status: The final status as the API names it (``completed``, ``no-answer``…).
        duration: Talk time in seconds, when the API reports it.
    """

    status: str
    duration: float | None = None


@attrs.frozen
class Failure:
    """One failed, unknown or not placed item, for reports (``row`` is 1-based as people count)."""

    row: int
    key: str
    outcome: Outcome
    code: str | None
    message: str | None
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """As the CLI's ``--json`` lists it."""
        return {
            "row": self.row,
            "key": self.key,
            "outcome": str(self.outcome),
            "code": self.code,
            "field": self.field,
            "message": self.message,
        }


@attrs.define
class BulkSummary:
    """
    Counts that always add up to the number of input items seen:
    ``done + skipped + failed + unknown + not_sent + not_placed == total``.

    ``failures`` lists the failed, unknown and not placed items (up to `MAX_FAILURES_KEPT`);
    items not sent are only counted: they share one reason, ``aborted``.
    """

    total: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    unknown: int = 0
    not_sent: int = 0
    not_placed: int = 0
    from_journal: int = 0
    reconciled: int = 0
    sent: int = 0
    statuses: dict[str, int] = attrs.field(factory=dict)
    """
    Followed calls by final status (``completed``, ``busy``…); ``unfinished`` for the calls still
    live when the wait ended.
    """
    talk_time: float = 0.0
    """Seconds of talk over the followed calls."""
    failures: list[Failure] = attrs.field(factory=list)
    failures_dropped: int = 0
    aborted: str | None = None

    def add(self, item: ItemOutcome, *, followed: bool = False) -> None:
        """Count one outcome (``followed``: a placed call the job waited for)."""
        self.total += 1
        if item.outcome is _DONE:  # nearly every item: no two lookups of the enum's value
            self.done += 1
        else:
            setattr(self, item.outcome.value, getattr(self, item.outcome.value) + 1)
        self.sent += item.attempts
        if item.from_journal:
            self.from_journal += 1
        if item.code == "reconciled":
            self.reconciled += 1
        if followed:
            status = item.status or UNFINISHED
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.talk_time += item.duration or 0.0
        if item.outcome in _LISTED:
            if len(self.failures) < MAX_FAILURES_KEPT:
                self.failures.append(
                    Failure(
                        item.index + 1, item.key, item.outcome, item.code, item.message, item.field
                    )
                )
            else:
                self.failures_dropped += 1

    @property
    def ok(self) -> bool:
        """Every item ended done or skipped, and the job was not stopped."""
        return (
            self.failed == self.unknown == self.not_sent == self.not_placed == 0
            and self.aborted is None
        )

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable summary (``talkkit ... --json``)."""
        return {
            "total": self.total,
            "done": self.done,
            "skipped": self.skipped,
            "failed": self.failed,
            "unknown": self.unknown,
            "not_sent": self.not_sent,
            "not_placed": self.not_placed,
            "from_journal": self.from_journal,
            "reconciled": self.reconciled,
            "requests_sent": self.sent,
            "statuses": dict(self.statuses),
            "talk_time_seconds": self.talk_time,
            "aborted": self.aborted,
            "failures": [f.to_dict() for f in self.failures],
            "failures_not_listed": self.failures_dropped,
        }


@attrs.frozen
class Prepared(Generic[P]):
    """
    An input item validated and ready to send.

    Attributes:
        key: Its stable key (the journal's and the in-input dedupe's).
        payload: What `BulkOperation.send` takes.
        resendable: The server dedupes this item by a natural key (a contact's email or
            phone), so an unclear failure may be followed by a re-send. ``False`` for items it
            cannot dedupe: they are never re-sent and duplicates in the input are skipped.
    """

    key: str
    payload: P
    resendable: bool = True


@attrs.frozen(kw_only=True)
class BulkOperation(Generic[P]):
    """
    One kind of bulk job, as the engine needs it.

    Attributes:
        name: Recorded in the journal, so one journal is never reused for another job.
        prepare: Validate one raw item and compute its key; raise `InvalidRequestError`
            (naming the field) for bad input, which fails the item without sending.
        send: Perform the request for a prepared item; return the created object's id.
        idempotent_by_key: The API answers 409 for an existing natural key, so re-sending
            after an unclear failure is safe and a 409 on our own re-send means done
            (contacts); a resumed run re-sends items an earlier run left pending or
            unknown. ``False`` (calls, companies): an unclear outcome stays unknown unless
            ``reconcile`` finds it.
        reconcile: For an unknown item, look up whether it happened (e.g. in call history)
            since ``since`` (Unix seconds, taken before the attempt); return the resource id
            when it did, ``None`` when it is not there. Looked up again at the end of the job
            once ``reconcile_grace`` has passed, a ``None`` ends the item ``not_placed``.
        scope: Parameters that must match to reuse a journal (team id, agent id...).
        preflight: Check the credentials and every parent the job names (its company, team,
            agent, campaign) before the first item, with as few requests as the API allows;
            raise `PreflightError` naming the setting. ``None``: nothing to check.
        stops_job: Whether an error answered to one item is about the whole job (a 404 for
            the job's agent or company rather than for this item's own data): the job stops
            and the items not yet processed end ``not_sent``. ``None``: every `NotFoundError`
            answered to a send stops the job (a create or a call cannot miss itself, only its
            parent). Refused credentials (401, 403) always stop it.
        follow: For a job that waits for its calls: of these resource ids (placed calls),
            the ones that have ended, with how (`CallEnd`); polled until every call ended.
        from_key: The raw item a journal key stands for (``phone:+1…`` → the number), so
            that a journal's unknown items can be reconciled without the input.
        starts_together: Asked when the job starts: whether ``send`` takes many items
            started in one event-loop turn at full speed (talkkit's aiohttp transport does).
            ``None`` or ``False``: the workers are handed one item per turn, which suits
            httpx's connection pool (it does work for every open connection on each request).
    """

    name: str
    prepare: Callable[[Any], Prepared[P]]
    send: Callable[[P], Awaitable[str | None]]
    idempotent_by_key: bool
    reconcile: Callable[[Prepared[P], float], Awaitable[str | None]] | None = None
    scope: Mapping[str, str] = attrs.field(factory=dict)
    preflight: Callable[[], Awaitable[None]] | None = None
    stops_job: Callable[[Prepared[P], TalkkitError], bool] | None = None
    follow: Callable[[Sequence[str]], Awaitable[Mapping[str, CallEnd]]] | None = None
    from_key: Callable[[str], Any] | None = None
    starts_together: Callable[[], bool] | None = None


class BulkAbortedError(TalkkitError):
    """A bulk job stopped early (a broken token): the summary says what was done."""
