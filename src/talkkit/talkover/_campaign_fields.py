"""The write rules of campaign requests (create-campaign, update-campaign, campaign calls)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from talkkit import _validate
from talkkit.errors import InvalidRequestError
from talkkit.talkover import _fields as f
from talkkit.talkover.types import CallTimeRange, CampaignStatus, CampaignType

__all__ = ["CALL", "CAMPAIGN", "FILTERS", "TimeRange", "check_dates"]

TimeRange = CallTimeRange | tuple[str, str] | Mapping[str, str]
"""A daily calling window: ``CallTimeRange("09:00", "12:00")``, a tuple or a mapping."""


def _time_ranges(field: str, value: Any) -> list[dict[str, str]]:
    if isinstance(value, str | Mapping) or not isinstance(value, Sequence) or not value:
        raise InvalidRequestError(field, "must be a non-empty list of (start, end)", value=value)
    out = []
    for item in value:
        start: Any
        end: Any
        if isinstance(item, CallTimeRange):
            start, end = item.start, item.end
        elif isinstance(item, Mapping):
            start, end = item.get("start"), item.get("end")
        elif isinstance(item, tuple) and len(item) == 2:
            start, end = item
        else:
            raise InvalidRequestError(field, "each range is (start, end) as HH:MM", value=item)
        start, end = _validate.hhmm(field, start), _validate.hhmm(field, end)
        if end <= start:
            raise InvalidRequestError(field, "each range must end after it starts", value=item)
        out.append({"start": start, "end": end})
    return out


def _timezone(field: str, value: Any) -> str:
    return _validate.iana_timezone(field, f.text(max_len=50)(field, value))


_HOURS = f.integer(1, 168)

CAMPAIGN: dict[str, f.Check] = {
    "name": f.text(min_len=1, max_len=255),
    "description": f.text(),
    "campaign_type": f.choice(CampaignType),
    "agent_id": f.text(min_len=1),
    "start_date": f.day,
    "end_date": f.day,
    "days_of_week": f.integers(1, 7, min_items=1),
    "call_time_ranges": _time_ranges,
    "timezone": _timezone,
    "initial_call_delay": f.integer(0),  # INFERRED request key (the response's name)
    "max_retries": f.integer(0, 10),
    "retry_cooldown_hours": _HOURS,
    "enable_post_completion_cooldown": f.flag,
    "post_completion_cooldown_hours": _HOURS,
    # Per-status cooldowns: keys from the get response; the 1–168 range is INFERRED.
    "success_cooldown_hours": _HOURS,
    "voicemail_cooldown_hours": _HOURS,
    "no_answer_cooldown_hours": _HOURS,
    "busy_cooldown_hours": _HOURS,
    "failed_cooldown_hours": _HOURS,
    "do_not_call_enabled": f.flag,
    "do_not_call_list_source": f.text(min_len=1, max_len=255),
    "auto_add_to_dnc_enabled": f.flag,
    "auto_dnc_trigger_statuses": f.strings(),
    "auto_dnc_trigger_errors": f.strings(),
}
"""``POST /campaigns`` and (every field optional) ``PUT /campaigns/{id}``."""

FILTERS: dict[str, f.Check] = {
    "status": f.choice(CampaignStatus),
    "campaign_type": f.choice(CampaignType),
    "agent_id": f.text(min_len=1),
    "date_from": f.day,
    "date_to": f.day,
    "search": f.text(min_len=1),
}
"""``GET /campaigns`` query."""

CALL: dict[str, f.Check] = {
    "to": f.phone,
    "payload": f.mapping,
    "context": f.mapping,
    "is_testing": f.flag,
    "allow_duplicates": f.flag,
}
"""``POST /campaigns/{id}/call``."""


def check_dates(body: Mapping[str, Any]) -> None:
    """``end_date`` must come after ``start_date`` when both are sent."""
    start, end = body.get("start_date"), body.get("end_date")
    if start is not None and end is not None and end <= start:
        raise InvalidRequestError("end_date", "must be after start_date", value=end)
