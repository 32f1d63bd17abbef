"""Talkover webhook routes, shared by agent webhooks and campaign webhooks."""

from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from talkkit.emulator._dialects import TALKOVER
from talkkit.emulator._errors import JSONDict
from talkkit.emulator._talkover_state import TalkoverState, missing
from talkkit.emulator._validate import Fields, Reader, read_all
from talkkit.emulator._wire import iso, read_body, success

__all__ = ["AGENT_EVENTS", "WebhookRoutes"]

# From `available_events` (the stored copy of the list is truncated).
AGENT_EVENTS: dict[str, str] = {
    "event_phone_call_started": "A phone call started",
    "event_phone_call_ended": "A phone call ended",
    "event_phone_call_did_not_connect": "A phone call did not connect",
    "event_phone_call_connected": "A phone call connected",
    "event_phone_call_disconnected": "A phone call disconnected",
    "event_phone_call_error": "A phone call failed",
    "event_participant_joined": "A participant joined",
    "event_participant_left": "A participant left",
    "event_voicemail_detected": "Voicemail was detected",
    "event_voicemail_message_left": "A voicemail message was left",
    "event_conversation_started": "The conversation started",
    "event_conversation_ended": "The conversation ended",
    "event_action": "An action ran",
    "event_action_failed": "An action failed",
    "event_recording": "A recording is available",
    "event_connection_established": "The media connection was established",
    "event_connection_closed": "The media connection closed",
    "event_connection_error": "The media connection failed",
    "event_user_connected": "The user connected",
}


def _spec(owner: str) -> dict[str, Reader]:
    spec: dict[str, Reader] = {
        "name": partial(Fields.text, required=True, max_len=255),
        "webhook_url": partial(Fields.text, required=True, max_len=500, fmt="url"),
        "webhook_secret": partial(Fields.text, max_len=255),
        # INFERRED: campaign event names are only partly documented, so any name is accepted.
        "events": partial(
            Fields.strings,
            required=True,
            min_items=1,
            choices=tuple(AGENT_EVENTS) if owner == "agent" else None,
        ),
        "timeout": partial(Fields.integer, lo=5, hi=120),
        "max_retries": partial(Fields.integer, lo=0, hi=10),
        "enabled": Fields.flag,
        "http_method": partial(Fields.text, choices=("POST", "PUT", "PATCH")),
        "authorization_scheme": partial(
            Fields.text, choices=("none", "bearer", "basic", "api_key", "custom")
        ),
        "custom_headers": Fields.mappings,
    }
    if owner == "campaign":
        spec["include_call_events"] = Fields.flag
        spec["event_templates"] = Fields.mapping  # INFERRED name of the per-event overrides
    return spec


_DEFAULTS: JSONDict = {
    "timeout": 30,
    "max_retries": 3,
    "enabled": True,
    "http_method": "POST",
    "authorization_scheme": "none",
    "custom_headers": [],
}


