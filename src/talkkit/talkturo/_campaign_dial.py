"""
The Talkturo campaign-dialing path: import contacts, put them on a campaign's call list, start it.

Built from safe pieces: the contact import (resumable, never twice), then the call list is
compared with what should be on it and only the missing contacts are added — so an unclear
"add" is checked, never blindly repeated — and the start is sent once and, if its answer is
lost, confirmed by reading the campaign's status. Its preflight reads the campaign, then does
the import's (token, team, company).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from talkkit._preflight import check_setting
from talkkit.bulk import BulkJob, BulkSummary, Outcome, RedisJournal
from talkkit.errors import OutcomeUnknownError, PreflightError
from talkkit.talkturo._bulk import contacts_operation
from talkkit.talkturo.types import CampaignRun, CampaignStatus

if TYPE_CHECKING:
    from talkkit._options import RequestOptions
    from talkkit.talkturo._client import AsyncTalkturo

__all__ = ["CampaignDial", "import_into_campaign"]

ADD_BATCH = 200  # contact ids per "add to campaign" request


@attrs.frozen(kw_only=True)
class CampaignDial:
    """
    What `Campaigns.dial` did.

    Attributes:
        imported: The contact import's summary (one outcome per row).
        on_call_list: Contacts of the input now on the campaign's call list.
        added: Of those, how many this run added (the rest were on it already).
        started: The start's answer, or ``None`` when not asked to start, with nothing to
            call, or when the import stopped early (``imported.aborted`` says why).
    """

    imported: BulkSummary
    on_call_list: int
    added: int
    started: CampaignRun | None


async def import_into_campaign(
    client: AsyncTalkturo,
    campaign_id: str,
    rows: Iterable[Mapping[str, object]] | AsyncIterable[Mapping[str, object]],
    *,
    company_id: str | None,
    team_id: str | None,
    concurrency: int,
    journal: str | Path | RedisJournal | None,
    start: bool,
    on_progress: Callable[[BulkSummary], object] | None,
    preflight: bool,
    options: RequestOptions,
) -> CampaignDial:
    """
    Import ``rows``, add every imported or existing contact to the campaign, start it.

    Raises:
        PreflightError: With ``preflight``, the campaign, the token, the team or the company
            did not check out; nothing was sent.
    """
    ids: list[str] = []
    to_find: list[str] = []  # natural keys of contacts that exist but whose id we lack
    contacts = contacts_operation(client, team_id=team_id, company_id=company_id, options=options)
    import_preflight = contacts.preflight

    async def check() -> None:
        campaign = await check_setting(
            "campaign_id", campaign_id, client.campaigns.get(campaign_id, **options)
        )
        if campaign.deleted_at is not None:
            raise PreflightError("campaign_id", "was deleted", value=campaign_id)
        if import_preflight is not None:
            await import_preflight()

    job = BulkJob(
        rows,
        attrs.evolve(contacts, preflight=check),
        concurrency=concurrency,
        journal=journal,
        on_progress=on_progress,
        preflight=preflight,
    )
    async with job.stream() as outcomes:
        async for outcome in outcomes:
            if outcome.outcome is Outcome.DONE and outcome.resource_id:
                ids.append(outcome.resource_id)
            elif (
                outcome.outcome in (Outcome.DONE, Outcome.SKIPPED)
                and outcome.code != "duplicate_in_input"
            ):
                to_find.append(outcome.key)
    for key in to_find:
        found = await _find_contact(client, key, team_id, options)
        if found is not None:
            ids.append(found)
    wanted = list(dict.fromkeys(ids))
    added = await _add_missing(client, campaign_id, wanted, options)
    # An import stopped on a job-level error leaves rows not sent: starting would dial a partial
    # list, and the re-run that sends the rest could not start the campaign again.
    stopped = job.summary.aborted is not None
    started = (
        await _start(client, campaign_id, options) if start and wanted and not stopped else None
    )
    return CampaignDial(
        imported=job.summary, on_call_list=len(wanted), added=added, started=started
    )


async def _find_contact(
    client: AsyncTalkturo, key: str, team_id: str | None, options: RequestOptions
) -> str | None:
    kind, _, value = key.partition(":")
    if kind not in ("email", "phone"):
        return None
    found = client.contacts.list(team_id=team_id, search=value, max_items=20, **options)
    async for contact in found:
        if (kind == "email" and (contact.email or "").lower() == value) or contact.phone == value:
            return contact.id
    return None


async def _on_call_list(
    client: AsyncTalkturo, campaign_id: str, options: RequestOptions
) -> set[str]:
    listed = client.campaigns.list_contacts(campaign_id, limit=100, **options)
    return {contact.id async for contact in listed}


async def _add_missing(
    client: AsyncTalkturo, campaign_id: str, wanted: list[str], options: RequestOptions
) -> int:
    present = await _on_call_list(client, campaign_id, options)
    missing = [i for i in wanted if i not in present]
    for start in range(0, len(missing), ADD_BATCH):
        batch = missing[start : start + ADD_BATCH]
        try:
            await client.campaigns.add_contacts(campaign_id, batch, **options)
        except OutcomeUnknownError:
            # Lost answer: add only what did not make it, once (a second loss is raised).
            present = await _on_call_list(client, campaign_id, options)
            rest = [i for i in batch if i not in present]
            if rest:
                await client.campaigns.add_contacts(campaign_id, rest, **options)
    return len(missing)


async def _start(client: AsyncTalkturo, campaign_id: str, options: RequestOptions) -> CampaignRun:
    try:
        return await client.campaigns.start(campaign_id, **options)
    except OutcomeUnknownError:
        campaign = await client.campaigns.get(
            campaign_id, **options
        )  # did the lost start go through?
        if campaign.status == CampaignStatus.RUNNING:
            return CampaignRun(status=campaign.status, campaign=campaign)
        raise
