"""The `talkkit` command group itself: its global options."""

from __future__ import annotations

from importlib.metadata import version

from click.testing import CliRunner

import talkkit
from talkkit.cli import build_cli


def test_version_option_prints_the_package_version() -> None:
    """`talkkit --version` prints the installed package's version and exits 0."""
    result = CliRunner().invoke(build_cli(), ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output == f"talkkit {version('talkkit')}\n"
    assert talkkit.__version__ in result.output
