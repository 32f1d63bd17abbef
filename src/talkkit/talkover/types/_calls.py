"""Call records: the call history and a call just placed."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from talkkit.talkover.types._base import TalkoverModel
from talkkit.talkover.types._common import AgentSummary, Direction

__all__ = ["Call", "CallStatus", "PlacedCall"]


class CallStatus(enum.StrEnum):
    """Where a call is (note the hyphen in ``no-answer``)."""

    INITIATED = "initiated"
    RINGING = "ringing"
    ANSWERED = "answered"
    COMPLETED = "completed"
    FAILED = "failed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"


@attrs.frozen(kw_only=True)
class PlacedCall(TalkoverModel):
    """The answer to placing an agent call: the new call's id and first status."""

    id: str
    agent_id: str | None = None
    to: str | None = None
    status: CallStatus | str | None = None
    created_at: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class Call(TalkoverModel):
    """
    One call of the history. ``from_`` is the wire key ``from``; ``duration`` is in seconds
    (the unit is inferred). An agent's own call list leaves ``agent`` out.
    """

    id: str
    sid: str | None = None
    to: str | None = None
    to_formatted: str | None = None
    from_: str | None = None
    from_formatted: str | None = None
    is_testing: bool | None = None
    direction: Direction | str | None = None
    status: CallStatus | str | None = None
    duration: int | None = None
    agent: AgentSummary | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)
