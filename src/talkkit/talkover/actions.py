"""Talkover agent actions (``/agents/{agent_id}/actions``): tools the agent can run."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit.errors import InvalidRequestError
from talkkit.talkover import _fields as f
from talkkit.talkover.types import Action, ActionInput, ActionTrigger, ActiveStatus

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["Actions"]

_ACTION: dict[str, f.Check] = {
    "name": f.text(min_len=1, max_len=255),
    "type": f.text(min_len=1, max_len=255),
    "description": f.text(),
    "node_id": f.text(min_len=1),
    "url": f.url(max_len=2048),
    "authorization_url": f.url(max_len=2048),
    # INFERRED names below (the page describes these fields without showing their keys).
    "authorization_scheme": f.choice(f.SCHEMES),
    "custom_headers": f.headers,
    "action_trigger": f.choice(ActionTrigger),
    "hold_duration_seconds": f.integer(1),
    "transfer_number": f.phone,
    "current_status": f.choice(ActiveStatus),
}


def _inputs(field: str, value: Sequence[ActionInput | Mapping[str, object]]) -> list[Any]:
    if isinstance(value, str | Mapping) or not isinstance(value, Sequence):
        raise InvalidRequestError(field, "must be a list of ActionInput", value=value)
    out: list[Any] = []
    for item in value:
        if isinstance(item, ActionInput):
            fields = {"name": item.name, "type": item.type, "required": item.required}
            fields["description"] = item.description
            out.append({k: v for k, v in fields.items() if v is not None})
        elif isinstance(item, Mapping) and isinstance(item.get("name"), str):
            out.append(dict(item))
        else:
            raise InvalidRequestError(field, "each input needs a name", value=item)
    return out


def _path(agent_id: str, tail: str = "") -> str:
    return f"/agents/{f.path_id('agent_id', agent_id)}/actions{tail}"


class Actions(Resource):
    """Tools an agent runs during or after a call. Changes put the agent back to draft."""

    _client: AsyncTalkover

    async def list(self, agent_id: str) -> builtins.list[Action]:
        """``GET /agents/{agent_id}/actions``: all of the agent's actions (unpaginated)."""
        return await self._client.request_model("GET", _path(agent_id), builtins.list[Action])

    async def create_or_update(
        self,
        agent_id: str,
        *,
        name: str,
        type: str,
        description: str | None = None,
        node_id: str | None = None,
        inputs: Sequence[ActionInput | Mapping[str, object]] | None = None,
        integration_id: str | None = None,
        url: str | None = None,
        authorization_url: str | None = None,
        authorization_scheme: str | None = None,
        custom_headers: Mapping[str, str] | None = None,
        action_trigger: ActionTrigger | str | None = None,
        hold_duration_seconds: int | None = None,
        transfer_number: str | None = None,
        current_status: ActiveStatus | str | None = None,
    ) -> Action:
        """
        ``POST /agents/{agent_id}/actions``: add an action, or update the one the server
        matches (by workflow ``node_id``).

        Unsafe: never re-sent after it may have reached the server. On an unclear failure
        (`OutcomeUnknownError`) check `list` before sending it again.

        Args:
            name: At most 255 characters.
            type: ``webhook``, ``transfer``, ``hold``…
            inputs: What the action takes (returned as ``input_schema``).
            integration_id: Sent as ``integration: {"id": ...}``.
            url: The webhook URL the action calls.
            authorization_scheme: ``none``, ``bearer``, ``basic``, ``api_key``, ``custom``
                (inferred key, as are the four below).
            custom_headers: ``{name: value}``, sent as ``[{"key", "value"}]``.
            action_trigger: ``during_call`` (default) or ``post_call``.
            hold_duration_seconds: For hold actions.
            transfer_number: E.164, for transfer actions.
            current_status: ``active`` or ``inactive``.
        """
        body = f.build(_ACTION, locals(), required=("name", "type"))
        if inputs is not None:
            body["inputs"] = _inputs("inputs", inputs)
        if integration_id is not None:
            body["integration"] = {"id": f.path_id("integration_id", integration_id)}
        return await self._client.request_model(
            "POST", _path(agent_id), Action, json=body, safety=Safety.UNSAFE
        )

    async def delete(self, agent_id: str, action_id: str) -> None:
        """
        ``DELETE /agents/{agent_id}/actions/{action_id}``: the agent reverts to draft.
        Idempotent.

        Raises:
            NotFoundError: ``ACTION_NOT_FOUND``.
        """
        path = _path(agent_id, f"/{f.path_id('action_id', action_id)}")
        await self._client.request_json("DELETE", path, safety=Safety.IDEMPOTENT)
