"""CRM records: campaigns, contacts and companies (snake_case on the wire)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, ClassVar

import attrs

from talkkit.talkturo.types._base import TalkturoModel

__all__ = [
    "Campaign",
    "CampaignContactsAdded",
    "CampaignRun",
    "CampaignStatus",
    "Company",
    "Contact",
    "LeadStatus",
]


class CampaignStatus(enum.StrEnum):
    """Where a campaign is in its life."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class LeadStatus(enum.StrEnum):
    """The common lead statuses (the API accepts others too)."""

    NEW = "new"
    CONTACTED = "contacted"
    QUALIFIED = "qualified"
    UNQUALIFIED = "unqualified"
    CONVERTED = "converted"


@attrs.frozen(kw_only=True)
class Campaign(TalkturoModel):
    """An outbound calling campaign (``/api/crm/campaigns``)."""

    _envelope: ClassVar[str | None] = "campaign"
    _list_envelope: ClassVar[str | None] = "campaigns"

    id: str
    team_id: str | None = None
    assistant_id: str | None = None
    company_id: str | None = None
    name: str | None = None
    description: str | None = None
    status: CampaignStatus | str | None = None
    from_number: str | None = None
    call_window_start: str | None = None
    call_window_end: str | None = None
    call_window_timezone: str | None = None
    max_concurrent_calls: int | None = None
    total_contacts: int | None = None
    contacts_called: int | None = None
    contacts_completed: int | None = None
    contacts_answered: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class CampaignRun(TalkturoModel):
    """
    What starting or stopping a campaign answered (inferred: ``{"status": "running"}``).

    ``campaign`` is set when the server also returns the campaign.
    """

    status: CampaignStatus | str | None = None
    campaign: Campaign | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class CampaignContactsAdded(TalkturoModel):
    """What adding contacts to a campaign answered (inferred; every field may be absent)."""

    added: int | None = None
    skipped: int | None = None
    campaign: Campaign | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class Contact(TalkturoModel):
    """
    A CRM contact (``/api/crm/contacts``).

    Response names are inferred snake_case mirrors of the documented request fields.
    """

    _envelope: ClassVar[str | None] = "contact"
    _list_envelope: ClassVar[str | None] = "contacts"

    id: str
    team_id: str | None = None
    company_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    phone_secondary: str | None = None
    job_title: str | None = None
    lead_status: LeadStatus | str | None = None
    source: str | None = None
    timezone: str | None = None
    preferred_contact_method: str | None = None
    do_not_call: bool | None = None
    notes: str | None = None
    custom_fields: dict[str, Any] = attrs.field(factory=dict)
    tags: list[str] = attrs.field(factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class Company(TalkturoModel):
    """
    A CRM company (``/api/crm/companies``).

    Names beyond ``id``/``team_id`` are inferred; ``contact_count`` is the emulator's name for
    the documented "number of linked contacts".
    """

    _envelope: ClassVar[str | None] = "company"
    _list_envelope: ClassVar[str | None] = "companies"

    id: str
    team_id: str | None = None
    name: str | None = None
    website: str | None = None
    industry: str | None = None
    company_size: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    phone: str | None = None
    notes: str | None = None
    custom_fields: dict[str, Any] = attrs.field(factory=dict)
    contact_count: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)
