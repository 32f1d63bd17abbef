"""
A contact import from a CSV file, streaming each row's outcome, with a resume journal — the
same job as ``talkkit contacts import``, written with the SDK. Runs against the emulator:

    python examples/import_contacts.py examples/contacts.csv
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import anyio

from talkkit import AsyncTalkturo
from talkkit.bulk import Outcome, read_csv
from talkkit.emulator import TALKTURO_TEAM_ID, TALKTURO_TOKEN
from talkkit.testing import running_emulator


async def main(path: str, url: str) -> None:
    rows = read_csv(path)  # reads only the header now; rows are streamed during the job
    async with AsyncTalkturo(TALKTURO_TOKEN, base_url=url, team_id=TALKTURO_TEAM_ID) as turo:
        company = await turo.companies.create(name="Example Co")
        journal = Path(tempfile.mkdtemp()) / "contacts.db"  # re-run with it to resume
        job = turo.contacts.import_many(rows, company_id=company.id, journal=journal)
        async with job.stream() as outcomes:
            async for item in outcomes:
                detail = item.resource_id if item.outcome is Outcome.DONE else item.message
                print(f"row {item.index + 1:>3} {item.outcome:<8} {item.key:<28} {detail}")
        print(job.summary.to_dict() | {"failures": len(job.summary.failures)})


if __name__ == "__main__":
    csv_path = sys.argv[1] if len(sys.argv) > 1 else "examples/contacts.csv"
    with running_emulator() as served:
        anyio.run(main, csv_path, served.talkturo_url)
