"""Campaign records: the campaign, its stats, files and queued calls."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import attrs

from talkkit.talkover.types._base import TalkoverModel
from talkkit.talkover.types._common import AgentSummary

__all__ = [
    "CallTimeRange",
    "Campaign",
    "CampaignCall",
    "CampaignCallResult",
    "CampaignFile",
    "CampaignStats",
    "CampaignStatus",
    "CampaignType",
]


class CampaignStatus(enum.StrEnum):
    """
    A campaign's lifecycle: draft → active, cancelled; active → paused, completed,
    cancelled; paused → active, completed, cancelled; completed and cancelled are final.
    """

    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class CampaignType(enum.StrEnum):
    """What a campaign is for."""

    SALES = "sales"
    FOLLOW_UP = "follow_up"
    REMINDER = "reminder"
    CUSTOM = "custom"


@attrs.frozen
class CallTimeRange(TalkoverModel):
    """A daily calling window, ``HH:MM`` to ``HH:MM``."""

    start: str
    end: str
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class CampaignStats(TalkoverModel):
    """Call counters of a campaign."""

    total_calls: int | None = None
    completed_calls: int | None = None
    failed_calls: int | None = None
    success_rate: float | None = None
    average_duration: float | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class CampaignFile(TalkoverModel):
    """An uploaded contact file of a campaign."""

    id: str
    original_filename: str | None = None
    processed_filename: str | None = None
    status: str | None = None
    total_records: int | None = None
    processed_records: int | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class CampaignCall(TalkoverModel):
    """A call queued in a campaign (``status`` starts as ``queued``)."""

    id: str
    campaign_id: str | None = None
    to: str | None = None
    status: str | None = None
    retries: int | None = None
    scheduled_at: datetime | None = None
    created_at: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class Campaign(TalkoverModel):
    """
    A calling campaign. `Campaigns.get` adds ``calls`` and ``files``; a status change
    returns only ``id``, ``status`` and ``updated_at``; a queued call returns ``id``,
    ``name`` and ``status``.
    """

    id: str
    name: str | None = None
    description: str | None = None
    status: CampaignStatus | str | None = None
    campaign_type: CampaignType | str | None = None
    agent_id: str | None = None
    agent: AgentSummary | None = None
    start_date: date | None = None
    end_date: date | None = None
    days_of_week: list[int] = attrs.field(factory=list)
    call_time_ranges: list[CallTimeRange] = attrs.field(factory=list)
    earliest_call_time: str | None = None
    latest_call_time: str | None = None
    timezone: str | None = None
    initial_call_delay: int | None = None
    max_retries: int | None = None
    retry_cooldown_hours: int | None = None
    enable_post_completion_cooldown: bool | None = None
    post_completion_cooldown_hours: int | None = None
    success_cooldown_hours: int | None = None
    voicemail_cooldown_hours: int | None = None
    no_answer_cooldown_hours: int | None = None
    busy_cooldown_hours: int | None = None
    failed_cooldown_hours: int | None = None
    do_not_call_enabled: bool | None = None
    do_not_call_list_source: str | None = None
    auto_add_to_dnc_enabled: bool | None = None
    auto_dnc_trigger_statuses: list[str] = attrs.field(factory=list)
    auto_dnc_trigger_errors: list[str] = attrs.field(factory=list)
    stats: CampaignStats | None = None
    calls: list[CampaignCall] = attrs.field(factory=list)
    files: list[CampaignFile] = attrs.field(factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen
class CampaignCallResult(TalkoverModel):
    """The answer to queueing a campaign call: the queued call and its campaign."""

    campaign_call: CampaignCall
    campaign: Campaign
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)
