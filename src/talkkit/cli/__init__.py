"""
The `talkkit` command line: a click group with lazily imported commands.

It needs the `cli` extra (`pip install 'talkkit[cli]'`); without it, `main()` prints that
command and exits with status 1 instead of failing with a traceback.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import click

__all__ = ["COMMANDS", "build_cli", "main"]

COMMANDS = (
    "talkkit.cli._bulk:calls",
    "talkkit.cli._bulk:companies",
    "talkkit.cli._bulk:contacts",
    "talkkit.cli._demo:demo",
    "talkkit.cli._emulator:emulator",
    "talkkit.cli._health:health",
    "talkkit.cli._jobs:jobs",
    "talkkit.cli._webhooks:webhooks",
)
"""The group's commands as `"module:attribute"`; register a new command by adding a line."""

_MISSING_EXTRA = "The talkkit command line needs the 'cli' extra: pip install 'talkkit[cli]'\n"


def build_cli() -> click.Group:
    """
    Build the `talkkit` command group with every command in `COMMANDS`.

    Raises:
        ModuleNotFoundError: When click (the `cli` extra) is not installed.
    """
    import click

    @click.group(context_settings={"help_option_names": ["-h", "--help"]})
    # The version is read from the installed package's metadata, as `talkkit.__version__` is.
    @click.version_option(
        package_name="talkkit", prog_name="talkkit", message="%(prog)s %(version)s"
    )
    def talkkit() -> None:
        """Tools for the talkkit voice-AI SDK (Talkturo, Talkover, Talkory)."""

    for spec in COMMANDS:
        module, _, attribute = spec.partition(":")
        talkkit.add_command(getattr(importlib.import_module(module), attribute))
    return talkkit


def main(args: Sequence[str] | None = None) -> None:
    """
    Run the `talkkit` console script.

    Args:
        args: Command-line arguments; `sys.argv[1:]` when omitted.
    """
    try:
        group = build_cli()
    except ModuleNotFoundError as exc:
        if exc.name != "click":
            raise
        sys.stderr.write(_MISSING_EXTRA)
        raise SystemExit(1) from None
    group.main(args=list(args) if args is not None else None, prog_name="talkkit")
