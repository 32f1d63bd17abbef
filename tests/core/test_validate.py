"""Write validation: every failure names the field and the problem."""

from __future__ import annotations

import pytest

from talkkit import InvalidRequestError
from talkkit._validate import e164, hhmm, iana_timezone, in_range, non_empty, one_of


def test_e164_accepts_and_normalises() -> None:
    """A valid E.164 number comes back in canonical form."""
    assert e164("phone", " +12025550123 ") == "+12025550123"
    assert e164("phone", "+44 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize(
    "value", ["2025550123", "+1202", "+99912345678", "phone", "", None, 12025550123]
)
def test_e164_rejects(value: object) -> None:
    """Missing '+', too short, unknown country, words, empty and non-strings are refused."""
    with pytest.raises(InvalidRequestError) as info:
        e164("phone", value)
    assert info.value.field == "phone"
    assert "phone:" in str(info.value)


def test_other_validators() -> None:
    """Enums, ranges, HH:MM, time zones and required strings each name their field."""
    assert one_of("template", "custom", {"custom", "follow-up"}) == "custom"
    assert in_range("temperature", 0.7, 0.0, 2.0) == 0.7
    assert hhmm("call_window_start", "09:00") == "09:00"
    assert iana_timezone("timezone", "America/New_York") == "America/New_York"
    assert non_empty("name", "x") == "x"
    cases = [
        (lambda: one_of("template", "sales", {"custom"}), "template"),
        (lambda: in_range("temperature", 2.5, 0.0, 2.0), "temperature"),
        (lambda: in_range("temperature", True, 0.0, 2.0), "temperature"),
        (lambda: hhmm("call_window_end", "25:00"), "call_window_end"),
        (lambda: hhmm("call_window_end", "9:00"), "call_window_end"),
        (lambda: iana_timezone("timezone", "Mars/Olympus"), "timezone"),
        (lambda: non_empty("name", "  "), "name"),
    ]
    for call, field in cases:
        with pytest.raises(InvalidRequestError) as info:
            call()
        assert info.value.field == field
