"""Talkover agent actions (``/agents/{agent_id}/actions``): tools the agent can run."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Unpack

from talkkit._options import RequestOptions, UnsafeRequestOptions
from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit.errors import InvalidRequestError
from talkkit.talkover import _fields as f
from talkkit.talkover._fields import Doc, Field
from talkkit.talkover.types import Action, ActionInput, ActionTrigger

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["Actions"]


def _inputs(field: str, value: Any) -> list[Any]:
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


def _integration(field: str, value: Any) -> dict[str, str]:
    return {"id": f.path_id(field, value)}


def _path(agent_id: str, tail: str = "") -> str:
    return f"/agents/{f.path_id('agent_id', agent_id)}/actions{tail}"


class Actions(Resource):
    """Tools an agent runs during or after a call. Changes put the agent back to draft."""

    _client: AsyncTalkover

    async def list(self, agent_id: str, **options: Unpack[RequestOptions]) -> builtins.list[Action]:
        """``GET /agents/{agent_id}/actions``: all of the agent's actions (unpaginated)."""
        return await self._client.request_model(
            "GET", _path(agent_id), builtins.list[Action], options=options
        )

    async def create_or_update(
        self,
        agent_id: str,
        *,
        name: Annotated[str, Doc("At most 255 characters."), Field(f.text(min_len=1, max_len=255))],
        type: Annotated[
            str, Doc("``webhook``, ``transfer``, ``hold``…"), Field(f.text(min_len=1, max_len=255))
        ],
        description: Annotated[str | None, Doc("What the action does."), Field(f.text())] = None,
        node_id: f.NodeId = None,
        inputs: Annotated[
            Sequence[ActionInput | Mapping[str, object]] | None,
            Doc("What the action takes (returned as ``input_schema``)."),
            Field(_inputs),
        ] = None,
        integration_id: Annotated[
            str | None,
            Doc('Sent as ``integration: {"id": ...}``.'),
            Field(_integration, wire="integration"),
        ] = None,
        url: Annotated[
            str | None, Doc("The webhook URL the action calls."), Field(f.url(max_len=2048))
        ] = None,
        authorization_url: Annotated[
            str | None, Doc("The action's authorization URL."), Field(f.url(max_len=2048))
        ] = None,
        # INFERRED names below (the page describes these fields without showing their keys).
        authorization_scheme: f.AuthorizationScheme = None,
        custom_headers: f.CustomHeaders = None,
        action_trigger: Annotated[
            ActionTrigger | str | None,
            Doc("``during_call`` (default) or ``post_call``."),
            Field(f.choice(ActionTrigger)),
        ] = None,
        hold_duration_seconds: Annotated[
            int | None, Doc("Seconds on hold, for hold actions."), Field(f.integer(1))
        ] = None,
        transfer_number: Annotated[
            str | None, Doc("E.164, for transfer actions."), Field(f.e164)
        ] = None,
        current_status: f.CurrentStatus = None,
        **options: Unpack[UnsafeRequestOptions],
    ) -> Action:
        """
        ``POST /agents/{agent_id}/actions``: add an action, or update the one the server
        matches (by workflow ``node_id``).

        Unsafe: never re-sent after it may have reached the server. On an unclear failure
        (`OutcomeUnknownError`) check `list` before sending it again.

        The keys from ``authorization_scheme`` on are inferred: the reference describes these
        fields without showing their names.
        """
        body = self._client.fields(Actions.create_or_update, locals())
        return await self._client.request_model(
            "POST", _path(agent_id), Action, json=body, safety=Safety.UNSAFE, options=options
        )

    async def delete(
        self, agent_id: str, action_id: str, **options: Unpack[RequestOptions]
    ) -> None:
        """
        ``DELETE /agents/{agent_id}/actions/{action_id}``: the agent reverts to draft.
        Idempotent.

        Raises:
            NotFoundError: ``ACTION_NOT_FOUND``.
        """
        path = _path(agent_id, f"/{f.path_id('action_id', action_id)}")
        await self._client.request_json("DELETE", path, safety=Safety.IDEMPOTENT, options=options)
