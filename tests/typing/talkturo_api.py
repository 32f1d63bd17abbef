"""The Talkturo API as users write it: type-checked by mypy --strict, never executed."""

from __future__ import annotations

from datetime import datetime

import talkkit
from talkkit import AsyncPaginator, AsyncTalkturo, Page
from talkkit.talkturo import (
    Assistant,
    AssistantTemplate,
    AvailableNumber,
    CallHangup,
    Campaign,
    CampaignRun,
    CampaignStatus,
    Company,
    Contact,
    LLMProvider,
    PhoneNumber,
    WebhookEvent,
    WebhookSignatureError,
)
from talkkit.talkturo.webhooks import sign


async def usage(body: bytes, headers: dict[str, str]) -> None:
    async with AsyncTalkturo(
        "tk_test_x", base_url="https://acme.example/api", account_slug="acme", team_id="team_1"
    ) as talkturo:
        assistant: Assistant = await talkturo.assistants.create(
            "Sam", template=AssistantTemplate.OUTBOUND_SETTER
        )
        assistant = await talkturo.assistants.update(
            assistant.id, provider=LLMProvider.ANTHROPIC, temperature=0.3, inbound_enabled=True
        )
        found: list[AvailableNumber] = await talkturo.phone_numbers.search("US", area_code="415")
        price: str | None = found[0].monthly_price
        number: PhoneNumber = await talkturo.phone_numbers.purchase(found[0].phone_number)
        await talkturo.assistants.assign_phone_numbers(assistant.id, [number.id])

        company: Company = await talkturo.companies.create("Acme", custom_fields={"tier": 1})
        contact: Contact = await talkturo.contacts.create(
            "Ada", "Lovelace", company_id=company.id, phone="+12025550143", tags=["vip"]
        )
        campaign: Campaign = await talkturo.campaigns.create(
            "Q3", assistant_id=assistant.id, call_window_start="09:00"
        )
        await talkturo.campaigns.add_contacts(campaign.id, [contact.id])
        run: CampaignRun = await talkturo.campaigns.start(campaign.id)
        status: CampaignStatus | str | None = run.status
        await talkturo.campaigns.delete(campaign.id)

        listing: AsyncPaginator[Campaign] = talkturo.campaigns.list(status=CampaignStatus.RUNNING)
        async for item in listing:
            created: datetime | None = item.created_at
        page: Page[Contact] = await talkturo.contacts.list(search="ada").first_page()
        by_account: list[Contact] = await talkturo.contacts.list(account_slug="acme").to_list()
        everyone: list[Company] = await talkturo.companies.list(account_slug="acme").to_list()

        other_team = talkturo.with_options(team_id="team_2", max_retries=0)
        await other_team.phone_numbers.list().to_list()

        try:
            event: WebhookEvent = talkturo.webhooks.parse(body, headers, secret="whsec")
        except WebhookSignatureError:
            return
        if isinstance(event, CallHangup):
            cause: str | None = event.hangup_cause
            caller: str | None = event.from_
        signed: dict[str, str] = sign(body, "whsec", timestamp=1.0)
    try:
        pass
    except talkkit.InvalidRequestError as exc:
        field: str = exc.field
    except talkkit.PaginationError as exc:
        position: object = exc.position
        where: str = exc.path
    del price, status, created, page, everyone, cause, caller, signed, field, by_account
    del position, where
