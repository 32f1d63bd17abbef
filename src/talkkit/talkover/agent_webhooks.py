"""Talkover agent webhooks (``/agents/{agent_id}/webhooks``): Talkover calls your URL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit.talkover import _fields as f
from talkkit.talkover._webhook_fields import AGENT_WEBHOOK, REQUIRED
from talkkit.talkover.types import AgentWebhook, AgentWebhookList, WebhookTestResult

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["AgentWebhooks"]


def _path(agent_id: str, webhook_id: str | None = None, tail: str = "") -> str:
    path = f"/agents/{f.path_id('agent_id', agent_id)}/webhooks"
    if webhook_id is not None:
        path += f"/{f.path_id('webhook_id', webhook_id)}{tail}"
    return path


class AgentWebhooks(Resource):
    """Webhooks that receive an agent's call events (``event_phone_call_ended``…)."""

    _client: AsyncTalkover

    async def list(self, agent_id: str) -> AgentWebhookList:
        """
        ``GET /agents/{agent_id}/webhooks``: the agent's webhooks and ``available_events``
        (event name → description; the authoritative list of names to subscribe to).
        """
        return await self._client.request_model("GET", _path(agent_id), AgentWebhookList)

    async def create(
        self,
        agent_id: str,
        *,
        name: str,
        webhook_url: str,
        events: Sequence[str],
        webhook_secret: str | None = None,
        timeout: int | None = None,
        max_retries: int | None = None,
        enabled: bool | None = None,
        http_method: str | None = None,
        authorization_scheme: str | None = None,
        custom_headers: Mapping[str, str] | None = None,
    ) -> AgentWebhook:
        """
        ``POST /agents/{agent_id}/webhooks``: subscribe ``webhook_url`` to ``events``.

        Unsafe: never re-sent after it may have reached the server. On an unclear failure
        (`OutcomeUnknownError`) check `list` before creating it again.

        Args:
            name: At most 255 characters.
            webhook_url: ``http(s)://``, at most 500 characters.
            events: At least one name from ``available_events``.
            webhook_secret: Signs each delivery (HMAC-SHA256); write-only.
            timeout: 5 to 120 seconds (server default 30).
            max_retries: 0 to 10 (server default 3).
            enabled: Server default true.
            http_method: ``POST`` (default), ``PUT`` or ``PATCH``.
            authorization_scheme: ``none``, ``bearer``, ``basic``, ``api_key``, ``custom``.
            custom_headers: ``{name: value}``, sent as ``[{"key", "value"}]``.
        """
        body = f.build(AGENT_WEBHOOK, locals(), required=REQUIRED)
        return await self._client.request_model(
            "POST", _path(agent_id), AgentWebhook, json=body, safety=Safety.UNSAFE
        )

    async def get(self, agent_id: str, webhook_id: str) -> AgentWebhook:
        """``GET /agents/{agent_id}/webhooks/{webhook_id}``."""
        return await self._client.request_model("GET", _path(agent_id, webhook_id), AgentWebhook)

    async def update(
        self,
        agent_id: str,
        webhook_id: str,
        *,
        name: str | None = None,
        webhook_url: str | None = None,
        events: Sequence[str] | None = None,
        webhook_secret: str | None = None,
        timeout: int | None = None,
        max_retries: int | None = None,
        enabled: bool | None = None,
        http_method: str | None = None,
        authorization_scheme: str | None = None,
        custom_headers: Mapping[str, str] | None = None,
    ) -> AgentWebhook:
        """
        ``PUT /agents/{agent_id}/webhooks/{webhook_id}``: change the fields given (``None``
        leaves a field unchanged). Idempotent. ``update(..., enabled=False)`` is the safe way
        to switch a webhook to a given state; `toggle` flips it.
        """
        body = f.build(AGENT_WEBHOOK, locals())
        return await self._client.request_model(
            "PUT", _path(agent_id, webhook_id), AgentWebhook, json=body, safety=Safety.IDEMPOTENT
        )

    async def delete(self, agent_id: str, webhook_id: str) -> None:
        """
        ``DELETE /agents/{agent_id}/webhooks/{webhook_id}``. Idempotent.

        Inferred endpoint: the reference names "Delete Webhook" without showing its path.
        """
        await self._client.request_json(
            "DELETE", _path(agent_id, webhook_id), safety=Safety.IDEMPOTENT
        )

    async def toggle(self, agent_id: str, webhook_id: str) -> AgentWebhook:
        """
        ``PATCH /agents/{agent_id}/webhooks/{webhook_id}/toggle``: flip ``enabled``.

        Unsafe: a flip sent twice undoes itself, so it is never re-sent after it may have
        reached the server; on an unclear failure (`OutcomeUnknownError`) `get` the webhook
        to see its state. Prefer ``update(..., enabled=...)``, which is idempotent.
        """
        path = _path(agent_id, webhook_id, "/toggle")
        return await self._client.request_model("PATCH", path, AgentWebhook, safety=Safety.UNSAFE)

    async def test(self, agent_id: str, webhook_id: str) -> WebhookTestResult:
        """
        ``POST /agents/{agent_id}/webhooks/{webhook_id}/test``: send a test payload to your
        URL; returns your endpoint's status code and latency (ms).

        Unsafe: on an unclear failure (`OutcomeUnknownError`) your endpoint may have received
        the test delivery; it is not re-sent.
        """
        path = _path(agent_id, webhook_id, "/test")
        return await self._client.request_model(
            "POST", path, WebhookTestResult, safety=Safety.UNSAFE
        )
