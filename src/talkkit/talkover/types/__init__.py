"""Talkover records (snake_case on the wire and here). Reads are lenient."""

from __future__ import annotations

from typing import TYPE_CHECKING

from talkkit.talkover.types import (
    _agents,
    _base,
    _calls,
    _campaigns,
    _common,
    _telephony,
    _webhooks,
)
from talkkit.talkover.types._agents import *  # noqa: F403
from talkkit.talkover.types._base import *  # noqa: F403
from talkkit.talkover.types._calls import *  # noqa: F403
from talkkit.talkover.types._campaigns import *  # noqa: F403
from talkkit.talkover.types._common import *  # noqa: F403
from talkkit.talkover.types._telephony import *  # noqa: F403
from talkkit.talkover.types._webhooks import *  # noqa: F403

# Each record is listed once, in its module's __all__. Type checkers read only a literal
# __all__; without one they take every star-imported name above as public.
if not TYPE_CHECKING:
    __all__ = [
        *_agents.__all__,
        *_base.__all__,
        *_calls.__all__,
        *_campaigns.__all__,
        *_common.__all__,
        *_telephony.__all__,
        *_webhooks.__all__,
    ]
