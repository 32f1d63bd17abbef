"""The converters: camelCase mapping, lenient reads, typed decode errors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from talkkit import DecodeError
from talkkit._converter import camelize_keys, make_converter, structure, to_camel
from talkkit.talkory.types import HealthStatus, LLMHealth, ProviderStatus, Query, Usage


@pytest.mark.parametrize(
    ("name", "wire"),
    [
        ("first_name", "firstName"),
        ("address_line1", "addressLine1"),
        ("from_", "from"),
        ("id", "id"),
    ],
)
def test_to_camel(name: str, wire: str) -> None:
    """snake_case attribute names map to the camelCase wire names."""
    assert to_camel(name) == wire


def test_camelize_keys() -> None:
    """Request bodies built from keyword arguments get camelCase keys."""
    assert camelize_keys({"team_id": "t", "do_not_call": False}) == {
        "teamId": "t",
        "doNotCall": False,
    }


def test_health_decodes_leniently() -> None:
    """Known enums become enums, unknown values stay strings, extra keys are kept."""
    data: dict[str, Any] = {
        "status": "degraded",
        "checkedAt": "2026-06-27T10:00:00.000Z",
        "providers": {"gpt": {"status": "ok"}, "grok": {"status": "melting", "since": 3}},
        "region": "eu",
    }
    health = structure(make_converter(response_case="camel"), data, LLMHealth)
    assert health.status is HealthStatus.DEGRADED
    assert health.checked_at == datetime(2026, 6, 27, 10, 0, tzinfo=UTC)
    assert health.providers["gpt"].status is ProviderStatus.OK
    assert health.providers["grok"].status == "melting"
    assert health.providers["grok"].extra == {"since": 3}
    assert health.extra == {"region": "eu"}


def test_naive_timestamps_become_utc() -> None:
    """A timestamp without a zone is read as UTC, so every datetime is aware."""
    query = structure(
        make_converter(response_case="camel"),
        {"id": "q", "status": "running", "createdAt": "2026-01-02T03:04:05"},
        Query,
    )
    assert query.created_at is not None
    assert query.created_at.tzinfo is UTC


def test_reserved_word_field() -> None:
    """The usage period's `from` key lands in `from_`."""
    usage = structure(
        make_converter(response_case="camel"), {"period": {"from": "2026-01-01T00:00:00Z"}}, Usage
    )
    assert usage.period.from_ == datetime(2026, 1, 1, tzinfo=UTC)


def test_wrong_shape_is_a_decode_error_with_a_path() -> None:
    """A wrong-typed nested field raises DecodeError naming where it is."""
    with pytest.raises(DecodeError) as info:
        structure(
            make_converter(response_case="camel"),
            {"status": "ok", "providers": {"gpt": {"status": 5}}},
            LLMHealth,
        )
    assert "providers" in info.value.path
    with pytest.raises(DecodeError):
        structure(make_converter(response_case="camel"), ["not", "an", "object"], LLMHealth)
