"""The base of every Talkory record: responses are camelCase on the wire."""

from __future__ import annotations

from typing import ClassVar

from talkkit._converter import WireCase
from talkkit._model import Model

__all__ = ["TalkoryModel"]


class TalkoryModel(Model):
    """A Talkory record."""

    __slots__ = ()

    _wire_case: ClassVar[WireCase] = "camel"
