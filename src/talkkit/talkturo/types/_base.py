"""The base of every Talkturo record: responses are snake_case on the wire."""

from __future__ import annotations

from typing import ClassVar

from talkkit._converter import WireCase
from talkkit._model import Model

__all__ = ["TalkturoModel"]


class TalkturoModel(Model):
    """A Talkturo record (a record sent in another casing overrides ``_wire_case``)."""

    __slots__ = ()

    _wire_case: ClassVar[WireCase] = "snake"
