"""
The fields of campaign requests (create-campaign, update-campaign), each declared once.

`Campaigns.create` and `Campaigns.update` take the same fields (every one optional on update),
so each is an alias here; ``Name | None`` is the optional form of the one required field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any

from talkkit._validate import hhmm, iana_timezone
from talkkit.errors import InvalidRequestError
from talkkit.talkover._fields import (
    Doc,
    Field,
    choice,
    day,
    flag,
    integer,
    integers,
    strings,
    text,
)
from talkkit.talkover.types import CallTimeRange, CampaignStatus, CampaignType

__all__ = [
    "AgentId",
    "AutoAddToDnc",
    "AutoDncTriggerErrors",
    "AutoDncTriggerStatuses",
    "CallTimeRanges",
    "Cooldown",
    "DaysOfWeek",
    "Description",
    "DoNotCallEnabled",
    "DoNotCallListSource",
    "EnablePostCompletionCooldown",
    "EndDate",
    "InitialCallDelay",
    "Kind",
    "KindFilter",
    "MaxRetries",
    "Name",
    "Search",
    "StartDate",
    "StatusCooldown",
    "StatusFilter",
    "TimeRange",
    "Timezone",
    "check_dates",
]

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
        start, end = hhmm(field, start), hhmm(field, end)
        if end <= start:
            raise InvalidRequestError(field, "each range must end after it starts", value=item)
        out.append({"start": start, "end": end})
    return out


def _timezone(field: str, value: Any) -> str:
    return iana_timezone(field, text(max_len=50)(field, value))


def check_dates(body: Mapping[str, Any]) -> None:
    """``end_date`` must come after ``start_date`` when both are sent."""
    start, end = body.get("start_date"), body.get("end_date")
    if start is not None and end is not None and end <= start:
        raise InvalidRequestError("end_date", "must be after start_date", value=end)


Name = Annotated[str, Doc("At most 255 characters."), Field(text(min_len=1, max_len=255))]
Description = Annotated[str | None, Doc("What the campaign is for."), Field(text())]
Kind = Annotated[
    CampaignType | str | None,
    Doc("``sales``, ``follow_up``, ``reminder`` or ``custom``."),
    Field(choice(CampaignType)),
]
AgentId = Annotated[str | None, Doc("The agent that places the calls."), Field(text(min_len=1))]

# Schedule.
StartDate = Annotated[
    date | str | None, Doc("First day (a `datetime.date` or ``YYYY-MM-DD``)."), Field(day)
]
EndDate = Annotated[date | str | None, Doc("Last day, after ``start_date``."), Field(day)]
DaysOfWeek = Annotated[
    Sequence[int] | None,
    Doc("1 = Monday … 7 = Sunday, at least one."),
    Field(integers(1, 7, min_items=1)),
]
CallTimeRanges = Annotated[
    Sequence[TimeRange] | None,
    Doc('Daily windows ``("09:00", "12:00")``, each ending after it starts.'),
    Field(_time_ranges),
]
Timezone = Annotated[str | None, Doc("IANA name, at most 50 characters."), Field(_timezone)]

# Retries and cooldowns.
InitialCallDelay = Annotated[
    int | None,
    Doc("Seconds before the first call (inferred request key)."),
    Field(integer(0)),  # INFERRED request key (the response's name)
]
MaxRetries = Annotated[int | None, Doc("0 to 10 (server default 3)."), Field(integer(0, 10))]
Cooldown = Annotated[int | None, Doc("Hours, 1 to 168."), Field(integer(1, 168))]
EnablePostCompletionCooldown = Annotated[
    bool | None, Doc("Apply ``post_completion_cooldown_hours``."), Field(flag)
]
# Per-status cooldowns: keys from the get response; the 1–168 range is INFERRED.
StatusCooldown = Annotated[
    Cooldown, Doc("Hours after a call that ended so, 1 to 168 (inferred range).")
]

# Do not call.
DoNotCallEnabled = Annotated[bool | None, Doc("Skip numbers on the do-not-call list."), Field(flag)]
DoNotCallListSource = Annotated[
    str | None,
    Doc("Which do-not-call list, at most 255 characters."),
    Field(text(min_len=1, max_len=255)),
]
AutoAddToDnc = Annotated[
    bool | None, Doc("Add numbers to the list on the trigger statuses or errors."), Field(flag)
]
AutoDncTriggerStatuses = Annotated[
    Sequence[str] | None, Doc("Call statuses that add a number to the list."), Field(strings())
]
AutoDncTriggerErrors = Annotated[
    Sequence[str] | None, Doc("Call errors that add a number to the list."), Field(strings())
]

# The list's query.
StatusFilter = Annotated[
    CampaignStatus | str | None,
    Doc("``draft``, ``active``, ``paused``, ``completed`` or ``cancelled``."),
    Field(choice(CampaignStatus), into="query"),
]
KindFilter = Annotated[Kind, Field(choice(CampaignType), into="query")]
"""`Kind` as a filter: the same type and doc, sent in the query."""
Search = Annotated[
    str | None, Doc("Matches name or description."), Field(text(min_len=1), into="query")
]
