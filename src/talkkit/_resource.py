"""Base of every resource class: it holds the client, nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from talkkit._raw import RawResponseProxy

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

    @property
    def with_raw_response(self) -> RawResponseProxy[Self]:
        """
        The same methods, returning a `RawResponse` (status, headers, request id, ``parse()``).

        ``raw = await client.contacts.with_raw_response.create(...)``; ``raw.parse()`` is the
        contact. A method that lists returns its first page.
        """
        return RawResponseProxy(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"
