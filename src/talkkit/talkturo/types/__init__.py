"""Talkturo records: snake_case attributes, lenient reads (unknown keys land in ``extra``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from talkkit.talkturo.types import _assistants, _crm, _phone_numbers, _webhooks
from talkkit.talkturo.types._assistants import *  # noqa: F403
from talkkit.talkturo.types._crm import *  # noqa: F403
from talkkit.talkturo.types._phone_numbers import *  # noqa: F403
from talkkit.talkturo.types._webhooks import *  # noqa: F403

# Each record is listed once, in its module's __all__. Type checkers read only a literal
# __all__; without one they take every star-imported name above as public.
if not TYPE_CHECKING:
    __all__ = [*_assistants.__all__, *_crm.__all__, *_phone_numbers.__all__, *_webhooks.__all__]
