"""
Bulk jobs: many creates or calls, concurrently, under the rate limit, with nothing lost or
done twice.

Every input item ends with exactly one `ItemOutcome` — ``done``, ``skipped``, ``failed`` or
``unknown`` — streamed as it happens and counted in a `BulkSummary` whose counts add up to the
input. With a journal (a SQLite file), a re-run resumes: finished items are not sent again;
items a killed run may have sent, or left unknown, are handled by the operation's idempotency
rule (re-sent when the API dedupes them by natural key, otherwise looked up, never re-sent).

Ready-made jobs: ``AsyncTalkturo.contacts.import_many``, ``AsyncTalkturo.companies.import_many``,
``AsyncTalkover.calls.dial_many``.
"""

from __future__ import annotations

from talkkit.bulk._campaign import CampaignDial
from talkkit.bulk._engine import BulkJob
from talkkit.bulk._journal import Journal, JournalEntry
from talkkit.bulk._sources import CsvSource, RejectedRow, read_csv
from talkkit.bulk._types import (
    BulkAbortedError,
    BulkOperation,
    BulkSummary,
    Failure,
    ItemOutcome,
    Outcome,
    Prepared,
)

__all__ = [
    "BulkAbortedError",
    "BulkJob",
    "BulkOperation",
    "BulkSummary",
    "CampaignDial",
    "CsvSource",
    "Failure",
    "ItemOutcome",
    "Journal",
    "JournalEntry",
    "Outcome",
    "Prepared",
    "RejectedRow",
    "read_csv",
]
