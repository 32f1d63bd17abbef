"""
The CI size of the reliability suite's scenarios 1–3 (``python -m reliability --size ci``): the
``talkkit`` command line against a served emulator failing 18 % of the requests.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from reliability._chaos import chaos_dial, chaos_import
from reliability._kill import kill_and_resume

from reliability import CI


def test_chaos_import_loses_nothing_and_stores_nothing_twice(tmp_path: Path) -> None:
    """3,000 contacts under 5xx, 429, drops and commit-then-drops: 0 lost, 0 duplicates, truth matches."""
    scenario = chaos_import(CI, tmp_path)
    assert scenario.ok, scenario.failed_checks()


def test_chaos_dialing_never_calls_a_number_twice(tmp_path: Path) -> None:
    """500 numbers under the same faults: none called twice, every uncalled one reported, re-run dials none."""
    scenario = chaos_dial(CI, tmp_path)
    assert scenario.ok, scenario.failed_checks()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_killed_import_resumes_to_exactly_once(tmp_path: Path) -> None:
    """SIGKILLed at seeded points and resumed from its journal: 0 lost, 0 duplicates, journal intact."""
    scenario = kill_and_resume(CI, tmp_path)
    assert scenario.ok, scenario.failed_checks()
