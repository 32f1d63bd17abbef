"""
Agent and campaign webhooks: one resource, parametrised by its owner.

The two differ only in the owner (``/agents/{agent_id}`` or ``/campaigns/{campaign_id}``), the
record types and two campaign-only fields. The fields, the paths and the request of a webhook
record are here, once; each owner keeps a thin subclass (`AgentWebhooks`, `CampaignWebhooks`)
for its public signatures, because a signature cannot take the name of its owner's id
parameter (``agent_id``, ``campaign_id``) from a type argument.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, ClassVar, Generic, TypeVar

from talkkit._options import ExtraOptions
from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit.talkover._fields import (
    Doc,
    Field,
    choice,
    flag,
    integer,
    mapping,
    path_id,
    strings,
    text,
    url,
)

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = [
    "Enabled",
    "EventTemplates",
    "Events",
    "HttpMethod",
    "IncludeCallEvents",
    "MaxRetries",
    "Name",
    "Secret",
    "Timeout",
    "Url",
    "Webhooks",
]

W = TypeVar("W")
"""The owner's webhook record."""

Name = Annotated[str, Doc("At most 255 characters."), Field(text(min_len=1, max_len=255))]
Url = Annotated[str, Doc("``http(s)://``, at most 500 characters."), Field(url(max_len=500))]
Events = Annotated[
    Sequence[str],
    Doc(
        "At least one event name: an agent's from its list's ``available_events``, a"
        " campaign's such as ``campaign.started``."
    ),
    # Not checked against the known names: the documented list is truncated.
    Field(strings(min_items=1)),
]
Secret = Annotated[
    str | None,
    Doc("Signs each delivery (HMAC-SHA256); write-only."),
    Field(text(min_len=1, max_len=255)),
]
Timeout = Annotated[
    int | None, Doc("5 to 120 seconds (server default 30)."), Field(integer(5, 120))
]
MaxRetries = Annotated[int | None, Doc("0 to 10 (server default 3)."), Field(integer(0, 10))]
Enabled = Annotated[bool | None, Doc("Server default true."), Field(flag)]
HttpMethod = Annotated[
    str | None,
    Doc("``POST`` (default), ``PUT`` or ``PATCH``."),
    Field(choice(("POST", "PUT", "PATCH"))),
]

# Campaign webhooks only.
IncludeCallEvents = Annotated[
    bool | None, Doc("Also deliver the campaign's per-call events."), Field(flag)
]
EventTemplates = Annotated[
    Mapping[str, object] | None,
    Doc("Per-event payload templates (inferred key)."),
    Field(mapping),  # INFERRED name of the per-event template overrides
]


class Webhooks(Resource, Generic[W]):
    """
    Webhooks of one kind of owner; a subclass names the owner and its record type.

    Attributes:
        _owner: The owner's path segment and id parameter, ``("agents", "agent_id")``.
        _record: The webhook record (`AgentWebhook`, `CampaignWebhook`).
    """

    _client: AsyncTalkover
    _owner: ClassVar[tuple[str, str]]
    _record: type[W]

    def _path(self, owner_id: str, webhook_id: str | None = None, tail: str = "") -> str:
        segment, owner_param = self._owner
        path = f"/{segment}/{path_id(owner_param, owner_id)}/webhooks"
        if webhook_id is not None:
            path += f"/{path_id('webhook_id', webhook_id)}{tail}"
        return path

    async def _webhook(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        safety: Safety | None = None,
        options: ExtraOptions,
    ) -> W:
        return await self._client.request_model(
            method, path, self._record, json=json, safety=safety, options=options
        )
