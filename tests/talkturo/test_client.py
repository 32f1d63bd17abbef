"""AsyncTalkturo: client-wide defaults for account slug and team, derived clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from talkkit import (
    AuthenticationError,
    ConfigurationError,
    InvalidRequestError,
    PermissionDeniedError,
)
from talkkit.emulator import TALKTURO_ACCOUNT_SLUG, TALKTURO_TEAM_ID, Emulator
from talkkit.talkturo import AsyncTalkturo

from .conftest import BASE_URL, Recorder

pytestmark = pytest.mark.anyio


async def test_team_default_is_sent(talkturo: AsyncTalkturo, recorder: Recorder) -> None:
    """A method without team_id sends the client's default teamId."""
    await talkturo.campaigns.list().first_page()
    assert recorder.last.params["teamId"] == TALKTURO_TEAM_ID


async def test_argument_overrides_team_default(
    make_client: Callable[..., AsyncTalkturo], recorder: Recorder
) -> None:
    """A team_id argument wins over the client default."""
    client = make_client(team_id="team_elsewhere")
    await client.campaigns.list(team_id=TALKTURO_TEAM_ID).first_page()
    assert recorder.last.params["teamId"] == TALKTURO_TEAM_ID


async def test_account_slug_default_is_sent(talkturo: AsyncTalkturo, recorder: Recorder) -> None:
    """A method without account_slug sends the client's default accountSlug."""
    await talkturo.assistants.create("Sam")
    assert recorder.last.json["accountSlug"] == TALKTURO_ACCOUNT_SLUG


async def test_argument_overrides_account_default(
    make_client: Callable[..., AsyncTalkturo], recorder: Recorder
) -> None:
    """An account_slug argument wins over the client default."""
    client = make_client(account_slug="someone-else")
    assistant = await client.assistants.create("Sam", account_slug=TALKTURO_ACCOUNT_SLUG)
    assert recorder.last.json["accountSlug"] == TALKTURO_ACCOUNT_SLUG
    assert assistant.account_id == "acct_01emulator"


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.campaigns.list(), "team_id"),
        (lambda c: c.contacts.list(), "team_id"),
        (lambda c: c.companies.list(), "team_id"),
        (lambda c: c.phone_numbers.list(), "team_id"),
    ],
)
async def test_missing_team_for_lists(
    bare: AsyncTalkturo, emu: Emulator, call: Callable[[AsyncTalkturo], object], field: str
) -> None:
    """Listing without any team raises InvalidRequestError naming team_id, sending nothing."""
    with pytest.raises(InvalidRequestError) as info:
        call(bare)
    assert info.value.field == field
    assert emu.request_log == []


async def test_missing_defaults_for_writes(bare: AsyncTalkturo, emu: Emulator) -> None:
    """Writes that need a team or an account slug fail before sending without one."""
    with pytest.raises(InvalidRequestError) as team:
        await bare.campaigns.create("Q3")
    with pytest.raises(InvalidRequestError) as account:
        await bare.assistants.create("Sam")
    with pytest.raises(InvalidRequestError) as update:
        await bare.assistants.update("asst_1", name="x")
    with pytest.raises(InvalidRequestError) as purchase:
        await bare.phone_numbers.purchase("+14155550100")
    assert (team.value.field, account.value.field) == ("team_id", "account_slug")
    assert (update.value.field, purchase.value.field) == ("account_slug", "team_id")
    assert emu.request_log == []


async def test_blank_default_is_rejected(make_client: Callable[..., AsyncTalkturo]) -> None:
    """A blank or slash-containing default fails at construction, naming the field."""
    with pytest.raises(InvalidRequestError, match="team_id"):
        make_client(team_id=" ")
    with pytest.raises(InvalidRequestError, match="account_slug"):
        make_client(account_slug="a/b")


async def test_defaults_from_environment(
    make_client: Callable[..., AsyncTalkturo],
    recorder: Recorder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """TALKTURO_TEAM_ID and TALKTURO_ACCOUNT_SLUG are the defaults; arguments win over them."""
    monkeypatch.setenv("TALKTURO_TEAM_ID", TALKTURO_TEAM_ID)
    monkeypatch.setenv("TALKTURO_ACCOUNT_SLUG", TALKTURO_ACCOUNT_SLUG)
    client = make_client()
    await client.companies.create("Acme")
    assert [c.name async for c in client.companies.list()] == ["Acme"]
    assert recorder.last.params["teamId"] == TALKTURO_TEAM_ID
    await client.assistants.create("Sam")
    assert recorder.last.json["accountSlug"] == TALKTURO_ACCOUNT_SLUG
    other = make_client(team_id="team_other", account_slug="other")
    assert (other.team_id, other.account_slug) == ("team_other", "other")


async def test_bad_environment_defaults(
    make_client: Callable[..., AsyncTalkturo], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A blank variable gives no default; one with a slash fails at construction."""
    monkeypatch.setenv("TALKTURO_TEAM_ID", " ")
    assert make_client().team_id is None
    monkeypatch.setenv("TALKTURO_ACCOUNT_SLUG", "a/b")
    with pytest.raises(ConfigurationError, match="TALKTURO_ACCOUNT_SLUG"):
        make_client()


async def test_with_options_keeps_and_replaces_defaults(
    talkturo: AsyncTalkturo, recorder: Recorder
) -> None:
    """Derived clients inherit the defaults, may replace them, and keep working resources."""
    same = talkturo.with_options(max_retries=0)
    other = talkturo.with_options(team_id="team_other", account_slug=None)
    assert (same.team_id, same.account_slug) == (TALKTURO_TEAM_ID, TALKTURO_ACCOUNT_SLUG)
    assert (other.team_id, other.account_slug) == ("team_other", None)
    await same.campaigns.list().first_page()
    assert recorder.last.params["teamId"] == TALKTURO_TEAM_ID
    assert same.campaigns._client is same


async def test_resources_are_attached(talkturo: AsyncTalkturo) -> None:
    """Every documented resource is reachable as an attribute."""
    names = ["assistants", "campaigns", "contacts", "companies", "phone_numbers", "webhooks"]
    assert all(getattr(talkturo, name)._client is talkturo for name in names)


async def test_other_teams_data_is_forbidden(talkturo: AsyncTalkturo) -> None:
    """Another account's team answers 403, decoded as PermissionDeniedError."""
    with pytest.raises(PermissionDeniedError) as info:
        await talkturo.campaigns.list(team_id="team_01other").first_page()
    assert (info.value.status, info.value.message) == (403, "Forbidden")


async def test_wrong_token_is_authentication_error(emu: Emulator) -> None:
    """A token the server does not know raises AuthenticationError."""
    async with AsyncTalkturo(
        "tk_test_wrong", base_url=BASE_URL, transport=emu.transport(), rate_limit=None
    ) as wrong:
        with pytest.raises(AuthenticationError):
            await wrong.contacts.list(team_id=TALKTURO_TEAM_ID).first_page()
