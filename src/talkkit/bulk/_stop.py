"""
When one item's answer stops the whole job, and the storm rule.

An error is about the job rather than the row when no other row could do better: refused
credentials (401, 403, a client set up wrongly), the job's parent not found (the operation
says which 404s those are, ``stops_job``), or a storm — the server failing most requests for a
while even after the client's own retries. Once stopped, nothing more is sent: the items not yet
processed end ``not_sent``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import anyio

from talkkit.bulk._types import Prepared
from talkkit.errors import (
    APIConnectionError,
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    ServerError,
    TalkkitError,
)

__all__ = ["STORM_SHARE", "STORM_WINDOW", "JobStop", "refuses_credentials"]

STORM_WINDOW = 50
"""The storm rule looks at this many of the job's latest finished sends."""
STORM_SHARE = 0.8
"""A storm: at least this share of them failed with a server error, no answer or an unclear one."""

_REFUSED = (AuthenticationError, PermissionDeniedError, ConfigurationError)


def refuses_credentials(error: BaseException) -> bool:
    """401, 403 or a client set up wrongly: no request of this job can succeed."""
    return isinstance(error, _REFUSED)


def _troubled(error: BaseException | None) -> bool:
    """A send the server failed (5xx), that got no answer, or whose answer was lost."""
    return isinstance(error, (ServerError, APIConnectionError, OutcomeUnknownError))


def _default_stops_job(prepared: Prepared[Any], error: TalkkitError) -> bool:
    # A create or a call cannot miss itself: a 404 answered to it is about its parent.
    return isinstance(error, NotFoundError)


class JobStop:
    """
    Whether the job has stopped, why, and the window of recent sends the storm rule reads.

    Args:
        stops_job: The operation's rule for errors answered to one item (``None``: any 404).
        on_stop: Told why, once, when the job stops (the summary's ``aborted``).
    """

    def __init__(
        self,
        stops_job: Callable[[Prepared[Any], TalkkitError], bool] | None,
        *,
        on_stop: Callable[[str], None],
    ) -> None:
        self._stops_job = stops_job or _default_stops_job
        self._on_stop = on_stop
        self._recent: deque[bool] = deque(maxlen=STORM_WINDOW)  # True: a troubled send
        self._troubled = 0
        self.reason: str | None = None
        """Why the job stopped (``summary.aborted``), ``None`` while it runs."""
        self.error: TalkkitError | None = None
        self.credentials = False
        """The job stopped because the credentials were refused (lookups would be too)."""
        self.stopped = anyio.Event()
        """Set once the job stopped: wakes items waiting for a Retry-After."""

    @property
    def is_stopped(self) -> bool:
        """Whether the job stopped: nothing more is sent."""
        return self.reason is not None

    def is_job_level(self, prepared: Prepared[Any], error: TalkkitError) -> bool:
        """Whether ``error``, answered to ``prepared``'s send, is about the whole job."""
        return refuses_credentials(error) or self._stops_job(prepared, error)

    def stop_on(self, error: TalkkitError) -> None:
        """Stop on a job-level error (the first one wins)."""
        self._stop(error, f"stopped: {error} (nothing more was sent)")

    def observe(self, error: BaseException | None) -> None:
        """
        Count one finished send (``None``: the server answered it, success or 4xx) and stop the
        job when the window shows a storm: of the last `STORM_WINDOW` sends, at least
        `STORM_SHARE` failed with a 5xx, no answer or an unclear one after the client's retries.
        """
        if error is None and not self._troubled:  # a calm window stays calm
            self._recent.append(False)
            return
        bad = _troubled(error)
        if len(self._recent) == STORM_WINDOW and self._recent[0]:
            self._troubled -= 1
        self._recent.append(bad)
        self._troubled += bad
        if (
            isinstance(error, TalkkitError)
            and len(self._recent) == STORM_WINDOW
            and self._troubled >= STORM_SHARE * STORM_WINDOW
        ):
            self._stop(
                error,
                f"stopped: {self._troubled} of the last {STORM_WINDOW} requests failed "
                f"(server errors, no answer, or answers lost after the client's retries); "
                f"the last: {error} (nothing more was sent)",
            )

    def _stop(self, error: TalkkitError, reason: str) -> None:
        if self.reason is not None:
            return
        self.reason = reason
        self.error = error
        self.credentials = refuses_credentials(error)
        self.stopped.set()
        self._on_stop(reason)
