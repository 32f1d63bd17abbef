"""
The CI size of the reliability suite's scenarios 1–5 (``python -m reliability --size ci``): the
``talkkit`` command line (and for dialing the library too) against a served emulator failing 18 %
of the requests, with the truth counted per row on the emulator and every row's outcome read from
the run's ``--results`` file and journal.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

import pytest
from reliability._chaos import chaos_dial, chaos_import
from reliability._kill import kill_and_resume
from reliability._once import chaos_companies, kill_and_resume_companies, kill_and_resume_dial
from reliability._stops import job_stops
from reliability._wait import dial_and_wait

from reliability import CI


def test_chaos_import_loses_nothing_and_stores_nothing_twice(tmp_path: Path) -> None:
    """3,000 contacts under 5xx, 429, drops and commit-then-drops: 0 unknown, the store is the valid distinct rows."""
    scenario = chaos_import(CI, tmp_path)
    assert scenario.ok, scenario.failed_checks()


def test_chaos_company_import_creates_each_company_once(tmp_path: Path) -> None:
    """600 companies under the same faults, duplicates not refused: at most once each; --retry-failed creates the not placed."""
    scenario = chaos_companies(CI, tmp_path)
    assert scenario.ok, scenario.failed_checks()


def test_chaos_dialing_never_calls_a_number_twice(tmp_path: Path) -> None:
    """5,000 numbers under the same faults: ≤ 1 % unknown, none twice; redialing the not placed calls each valid number once."""
    scenario = chaos_dial(CI, tmp_path)
    assert scenario.ok, scenario.failed_checks()


def test_preflight_wrong_token_and_storm_stop_jobs_and_resumed_runs_send_the_rest(
    tmp_path: Path,
) -> None:
    """Preflight exits 2 sending nothing; a wrong token or a storm stops the job, counts add up, not_sent rows are sent on resume."""
    scenario = job_stops(CI, tmp_path)
    assert scenario.ok, scenario.failed_checks()


@pytest.mark.parametrize("via", ["cli", "library"])
def test_waiting_for_calls_reports_the_emulators_final_statuses(
    tmp_path: Path, via: Literal["cli", "library"]
) -> None:
    """Dialing with wait under faults: each done call's status and talk time are the emulator's."""
    scenario = dial_and_wait(CI, tmp_path, via=via)
    assert scenario.ok, scenario.failed_checks()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_killed_import_resumes_to_exactly_once(tmp_path: Path) -> None:
    """SIGKILLed at seeded points and resumed from its journal: 0 lost, 0 duplicates, journal intact."""
    scenario = kill_and_resume(CI, tmp_path)
    assert scenario.ok, scenario.failed_checks()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("via", ["cli", "library"])
def test_killed_dialing_resumes_without_calling_a_number_twice(
    tmp_path: Path, via: Literal["cli", "library"]
) -> None:
    """Dialing SIGKILLed at seeded points under faults and resumed: no number called twice, each accounted for."""
    scenario = kill_and_resume_dial(CI, tmp_path, via=via)
    assert scenario.ok, scenario.failed_checks()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_killed_company_import_resumes_creating_each_company_once(tmp_path: Path) -> None:
    """A company import SIGKILLed and resumed, duplicates not refused: each name created at most once."""
    scenario = kill_and_resume_companies(CI, tmp_path)
    assert scenario.ok, scenario.failed_checks()
