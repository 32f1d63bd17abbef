"""The pytest plugin, exercised the way users use it (through pytester)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

USER_TEST = """
import pytest
from talkkit import AuthenticationError

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def test_health(talkory, talkkit_emulator):
    health = await talkory.health.llm()
    assert health.status in ("ok", "degraded")
    assert any(r.path == "/v1/health/llm" for r in talkkit_emulator.request_log)


async def test_fresh_emulator_each_test(talkkit_emulator):
    assert talkkit_emulator.request_log == []


async def test_clients_are_wired(talkturo, talkover, talkory):
    assert talkturo.base_url.endswith("/api")
    assert talkover.base_url.endswith("/api/v1")


async def test_bad_token_is_typed(talkkit_emulator):
    from talkkit import AsyncTalkover
    client = AsyncTalkover("talq_wrong", base_url="http://localhost/api/v1", transport=talkkit_emulator.transport())
    with pytest.raises(AuthenticationError):
        await client.request_json("GET", "/health")
"""


def test_fixtures_work_in_a_users_project(pytester: pytest.Pytester) -> None:
    """A user's test module gets the emulator and bound clients with no setup at all."""
    pytester.makepyfile(test_user=USER_TEST)
    result = pytester.runpytest_inprocess("-p", "no:asyncio", "-W", "error")
    result.assert_outcomes(passed=4)


def test_options_fixture_configures_the_emulator(pytester: pytest.Pytester) -> None:
    """Overriding talkkit_emulator_options in conftest.py reaches the emulator."""
    pytester.makeconftest(
        """
import pytest

@pytest.fixture
def talkkit_emulator_options():
    return {"talkory_keys": ("tk_live_" + "z" * 32,)}  # the fixture client's key is not accepted
"""
    )
    pytester.makepyfile(
        test_limits="""
import pytest
from talkkit import AuthenticationError

@pytest.fixture
def anyio_backend():
    return "asyncio"

@pytest.mark.anyio
async def test_key_is_refused(talkory):
    with pytest.raises(AuthenticationError):
        await talkory.wallet.get()
"""
    )
    result = pytester.runpytest_inprocess("-p", "no:asyncio")
    result.assert_outcomes(passed=1)
