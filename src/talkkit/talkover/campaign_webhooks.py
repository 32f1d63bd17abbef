"""Talkover campaign webhooks (``/campaigns/{campaign_id}/webhooks``)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit.talkover import _fields as f
from talkkit.talkover._webhook_fields import CAMPAIGN_WEBHOOK, REQUIRED
from talkkit.talkover.types import CampaignWebhook

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["CampaignWebhooks"]


def _path(campaign_id: str, webhook_id: str | None = None, tail: str = "") -> str:
    path = f"/campaigns/{f.path_id('campaign_id', campaign_id)}/webhooks"
    if webhook_id is not None:
        path += f"/{f.path_id('webhook_id', webhook_id)}{tail}"
    return path


class CampaignWebhooks(Resource):
    """
    Webhooks that receive a campaign's events (``campaign.started``, ``campaign.completed``,
    ``campaign_call.completed``, ``campaign_call.failed``: dot style, unlike agent events).
    """

    _client: AsyncTalkover

    async def list(self, campaign_id: str) -> builtins.list[CampaignWebhook]:
        """
        ``GET /campaigns/{campaign_id}/webhooks``: the campaign's webhooks.

        Inferred endpoint (and unpaginated shape): the reference shows no list page.
        """
        return await self._client.request_model(
            "GET", _path(campaign_id), builtins.list[CampaignWebhook]
        )

    async def create(
        self,
        campaign_id: str,
        *,
        name: str,
        webhook_url: str,
        events: Sequence[str],
        include_call_events: bool | None = None,
        event_templates: Mapping[str, object] | None = None,
        webhook_secret: str | None = None,
        timeout: int | None = None,
        max_retries: int | None = None,
        enabled: bool | None = None,
        http_method: str | None = None,
        authorization_scheme: str | None = None,
        custom_headers: Mapping[str, str] | None = None,
    ) -> CampaignWebhook:
        """
        ``POST /campaigns/{campaign_id}/webhooks``: subscribe ``webhook_url`` to ``events``.

        Unsafe: never re-sent after it may have reached the server. On an unclear failure
        (`OutcomeUnknownError`) check `list` before creating it again.

        Args:
            include_call_events: Also deliver the campaign's per-call events.
            event_templates: Per-event payload templates (inferred key).

        The other arguments are as for `AgentWebhooks.create`.
        """
        body = f.build(CAMPAIGN_WEBHOOK, locals(), required=REQUIRED)
        return await self._client.request_model(
            "POST", _path(campaign_id), CampaignWebhook, json=body, safety=Safety.UNSAFE
        )

    async def get(self, campaign_id: str, webhook_id: str) -> CampaignWebhook:
        """``GET /campaigns/{campaign_id}/webhooks/{webhook_id}``."""
        return await self._client.request_model(
            "GET", _path(campaign_id, webhook_id), CampaignWebhook
        )

    async def update(
        self,
        campaign_id: str,
        webhook_id: str,
        *,
        name: str | None = None,
        webhook_url: str | None = None,
        events: Sequence[str] | None = None,
        include_call_events: bool | None = None,
        event_templates: Mapping[str, object] | None = None,
        webhook_secret: str | None = None,
        timeout: int | None = None,
        max_retries: int | None = None,
        enabled: bool | None = None,
        http_method: str | None = None,
        authorization_scheme: str | None = None,
        custom_headers: Mapping[str, str] | None = None,
    ) -> CampaignWebhook:
        """
        ``PUT /campaigns/{campaign_id}/webhooks/{webhook_id}``: change the fields given
        (``None`` leaves a field unchanged). Idempotent; ``enabled=`` sets the state
        safely, where `toggle` flips it.
        """
        body = f.build(CAMPAIGN_WEBHOOK, locals())
        path = _path(campaign_id, webhook_id)
        return await self._client.request_model(
            "PUT", path, CampaignWebhook, json=body, safety=Safety.IDEMPOTENT
        )

    async def delete(self, campaign_id: str, webhook_id: str) -> None:
        """
        ``DELETE /campaigns/{campaign_id}/webhooks/{webhook_id}``. Idempotent.

        Inferred endpoint: the reference shows no delete page for campaign webhooks.
        """
        await self._client.request_json(
            "DELETE", _path(campaign_id, webhook_id), safety=Safety.IDEMPOTENT
        )

    async def toggle(self, campaign_id: str, webhook_id: str) -> CampaignWebhook:
        """
        ``PATCH /campaigns/{campaign_id}/webhooks/{webhook_id}/toggle``: flip ``enabled``;
        returns only ``id`` and ``enabled``.

        Unsafe: a flip sent twice undoes itself, so it is never re-sent after it may have
        reached the server; on an unclear failure (`OutcomeUnknownError`) `get` the webhook.
        Prefer ``update(..., enabled=...)``, which is idempotent.
        """
        path = _path(campaign_id, webhook_id, "/toggle")
        return await self._client.request_model(
            "PATCH", path, CampaignWebhook, safety=Safety.UNSAFE
        )

    async def test(self, campaign_id: str, webhook_id: str) -> None:
        """
        ``POST /campaigns/{campaign_id}/webhooks/{webhook_id}/test``: dispatch a test
        payload to your URL (the API only acknowledges it).

        Unsafe: on an unclear failure (`OutcomeUnknownError`) your endpoint may have received
        the test delivery; it is not re-sent.
        """
        path = _path(campaign_id, webhook_id, "/test")
        await self._client.request_json("POST", path, safety=Safety.UNSAFE)
