"""
Webhooks as the outcomes of a waiting dial job: a final Talkover call event is a call's end,
pushed into the job's `talkkit.bulk.CallEnds` feed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from talkkit.webhooks._events import Event, TalkoverEvent
from talkkit.webhooks._receiver import Handler

if TYPE_CHECKING:  # the bulk package is loaded with the first call end, not by every receiver
    from talkkit.bulk import CallEnd, CallEnds

__all__ = ["call_end", "feed_handler"]


def call_end(event: Event) -> tuple[str, CallEnd] | None:
    """
    The call a verified event says ended, and how: for a final Talkover call event (``is_final``:
    ``completed``, ``busy``, ``no-answer``, ``failed``; agent or campaign webhook); ``None``
    for any other event (a call still going on, a test delivery, another platform's event).

    Example:
        ```python
        ended = call_end(event)
        if ended is not None:
            call_id, end = ended  # end.status, end.duration (talk time in seconds)
        ```

    .. versionadded:: 0.1
    """
    if not isinstance(event, TalkoverEvent) or event.test or not event.is_final:
        return None
    if not event.call_id or event.call_status is None:
        return None
    from talkkit.bulk import CallEnd

    return event.call_id, CallEnd(status=event.call_status, duration=event.call_duration)


def feed_handler(feed: CallEnds) -> Handler:
    """
    A receiver handler that pushes every call end (`call_end`) into ``feed``, for a dial job
    that waits with it (``calls.dial_many(..., wait=True, call_ends=feed)``).

    Serve the receiver in the job's own event loop (``talkkit calls dial --wait --listen``
    does), so the pushes and the job never cross threads.

    Example:
        ```python
        feed = CallEnds()
        receiver = talkkit.webhooks.app(feed_handler(feed), talkover_secret=SECRET)
        ```

    .. versionadded:: 0.1
    """

    async def push_call_end(event: Event) -> None:
        ended = call_end(event)
        if ended is not None:
            feed.ended(*ended)

    return push_call_end
