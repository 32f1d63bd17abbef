"""Helpers shared by the Talkory tests."""

from __future__ import annotations

from talkkit import AsyncTalkory
from talkkit.talkory import QueryEvent


async def consume(
    client: AsyncTalkory, seen: list[QueryEvent] | None = None, prompt: str = "hi"
) -> None:
    """Run a streamed query to its end, collecting its events."""
    async with client.queries.stream(prompt) as stream:
        async for event in stream:
            if seen is not None:
                seen.append(event)
