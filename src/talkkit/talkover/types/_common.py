"""Records and enums shared by several Talkover resources."""

from __future__ import annotations

import enum
from typing import Any

import attrs

from talkkit.talkover.types._base import TalkoverModel

__all__ = ["ActiveStatus", "AgentSummary", "CustomHeader", "Direction"]


class Direction(enum.StrEnum):
    """Whether an agent (or a call) takes or makes calls."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class ActiveStatus(enum.StrEnum):
    """``current_status`` of trainings and actions."""

    ACTIVE = "active"
    INACTIVE = "inactive"


@attrs.frozen
class AgentSummary(TalkoverModel):
    """The short agent form nested in calls, campaigns and phone numbers."""

    id: str
    name: str | None = None
    label: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen
class CustomHeader(TalkoverModel):
    """One custom header of a webhook or action (``{"key", "value"}`` on the wire)."""

    key: str
    value: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)
