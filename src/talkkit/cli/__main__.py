"""``python -m talkkit.cli``: the `talkkit` command."""

from talkkit.cli import main

__all__: list[str] = []

main()
