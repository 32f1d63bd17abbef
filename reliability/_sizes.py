"""How big each scenario runs, and the faults every chaos scenario injects."""

from __future__ import annotations

from typing import Final

import attrs

from talkkit.emulator import FaultRule

__all__ = [
    "CALL_TIME_SCALE",
    "CHAOS",
    "CI",
    "FULL",
    "GRACE",
    "SIZES",
    "Size",
    "chaos",
    "describe_chaos",
]

CHAOS: Final = FaultRule(
    "*",
    error_rate=0.10,  # 500 without processing
    throttle_rate=0.05,  # 429 with Retry-After
    retry_after=0.02,
    drop_rate=0.02,  # connection dropped before processing
    commit_drop_rate=0.01,  # processed, then the connection dropped instead of the answer
)
"""
The faults of the chaos scenarios (`chaos` puts them on a route).

``retry_after`` is short on purpose: every 429 pauses all workers of the key for that long (the
shared cooldown), so with a realistic one second the ~5,900 throttles of the full import would
take over an hour and a half of cooldown alone, measuring the sleep, not the SDK.
"""


GRACE: Final = 0.5
"""
The ``--reconcile-grace`` (``reconcile_grace``) of every scenario, in seconds. The default 60 s
allows for a real call history that shows a call late; the emulator's shows it at once, and a
grace of a minute would only add a minute of waiting to every scenario. Above 0, an unclear item
is still looked up twice: right away, and once more at the end of the job.
"""
CALL_TIME_SCALE: Final = 0.001
"""
The emulator's ``call_time_scale`` in the scenarios that wait for calls: real seconds per
second of a call, so a four-minute call ends in a quarter of a second.
"""


def chaos(route: str) -> FaultRule:
    """The chaos faults on one route (an fnmatch pattern such as ``"POST /api/crm/contacts"``)."""
    return attrs.evolve(CHAOS, route=route)


def describe_chaos() -> str:
    """The chaos rates as the report states them."""
    return (
        f"{CHAOS.error_rate:.0%} 5xx, {CHAOS.throttle_rate:.0%} 429 with Retry-After "
        f"{CHAOS.retry_after:g} s, {CHAOS.drop_rate:.0%} connections dropped before processing, "
        f"{CHAOS.commit_drop_rate:.0%} processed then dropped (commit-then-drop)"
    )


@attrs.frozen(kw_only=True)
class Size:
    """
    The size of one run of the suite.

    Attributes:
        name: ``full`` or ``ci``.
        contacts: Rows of the chaos import.
        numbers: Numbers of the chaos dialing.
        kill_rows: Rows of the kill-and-resume import.
        kills: SIGKILLs during the kill-and-resume import.
        companies: Rows of the chaos company import.
        kill_numbers: Numbers of each kill-and-resume dialing (command line, library).
        kill_companies: Rows of the kill-and-resume company import.
        sent_once_kills: SIGKILLs during each kill-and-resume dialing and company import.
        wrong_token_rows: Rows of the contact import run with a wrong token.
        wrong_token_numbers: Numbers of the dialing run with a wrong token.
        wait_numbers: Numbers of the dialing that waits for every call to end.
        fuzz_profile: The Hypothesis profile of ``tests/fuzz`` (see its conftest).
        import_concurrency: ``--concurrency`` of the imports.
        dial_concurrency: ``--concurrency`` of the dialing.
    """

    name: str
    contacts: int
    numbers: int
    kill_rows: int
    kills: int
    companies: int
    kill_numbers: int
    kill_companies: int
    sent_once_kills: int
    wrong_token_rows: int
    wrong_token_numbers: int
    wait_numbers: int
    fuzz_profile: str
    import_concurrency: int = 64
    dial_concurrency: int = 32


FULL = Size(
    name="full",
    contacts=100_000,
    numbers=5_000,
    kill_rows=20_000,
    kills=10,
    companies=10_000,
    kill_numbers=5_000,
    kill_companies=2_000,
    sent_once_kills=10,
    wrong_token_rows=20_003,
    wrong_token_numbers=5_000,
    wait_numbers=2_000,
    fuzz_profile="fuzz",
)
CI = Size(
    name="ci",
    contacts=3_000,
    numbers=5_000,  # the dial job: about 25 s on 2 cores with every run of the scenario
    kill_rows=1_500,
    kills=3,
    companies=600,
    kill_numbers=600,
    kill_companies=400,
    sent_once_kills=3,
    wrong_token_rows=1_000,
    wrong_token_numbers=300,
    wait_numbers=300,
    fuzz_profile="fuzz-ci",
)
SIZES: Final = {size.name: size for size in (FULL, CI)}
