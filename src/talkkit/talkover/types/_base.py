"""The base of every Talkover record: responses are snake_case on the wire."""

from __future__ import annotations

from typing import ClassVar

from talkkit._converter import WireCase
from talkkit._model import Model

__all__ = ["TalkoverModel"]


class TalkoverModel(Model):
    """A Talkover record."""

    __slots__ = ()

    _wire_case: ClassVar[WireCase] = "snake"
