"""Talkover agent trainings (``/agents/{agent_id}/trainings``)."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit.talkover import _fields as f
from talkkit.talkover.types import ActiveStatus, Training

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["Trainings"]

_TRAINING: dict[str, f.Check] = {
    "subject": f.text(min_len=1, max_len=255),
    "instructions": f.text(min_len=1),
    "node_id": f.text(min_len=1),
    "current_status": f.choice(ActiveStatus),
}


def _path(agent_id: str, tail: str = "") -> str:
    return f"/agents/{f.path_id('agent_id', agent_id)}/trainings{tail}"


class Trainings(Resource):
    """What an agent knows. Creating, changing or deleting one puts the agent back to draft."""

    _client: AsyncTalkover

    async def list(self, agent_id: str) -> builtins.list[Training]:
        """``GET /agents/{agent_id}/trainings``: all of the agent's trainings (unpaginated)."""
        return await self._client.request_model("GET", _path(agent_id), builtins.list[Training])

    async def create_or_update(
        self,
        agent_id: str,
        *,
        subject: str,
        instructions: str,
        node_id: str | None = None,
        current_status: ActiveStatus | str | None = None,
    ) -> Training:
        """
        ``POST /agents/{agent_id}/trainings``: add a training, or update the one the server
        matches (by workflow ``node_id``).

        Unsafe: never re-sent after it may have reached the server, since without a match it
        creates a second training. On an unclear failure (`OutcomeUnknownError`) check
        `list` before sending it again.

        Args:
            subject: At most 255 characters.
            instructions: What the agent should know or do.
            node_id: The workflow node the training belongs to.
            current_status: ``active`` (server default) or ``inactive``.
        """
        body = f.build(_TRAINING, locals(), required=("subject", "instructions"))
        return await self._client.request_model(
            "POST", _path(agent_id), Training, json=body, safety=Safety.UNSAFE
        )

    async def delete(self, agent_id: str, training_id: str) -> None:
        """
        ``DELETE /agents/{agent_id}/trainings/{training_id}``: the agent reverts to draft.
        Idempotent.

        Raises:
            NotFoundError: ``TRAINING_NOT_FOUND`` (also what a retried delete that went
                through sees).
        """
        path = _path(agent_id, f"/{f.path_id('training_id', training_id)}")
        await self._client.request_json("DELETE", path, safety=Safety.IDEMPOTENT)
