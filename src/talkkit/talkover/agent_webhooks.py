"""Talkover agent webhooks (``/agents/{agent_id}/webhooks``): Talkover calls your URL."""

from __future__ import annotations

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
from talkkit.talkover.types import AgentWebhook, AgentWebhookList, WebhookTestResult

__all__ = ["AgentWebhooks"]


class AgentWebhooks(w.Webhooks[AgentWebhook]):
    """Webhooks that receive an agent's call events (``event_phone_call_ended``…)."""

    _owner = ("agents", "agent_id")
    _record = AgentWebhook

    async def list(self, agent_id: str, **options: Unpack[RequestOptions]) -> AgentWebhookList:
        """
        ``GET /agents/{agent_id}/webhooks``: the agent's webhooks and ``available_events``
        (event name → description; the authoritative list of names to subscribe to).
        """
        return await self._client.request_model(
            "GET", self._path(agent_id), AgentWebhookList, options=options
        )

    async def create(
        self,
        agent_id: str,
        *,
        name: w.Name,
        webhook_url: w.Url,
        events: w.Events,
        webhook_secret: w.Secret = None,
        timeout: w.Timeout = None,
        max_retries: w.MaxRetries = None,
        enabled: w.Enabled = None,
        http_method: w.HttpMethod = None,
        authorization_scheme: f.AuthorizationScheme = None,
        custom_headers: f.CustomHeaders = None,
        **options: Unpack[UnsafeExtraOptions],
    ) -> AgentWebhook:
        """
        ``POST /agents/{agent_id}/webhooks``: subscribe ``webhook_url`` to ``events``.

        Unsafe: never re-sent after it may have reached the server. On an unclear failure
        (`OutcomeUnknownError`) check `list` before creating it again.
        """
        body = self._client.fields(AgentWebhooks.create, locals())
        path = self._path(agent_id)
        return await self._webhook("POST", path, json=body, safety=Safety.UNSAFE, options=options)

    async def get(
        self, agent_id: str, webhook_id: str, **options: Unpack[RequestOptions]
    ) -> AgentWebhook:
        """``GET /agents/{agent_id}/webhooks/{webhook_id}``."""
        return await self._webhook("GET", self._path(agent_id, webhook_id), options=options)

    async def update(
        self,
        agent_id: str,
        webhook_id: str,
        *,
        name: w.Name | None = None,
        webhook_url: w.Url | None = None,
        events: w.Events | None = None,
        webhook_secret: w.Secret = None,
        timeout: w.Timeout = None,
        max_retries: w.MaxRetries = None,
        enabled: w.Enabled = None,
        http_method: w.HttpMethod = None,
        authorization_scheme: f.AuthorizationScheme = None,
        custom_headers: f.CustomHeaders = None,
        **options: Unpack[ExtraOptions],
    ) -> AgentWebhook:
        """
        ``PUT /agents/{agent_id}/webhooks/{webhook_id}``: change the fields given (``None``
        leaves a field unchanged). Idempotent. ``update(..., enabled=False)`` is the safe way
        to switch a webhook to a given state; `toggle` flips it.
        """
        body = self._client.fields(AgentWebhooks.update, locals())
        path = self._path(agent_id, webhook_id)
        return await self._webhook(
            "PUT", path, json=body, safety=Safety.IDEMPOTENT, options=options
        )

    async def delete(
        self, agent_id: str, webhook_id: str, **options: Unpack[RequestOptions]
    ) -> None:
        """
        ``DELETE /agents/{agent_id}/webhooks/{webhook_id}``. Idempotent.

        Inferred endpoint: the reference names "Delete Webhook" without showing its path.
        """
        path = self._path(agent_id, webhook_id)
        await self._client.request_json("DELETE", path, safety=Safety.IDEMPOTENT, options=options)

    async def toggle(
        self, agent_id: str, webhook_id: str, **options: Unpack[UnsafeRequestOptions]
    ) -> AgentWebhook:
        """
        ``PATCH /agents/{agent_id}/webhooks/{webhook_id}/toggle``: flip ``enabled``.

        Unsafe: a flip sent twice undoes itself, so it is never re-sent after it may have
        reached the server; on an unclear failure (`OutcomeUnknownError`) `get` the webhook
        to see its state. Prefer ``update(..., enabled=...)``, which is idempotent.
        """
        path = self._path(agent_id, webhook_id, "/toggle")
        return await self._webhook("PATCH", path, safety=Safety.UNSAFE, options=options)

    async def test(
        self, agent_id: str, webhook_id: str, **options: Unpack[UnsafeRequestOptions]
    ) -> WebhookTestResult:
        """
        ``POST /agents/{agent_id}/webhooks/{webhook_id}/test``: send a test payload to your
        URL; returns your endpoint's status code and latency (ms).

        Unsafe: on an unclear failure (`OutcomeUnknownError`) your endpoint may have received
        the test delivery; it is not re-sent.
        """
        path = self._path(agent_id, webhook_id, "/test")
        return await self._client.request_model(
            "POST", path, WebhookTestResult, safety=Safety.UNSAFE, options=options
        )
