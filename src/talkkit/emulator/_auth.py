"""Bearer-token checks shared by the three platforms."""

from __future__ import annotations

import attrs

from talkkit.emulator._errors import ErrorKind

__all__ = ["Credentials", "bearer_token"]


def bearer_token(header: str | None) -> str | None:
    """Return the token of an `Authorization: Bearer <token>` header, or `None`."""
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


@attrs.frozen
class Credentials:
    """
    The credentials one platform accepts.

    Args:
        tokens: Tokens that authenticate.
        expired: Tokens that are recognised but expired.
        prefix: Required token prefix; tokens without it are invalid whatever the list says.
    """

    tokens: frozenset[str]
    expired: frozenset[str] = frozenset()
    prefix: str = ""

    def check(self, header: str | None) -> str | ErrorKind:
        """Return the authenticated token, or the kind of authentication failure."""
        token = bearer_token(header)
        if token is None:
            return ErrorKind.MISSING_CREDENTIALS
        if not token.startswith(self.prefix):
            return ErrorKind.INVALID_CREDENTIALS
        if token in self.expired:
            return ErrorKind.EXPIRED_CREDENTIALS
        if token not in self.tokens:
            return ErrorKind.INVALID_CREDENTIALS
        return token
