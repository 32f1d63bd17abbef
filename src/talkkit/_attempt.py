"""
How long one attempt may take, shared by the innermost handler and the transports.

httpx's timeouts bound each network operation, so a server that trickles one byte at a time
(a slow loris) resets the read timeout with every byte and could hold an attempt forever. An
attempt therefore gets at most the sum of its phase timeouts (pool + connect + write + read:
what a server answering in one go can take at most). `talkkit._transport.TransportHandler`
applies it to every attempt; talkkit's aiohttp transports cut their own wait for the
response headers at the same limit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import httpx

__all__ = ["NO_TIMEOUTS", "attempt_limit", "cut_off"]

NO_TIMEOUTS: Mapping[str, float | None] = {}
"""A request without a ``timeout`` extension (no phase is bounded)."""

_PHASES = ("pool", "connect", "write", "read")


def attempt_limit(timeouts: Mapping[str, float | None]) -> float:
    """
    The longest one attempt may take: the sum of its phase timeouts (``inf`` if one is off).

    That is what a server answering in one go can use at most, waiting for a connection,
    connecting, writing and then reading once each; a server trickling bytes to keep every
    read short cannot stretch an attempt past it.
    """
    total = 0.0
    for phase in _PHASES:
        seconds = timeouts.get(phase)
        if seconds is None:
            return math.inf
        total += seconds
    return total


def cut_off(request: httpx.Request, limit: float, waited_for: str = "headers") -> httpx.ReadTimeout:
    """The timeout of an attempt that reached its limit (see `attempt_limit`)."""
    return httpx.ReadTimeout(
        f"response {waited_for} not received within the attempt's {limit:.3g} s", request=request
    )
