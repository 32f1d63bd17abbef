"""
`python -m talkkit.emulator [--host H] [--port N] [--seed S] [--allow-duplicates]
[--call-time-scale X]`: serve it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from talkkit.emulator._emulator import Emulator
from talkkit.emulator._serve import banner, serve
from talkkit.emulator._talkover_lifecycle import check_time_scale

__all__ = ["ALLOW_DUPLICATES_ENV", "CALL_TIME_SCALE_ENV", "main"]

ALLOW_DUPLICATES_ENV = "TALKKIT_EMULATOR_ALLOW_DUPLICATES"
"""Set to ``1`` to serve an emulator that stores duplicate contacts and companies."""

CALL_TIME_SCALE_ENV = "TALKKIT_EMULATOR_CALL_TIME_SCALE"
"""Real seconds per second of a call's life (e.g. ``0.01``: calls end 100 times faster)."""


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line, print the base URLs and tokens, and serve until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="python -m talkkit.emulator", description="Serve the talkkit API emulator."
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="TCP port (8765)")
    parser.add_argument(
        "--seed", type=int, default=0, help="seed for ids, faults and how calls end (0)"
    )
    parser.add_argument(
        "--allow-duplicates",
        action="store_true",
        default=_env_flag(os.environ.get(ALLOW_DUPLICATES_ENV)),
        help="store every contact and company create instead of refusing existing ones "
        f"with 409 (also: {ALLOW_DUPLICATES_ENV}=1)",
    )
    parser.add_argument(
        "--call-time-scale",
        type=_time_scale,
        default=os.environ.get(CALL_TIME_SCALE_ENV, "1"),
        metavar="X",
        help="real seconds per second of a call's life: 1 real time, 0.01 a hundred times "
        f"faster, 0 calls end at once (1; also: {CALL_TIME_SCALE_ENV})",
    )
    args = parser.parse_args(argv)
    print(banner(args.host, args.port), flush=True)
    emulator = Emulator(
        seed=args.seed,
        refuse_duplicates=not args.allow_duplicates,
        call_time_scale=args.call_time_scale,
    )
    serve(host=args.host, port=args.port, emulator=emulator)


def _time_scale(text: str) -> float:
    try:
        return check_time_scale(float(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _env_flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


if __name__ == "__main__":
    main()
