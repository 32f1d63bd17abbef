"""Talkover agent trainings (``/agents/{agent_id}/trainings``)."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Annotated, Unpack

from talkkit._options import RequestOptions, UnsafeRequestOptions
from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit.talkover import _fields as f
from talkkit.talkover._fields import Doc, Field
from talkkit.talkover.types import Training

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["Trainings"]


def _path(agent_id: str, tail: str = "") -> str:
    return f"/agents/{f.path_id('agent_id', agent_id)}/trainings{tail}"


class Trainings(Resource):
    """What an agent knows. Creating, changing or deleting one puts the agent back to draft."""

    _client: AsyncTalkover

    async def list(
        self, agent_id: str, **options: Unpack[RequestOptions]
    ) -> builtins.list[Training]:
        """``GET /agents/{agent_id}/trainings``: all of the agent's trainings (unpaginated)."""
        return await self._client.request_model(
            "GET", _path(agent_id), builtins.list[Training], options=options
        )

    async def create_or_update(
        self,
        agent_id: str,
        *,
        subject: Annotated[
            str, Doc("At most 255 characters."), Field(f.text(min_len=1, max_len=255))
        ],
        instructions: Annotated[
            str, Doc("What the agent should know or do."), Field(f.text(min_len=1))
        ],
        node_id: f.NodeId = None,
        current_status: Annotated[
            f.CurrentStatus, Doc("``active`` (server default) or ``inactive``.")
        ] = None,
        **options: Unpack[UnsafeRequestOptions],
    ) -> Training:
        """
        ``POST /agents/{agent_id}/trainings``: add a training, or update the one the server
        matches (by workflow ``node_id``).

        Unsafe: never re-sent after it may have reached the server, since without a match it
        creates a second training. On an unclear failure (`OutcomeUnknownError`) check
        `list` before sending it again.
        """
        body = self._client.fields(Trainings.create_or_update, locals())
        return await self._client.request_model(
            "POST", _path(agent_id), Training, json=body, safety=Safety.UNSAFE, options=options
        )

    async def delete(
        self, agent_id: str, training_id: str, **options: Unpack[RequestOptions]
    ) -> None:
        """
        ``DELETE /agents/{agent_id}/trainings/{training_id}``: the agent reverts to draft.
        Idempotent.

        Raises:
            NotFoundError: ``TRAINING_NOT_FOUND`` (also what a retried delete that went
                through sees).
        """
        path = _path(agent_id, f"/{f.path_id('training_id', training_id)}")
        await self._client.request_json("DELETE", path, safety=Safety.IDEMPOTENT, options=options)
