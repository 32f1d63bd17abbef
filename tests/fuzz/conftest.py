"""
Hypothesis profiles of the fuzz tests, and an event loop the synchronous property tests share.

``HYPOTHESIS_PROFILE=fuzz`` (what ``python -m reliability --size full`` sets) runs 2,500
examples per property test (``TALKKIT_FUZZ_EXAMPLES`` changes it), over 25,000 in the session;
anything else the ``fuzz-ci`` profile, 200 per test. The profiles apply to this folder only
(each test names its settings), so other Hypothesis tests keep theirs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, settings

_COMMON = settings(
    deadline=None,  # a shared CI machine must not turn slowness into a failure
    database=None,  # nothing written into the working tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
FUZZ_EXAMPLES = int(os.environ.get("TALKKIT_FUZZ_EXAMPLES", "2500"))
"""Examples per property test in the ``fuzz`` profile: ten properties, 25,000 in the session."""
settings.register_profile("fuzz-ci", _COMMON, max_examples=200)
settings.register_profile("fuzz", _COMMON, max_examples=FUZZ_EXAMPLES)

BACKENDS = [b for b in os.environ.get("TALKKIT_TEST_BACKENDS", "asyncio,trio").split(",") if b]


@pytest.fixture(scope="module", params=BACKENDS)
def portal(request: pytest.FixtureRequest) -> Iterator[BlockingPortal]:
    """An event loop (asyncio or trio) in a thread; run coroutines with ``portal.call``."""
    with start_blocking_portal(str(request.param)) as running:
        yield running
