"""Talkover campaign webhooks (``/campaigns/{campaign_id}/webhooks``)."""

from __future__ import annotations

import builtins
from typing import Unpack

from talkkit._options import (
    ExtraOptions,
    RequestOptions,
    UnsafeExtraOptions,
    UnsafeRequestOptions,
)
from talkkit._request import Safety
from talkkit.talkover import _fields as f
from talkkit.talkover import _webhooks as w
from talkkit.talkover.types import CampaignWebhook

__all__ = ["CampaignWebhooks"]


class CampaignWebhooks(w.Webhooks[CampaignWebhook]):
    """
    Webhooks that receive a campaign's events (``campaign.started``, ``campaign.completed``,
    ``campaign_call.completed``, ``campaign_call.failed``: dot style, unlike agent events).
    """

    _owner = ("campaigns", "campaign_id")
    _record = CampaignWebhook

    async def list(
        self, campaign_id: str, **options: Unpack[RequestOptions]
    ) -> builtins.list[CampaignWebhook]:
        """
        ``GET /campaigns/{campaign_id}/webhooks``: the campaign's webhooks.

        Inferred endpoint (and unpaginated shape): the reference shows no list page.
        """
        return await self._client.request_model(
            "GET", self._path(campaign_id), builtins.list[CampaignWebhook], options=options
        )

    async def create(
        self,
        campaign_id: str,
        *,
        name: w.Name,
        webhook_url: w.Url,
        events: w.Events,
        include_call_events: w.IncludeCallEvents = None,
        event_templates: w.EventTemplates = None,
        webhook_secret: w.Secret = None,
        timeout: w.Timeout = None,
        max_retries: w.MaxRetries = None,
        enabled: w.Enabled = None,
        http_method: w.HttpMethod = None,
        authorization_scheme: f.AuthorizationScheme = None,
        custom_headers: f.CustomHeaders = None,
        **options: Unpack[UnsafeExtraOptions],
    ) -> CampaignWebhook:
        """
        ``POST /campaigns/{campaign_id}/webhooks``: subscribe ``webhook_url`` to ``events``.

        Unsafe: never re-sent after it may have reached the server. On an unclear failure
        (`OutcomeUnknownError`) check `list` before creating it again.
        """
        body = self._client.fields(CampaignWebhooks.create, locals())
        path = self._path(campaign_id)
        return await self._webhook("POST", path, json=body, safety=Safety.UNSAFE, options=options)

    async def get(
        self, campaign_id: str, webhook_id: str, **options: Unpack[RequestOptions]
    ) -> CampaignWebhook:
        """``GET /campaigns/{campaign_id}/webhooks/{webhook_id}``."""
        return await self._webhook("GET", self._path(campaign_id, webhook_id), options=options)

    async def update(
        self,
        campaign_id: str,
        webhook_id: str,
        *,
        name: w.Name | None = None,
        webhook_url: w.Url | None = None,
        events: w.Events | None = None,
        include_call_events: w.IncludeCallEvents = None,
        event_templates: w.EventTemplates = None,
        webhook_secret: w.Secret = None,
        timeout: w.Timeout = None,
        max_retries: w.MaxRetries = None,
        enabled: w.Enabled = None,
        http_method: w.HttpMethod = None,
        authorization_scheme: f.AuthorizationScheme = None,
        custom_headers: f.CustomHeaders = None,
        **options: Unpack[ExtraOptions],
    ) -> CampaignWebhook:
        """
        ``PUT /campaigns/{campaign_id}/webhooks/{webhook_id}``: change the fields given
        (``None`` leaves a field unchanged). Idempotent; ``enabled=`` sets the state
        safely, where `toggle` flips it.
        """
        body = self._client.fields(CampaignWebhooks.update, locals())
        path = self._path(campaign_id, webhook_id)
        return await self._webhook(
            "PUT", path, json=body, safety=Safety.IDEMPOTENT, options=options
        )

    async def delete(
        self, campaign_id: str, webhook_id: str, **options: Unpack[RequestOptions]
    ) -> None:
        """
        ``DELETE /campaigns/{campaign_id}/webhooks/{webhook_id}``. Idempotent.

        Inferred endpoint: the reference shows no delete page for campaign webhooks.
        """
        path = self._path(campaign_id, webhook_id)
        await self._client.request_json("DELETE", path, safety=Safety.IDEMPOTENT, options=options)

    async def toggle(
        self, campaign_id: str, webhook_id: str, **options: Unpack[UnsafeRequestOptions]
    ) -> CampaignWebhook:
        """
        ``PATCH /campaigns/{campaign_id}/webhooks/{webhook_id}/toggle``: flip ``enabled``;
        returns only ``id`` and ``enabled``.

        Unsafe: a flip sent twice undoes itself, so it is never re-sent after it may have
        reached the server; on an unclear failure (`OutcomeUnknownError`) `get` the webhook.
        Prefer ``update(..., enabled=...)``, which is idempotent.
        """
        path = self._path(campaign_id, webhook_id, "/toggle")
        return await self._webhook("PATCH", path, safety=Safety.UNSAFE, options=options)

    async def test(
        self, campaign_id: str, webhook_id: str, **options: Unpack[UnsafeRequestOptions]
    ) -> None:
        """
        ``POST /campaigns/{campaign_id}/webhooks/{webhook_id}/test``: dispatch a test
        payload to your URL (the API only acknowledges it).

        Unsafe: on an unclear failure (`OutcomeUnknownError`) your endpoint may have received
        the test delivery; it is not re-sent.
        """
        path = self._path(campaign_id, webhook_id, "/test")
        await self._client.request_json("POST", path, safety=Safety.UNSAFE, options=options)
