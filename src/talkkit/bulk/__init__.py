"""
Bulk jobs: many creates or calls, concurrently, under the rate limit, with nothing lost or
done twice.

Every input item ends with exactly one `ItemOutcome` — ``done``, ``skipped``, ``failed``,
``unknown``, ``not_sent`` (the job stopped first) or ``not_placed`` (an unclear call the history
did not show after a grace period) — streamed as it happens and counted in a `BulkSummary`
whose counts add up to the input. A preflight checks the job's credentials and parents before
the first item; an error about the whole job (refused credentials, its parent not found, a
storm of server failures) stops it early. With a journal (a SQLite file), a re-run resumes:
finished items are not sent again; items a killed run may have sent, or left unknown, are
handled by the operation's idempotency rule (re-sent when the API dedupes them by natural key,
otherwise looked up, never re-sent). With a Redis journal (`RedisJournal`), one job is shared
by any number of processes and hosts: rows are claimed under renewed leases, and the same
never-twice rules hold across them. A dial job can wait for its calls to end and report their
final statuses and talk time, from its polls of the call history and, as they happen, from the
ends pushed into a `CallEnds` feed (webhooks).

Ready-made jobs: ``AsyncTalkturo.contacts.import_many``, ``AsyncTalkturo.companies.import_many``,
``AsyncTalkturo.campaigns.dial``, ``AsyncTalkover.calls.dial_many``. Each platform builds its
own `BulkOperation` from these generic pieces (this package knows no platform); a row's cells
become values with `row_values` and are checked by the create or call method's own fields.
"""

from __future__ import annotations

from talkkit.bulk._engine import BulkJob
from talkkit.bulk._feed import FED_POLL_INTERVAL, POLL_INTERVAL, CallEnds
from talkkit.bulk._journal import Journal, JournalEntry
from talkkit.bulk._rows import parse_bool, row_values
from talkkit.bulk._shared import JobStatus, JournalLostError, RedisJournal
from talkkit.bulk._sources import CUSTOM_PREFIX, CsvSource, RejectedRow, read_csv
from talkkit.bulk._types import (
    BulkAbortedError,
    BulkOperation,
    BulkSummary,
    CallEnd,
    Failure,
    ItemOutcome,
    Outcome,
    Prepared,
)

__all__ = [
    "CUSTOM_PREFIX",
    "FED_POLL_INTERVAL",
    "POLL_INTERVAL",
    "BulkAbortedError",
    "BulkJob",
    "BulkOperation",
    "BulkSummary",
    "CallEnd",
    "CallEnds",
    "CsvSource",
    "Failure",
    "ItemOutcome",
    "JobStatus",
    "Journal",
    "JournalEntry",
    "JournalLostError",
    "Outcome",
    "Prepared",
    "RedisJournal",
    "RejectedRow",
    "parse_bool",
    "read_csv",
    "row_values",
]
