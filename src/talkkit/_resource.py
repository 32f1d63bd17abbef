"""Base of every resource class: it holds the client, nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from talkkit._client import BaseClient

__all__ = ["Resource"]


class Resource:
    """
    A group of endpoints reached as a client attribute (``client.queries``).

    Subclasses narrow ``_client`` with an annotation to their platform's client class.
    """

    __slots__ = ("_client",)

    _client: BaseClient

    def __init__(self, client: BaseClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"
