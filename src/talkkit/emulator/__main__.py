"""`python -m talkkit.emulator [--host H] [--port N] [--seed S]`: serve the emulator."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from talkkit.emulator._emulator import Emulator
from talkkit.emulator._serve import banner, serve

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line, print the base URLs and tokens, and serve until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="python -m talkkit.emulator", description="Serve the talkkit API emulator."
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="TCP port (8765)")
    parser.add_argument("--seed", type=int, default=0, help="seed for ids and faults (0)")
    args = parser.parse_args(argv)
    print(banner(args.host, args.port), flush=True)
    serve(host=args.host, port=args.port, emulator=Emulator(seed=args.seed))


if __name__ == "__main__":
    main()
