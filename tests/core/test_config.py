"""Configuration: tokens from args or env, prefix checks, base URL safety, rate parsing."""

from __future__ import annotations

import httpx
import pytest

from talkkit import (
    AsyncTalkory,
    AsyncTalkover,
    AsyncTalkturo,
    ConfigurationError,
    InvalidRequestError,
    RateLimit,
)
from talkkit._config import Secret, check_base_url

KEY = "tk_live_" + "x" * 32


def test_token_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an argument the token comes from the platform's env var."""
    monkeypatch.setenv("TALKORY_API_KEY", KEY)
    client = AsyncTalkory(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    assert client.config.token.get() == KEY


def test_missing_token_names_the_env_var() -> None:
    """A missing token is a ConfigurationError (a ValueError) naming the variable."""
    with pytest.raises(ConfigurationError, match="TALKOVER_TOKEN") as info:
        AsyncTalkover()
    assert isinstance(info.value, InvalidRequestError)
    assert info.value.field == "token"


def test_prefix_check_does_not_echo_the_token() -> None:
    """A Talkover token must start with talq_; the error says so without showing it."""
    with pytest.raises(ConfigurationError, match="talq_") as info:
        AsyncTalkover("secret-value-123")
    assert "secret-value-123" not in str(info.value)


def test_talkturo_needs_a_base_url() -> None:
    """Talkturo has no default domain: the error says how to give one."""
    with pytest.raises(ConfigurationError, match="TALKTURO_BASE_URL"):
        AsyncTalkturo("any-token")


@pytest.mark.parametrize(
    "url",
    ["http://localhost:8000/api", "http://127.0.0.1/api", "http://[::1]:9/x", "http://a.localhost"],
)
def test_http_allowed_to_loopback(url: str) -> None:
    """Cleartext is fine to loopback hosts (the emulator)."""
    assert check_base_url(url, allow_insecure=False).scheme == "http"


def test_http_refused_to_remote_hosts() -> None:
    """Cleartext to a remote host is refused unless explicitly allowed."""
    with pytest.raises(ConfigurationError, match="allow_insecure"):
        check_base_url("http://api.example.com", allow_insecure=False)
    assert check_base_url("http://api.example.com", allow_insecure=True).host == "api.example.com"


def test_bad_base_url() -> None:
    """A relative or non-http URL is refused with the field named."""
    with pytest.raises(ConfigurationError, match="base_url"):
        check_base_url("ftp://x", allow_insecure=False)
    with pytest.raises(ConfigurationError, match="base_url"):
        check_base_url("/just/a/path", allow_insecure=False)


def test_base_url_trailing_slash_and_query_are_dropped() -> None:
    """Paths are appended cleanly whatever the user typed."""
    assert str(check_base_url("https://x.io/api/?a=1", allow_insecure=False)) == "https://x.io/api"


@pytest.mark.parametrize(
    ("text", "limit", "period"),
    [
        ("30/min", 30, 60.0),
        ("5/s", 5, 1.0),
        ("1000/hour", 1000, 3600.0),
        ("100 per minute", 100, 60.0),
    ],
)
def test_rate_limit_parse(text: str, limit: float, period: float) -> None:
    """N/s, N/min and N/h forms parse."""
    rate = RateLimit.parse(text)
    assert (rate.limit, rate.period) == (limit, period)


def test_rate_limit_parse_rejects_garbage() -> None:
    """A malformed rate names the field and the expected form."""
    with pytest.raises(ConfigurationError, match="N/s"):
        RateLimit.parse("fast")


def test_secret_never_shows() -> None:
    """A Secret's repr and str hide the value."""
    secret = Secret("tk_live_supersecret")
    assert "supersecret" not in repr(secret)
    assert "supersecret" not in str(secret)
    assert secret.get() == "tk_live_supersecret"
