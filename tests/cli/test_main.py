"""The `talkkit` command group itself: its global options; `talkkit emulator serve`'s call clock."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import pytest
from click.testing import CliRunner

import talkkit
from talkkit.cli import build_cli


def test_version_option_prints_the_package_version() -> None:
    """`talkkit --version` prints the installed package's version and exits 0."""
    result = CliRunner().invoke(build_cli(), ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output == f"talkkit {version('talkkit')}\n"
    assert talkkit.__version__ in result.output


def test_emulator_serve_takes_the_call_time_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    """`talkkit emulator serve --call-time-scale X` serves an emulator whose calls run X times."""
    import talkkit.emulator

    served: dict[str, Any] = {}
    monkeypatch.setattr(talkkit.emulator, "serve", lambda **kwargs: served.update(kwargs))
    result = CliRunner().invoke(build_cli(), ["emulator", "serve", "--call-time-scale", "0.01"])
    assert result.exit_code == 0, result.output
    assert served["emulator"].call_time_scale == 0.01
    env = {"TALKKIT_EMULATOR_CALL_TIME_SCALE": "0"}
    result = CliRunner().invoke(build_cli(), ["emulator", "serve"], env=env)
    assert result.exit_code == 0, result.output
    assert served["emulator"].call_time_scale == 0.0
