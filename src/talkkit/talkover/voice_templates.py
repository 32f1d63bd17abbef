"""Talkover voice templates (``/voice-templates``)."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Unpack

from talkkit._options import RequestOptions
from talkkit._resource import Resource
from talkkit.talkover import _fields as f
from talkkit.talkover.types import VoiceTemplateGroup

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["VoiceTemplates"]


class VoiceTemplates(Resource):
    """The voice catalogue an agent's voice is picked from."""

    _client: AsyncTalkover

    async def list(self, **options: Unpack[RequestOptions]) -> builtins.list[VoiceTemplateGroup]:
        """
        ``GET /voice-templates``: voices grouped by display name (unpaginated).

        The reference's copy is cut before the query parameters, so none are sent.
        """
        return await self._client.request_model(
            "GET", "/voice-templates", builtins.list[VoiceTemplateGroup], options=options
        )

    async def demo_url(self, voice_template_id: str, **options: Unpack[RequestOptions]) -> str:
        """
        ``GET /voice-templates/{voice_template_id}/demo``: a temporary signed URL of an MP3
        sample (the body is a bare ``{"mp3_url"}``).

        Raises:
            NotFoundError: ``VOICE_NOT_FOUND``.
            ServerError: ``Failed to generate demo audio``.
        """
        path = f"/voice-templates/{f.path_id('voice_template_id', voice_template_id)}/demo"
        return await self._client.request_model("GET", path, str, key="mp3_url", options=options)