class WebhookRoutes:
    """
    Webhook endpoints of one owner kind (`"agent"` or `"campaign"`).

    Both kinds share the store and the shape; they differ only where the docs show it:
    the agent list adds `available_events`, and toggle/test answer differently.
    """

    def __init__(self, state: TalkoverState, owner: str) -> None:
        self.state = state
        self.owner = owner
        self.owner_key = f"{owner}_id"
        self.spec = _spec(owner)

    def routes(self) -> list[BaseRoute]:
        """Routes relative to the `/api/v1` mount."""
        base = f"/{self.owner}s/{{owner_id}}/webhooks"
        one = base + "/{webhook_id}"
        return [
            Route(base, self.list_webhooks, methods=["GET"]),
            Route(base, self.create_webhook, methods=["POST"]),
            Route(one, self.get_webhook, methods=["GET"]),
            Route(one, self.update_webhook, methods=["PUT"]),
            Route(one, self.delete_webhook, methods=["DELETE"]),
            Route(one + "/toggle", self.toggle_webhook, methods=["PATCH"]),
            Route(one + "/test", self.test_webhook, methods=["POST"]),
        ]

    def _owner(self, request: Request) -> JSONDict:
        owner_id = request.path_params["owner_id"]
        if self.owner == "agent":
            return self.state.agent(owner_id)
        return self.state.campaign(owner_id)

    def _owned(self, owner: JSONDict) -> list[JSONDict]:
        return [w for w in self.state.webhooks.values() if w.get(self.owner_key) == owner["id"]]

    def _webhook(self, request: Request) -> tuple[JSONDict, JSONDict]:
        owner = self._owner(request)
        webhook = self.state.webhooks.get(request.path_params["webhook_id"])
        if webhook is None or webhook.get(self.owner_key) != owner["id"]:
            raise missing("Webhook", "WEBHOOK_NOT_FOUND")  # INFERRED code
        return owner, webhook

    def _save(self, webhook: JSONDict, values: JSONDict) -> JSONDict:
        secret = values.pop("webhook_secret", None)  # INFERRED: the secret is write-only
        if secret is not None:  # kept aside: it signs the deliveries
            self.state.webhook_secrets[webhook["id"]] = secret
        self.state.stamp(webhook, 6, **{k: v for k, v in values.items() if v is not None})
        webhook["status"] = "active" if webhook["enabled"] else "disabled"
        return webhook

    async def list_webhooks(self, request: Request) -> Response:
        webhooks = self._owned(self._owner(request))
        if self.owner == "agent":
            return success(data={"webhooks": webhooks, "available_events": AGENT_EVENTS})
        return success(data=webhooks)  # INFERRED: the campaign list is not documented

    async def create_webhook(self, request: Request) -> Response:
        owner = self._owner(request)
        body = await read_body(request, TALKOVER)
        values = read_all(body, self.spec)
        body.check(TALKOVER)
        webhook = {
            "id": self.state.env.ids.uuid(),
            self.owner_key: owner["id"],
            **_DEFAULTS,
            "events_count": 0,
        }
        self.state.webhooks[webhook["id"]] = self._save(webhook, values)
        return success(message="Webhook created successfully", data=webhook, status_code=201)

    async def get_webhook(self, request: Request) -> Response:
        return success(data=self._webhook(request)[1])

    async def update_webhook(self, request: Request) -> Response:
        _, webhook = self._webhook(request)
        body = await read_body(request, TALKOVER)
        values = read_all(body, self.spec, partial=True)
        body.check(TALKOVER)
        return success(message="Webhook updated successfully", data=self._save(webhook, values))

    async def delete_webhook(self, request: Request) -> Response:
        # INFERRED path (the page names "Delete Webhook" without showing it).
        _, webhook = self._webhook(request)
        del self.state.webhooks[webhook["id"]]
        self.state.webhook_secrets.pop(webhook["id"], None)
        return success(message="Webhook deleted successfully")

    async def toggle_webhook(self, request: Request) -> Response:
        _, webhook = self._webhook(request)
        self._save(webhook, {"enabled": not webhook["enabled"]})
        message = "Webhook enabled" if webhook["enabled"] else "Webhook disabled"
        if self.owner == "campaign":
            return success(
                message=message, data={"id": webhook["id"], "enabled": webhook["enabled"]}
            )
        return success(message=message, data=webhook)

    async def test_webhook(self, request: Request) -> Response:
        owner, webhook = self._webhook(request)
        payload = {
            "event": "webhook.test",
            self.owner_key: owner["id"],
            f"{self.owner}_name": owner["name"],
            "webhook_id": webhook["id"],
            "webhook_name": webhook["name"],
            "timestamp": iso(self.state.env.now()),
            "test": True,
        }
        # The emulator sends nothing over the network; it records what it would have sent.
        self.state.webhook_tests.append({"url": webhook["webhook_url"], "payload": payload})
        if self.owner == "campaign":
            return success(message="Test payload dispatched")
        # INFERRED: a deterministic "your endpoint answered 200 in 42 ms".
        return success(
            message="Test webhook sent successfully", data={"status_code": 200, "response_time": 42}
        )
