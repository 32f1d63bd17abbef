"""
Redis URLs and the ``redis`` extra: checked and shown (without a password) the same way by the
public `talkkit.redis`, the limiter store and the CLI.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from talkkit.errors import ConfigurationError

__all__ = ["check_url", "redact_url", "require_redis"]

_MISSING_EXTRA = "the Redis rate limit needs the 'redis' extra: pip install 'talkkit[redis]'"
_SCHEMES = ("redis", "rediss", "unix")


def require_redis() -> None:
    """
    Check that redis-py (the ``redis`` extra) is installed.

    Raises:
        ImportError: It is not; the message names ``pip install 'talkkit[redis]'``.
    """
    try:
        import redis  # noqa: F401
    except ImportError as exc:
        raise ImportError(_MISSING_EXTRA) from exc


def redact_url(url: str) -> str:
    """``url`` without its password (in the netloc or a ``password=`` query parameter)."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, hostport = netloc.rpartition("@")
            user = userinfo.partition(":")[0]
            netloc = f"{user}@{hostport}" if user else hostport
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "password"])
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return "<unparsable Redis URL>"


def check_url(url: str) -> str:
    """
    Check that ``url`` is a Redis URL (``redis://``, ``rediss://`` or ``unix://``).

    Raises:
        ConfigurationError: It is not.
    """
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme not in _SCHEMES:
        raise ConfigurationError(
            "redis_url",
            f"expected redis://, rediss:// or unix:// (got {redact_url(url)!r})",
        )
    from redis.connection import parse_url

    try:
        parse_url(url)  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated
    except ValueError as exc:
        raise ConfigurationError("redis_url", f"{exc} (in {redact_url(url)!r})") from exc
    return url
