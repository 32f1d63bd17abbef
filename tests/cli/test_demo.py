"""`talkkit demo`: the embedded emulator, faults on, every row ending exactly once."""

from __future__ import annotations

from click.testing import CliRunner

from talkkit.cli import build_cli


def test_demo_runs_and_matches_the_emulator() -> None:
    """A small demo finishes with exit 0, both jobs summarised, the calls followed to their end,
    and the emulator's truth (stored contacts, placed calls, final statuses) matching."""
    result = CliRunner().invoke(build_cli(), ["demo", "--contacts", "120", "--calls", "12"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Set up: 1 company, 25 existing contacts, 1 published agent." in out
    assert "│ contacts │   120 │" in out
    assert "│ calls    │    12 │" in out
    assert "What the rate limiter and retries did" in out
    assert "How the calls ended" in out  # the calls were followed to their end
    assert "talk time" in out
    assert "0 duplicates" in out
    assert "0 numbers called twice" in out
    assert "✓ matches the summary" in out
