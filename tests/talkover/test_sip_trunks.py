"""SIP trunks: CRUD, the inferred list, verify, health and DIDs."""

from __future__ import annotations

import pytest

from talkkit import ConflictError, InvalidRequestError, NotFoundError
from talkkit.emulator import Emulator
from talkkit.talkover import AsyncTalkover, SipTransport, SipTrunk

from .conftest import RecordingTransport, new_agent

pytestmark = pytest.mark.anyio

DID = "+14155550777"


async def trunk(client: AsyncTalkover, domain: str = "sip.carrier.example") -> SipTrunk:
    """A TLS trunk."""
    return await client.sip_trunks.create(
        name="Carrier", domain=domain, username="acme", password="hunter2"
    )


async def test_create_sends_and_hides_the_password(
    client: AsyncTalkover, wire: RecordingTransport
) -> None:
    """The password is sent, never returned; defaults come from the server."""
    created = await client.sip_trunks.create(
        name="Carrier",
        provider_name="Telco",
        domain="sip.carrier.example",
        username="acme",
        password="hunter2",
        port=5060,
        transport="udp",
        outbound_proxy="proxy.carrier.example",
        auth_realm="carrier",
        is_active=True,
    )
    assert wire.last.body == {
        "name": "Carrier",
        "provider_name": "Telco",
        "domain": "sip.carrier.example",
        "username": "acme",
        "password": "hunter2",
        "port": 5060,
        "transport": "udp",
        "outbound_proxy": "proxy.carrier.example",
        "auth_realm": "carrier",
        "is_active": True,
    }
    assert created.transport == SipTransport.UDP
    assert created.is_verified is False
    assert "password" not in created.extra
    assert "hunter2" not in repr(created)


async def test_get_update_list_delete(client: AsyncTalkover, wire: RecordingTransport) -> None:
    """update is partial and resets verification; list (inferred) and delete work."""
    created = await trunk(client)
    await client.sip_trunks.verify(created.id)
    assert (await client.sip_trunks.get(created.id)).is_verified is True
    updated = await client.sip_trunks.update(created.id, domain="sip2.carrier.example")
    assert (wire.last.method, wire.last.body) == ("PUT", {"domain": "sip2.carrier.example"})
    assert updated.is_verified is False
    assert [t.id for t in await client.sip_trunks.list()] == [created.id]
    await client.sip_trunks.delete(created.id)
    with pytest.raises(NotFoundError):
        await client.sip_trunks.get(created.id)


async def test_verify_and_health(client: AsyncTalkover) -> None:
    """verify records the outcome (error when unreachable); health is a live probe."""
    good = await trunk(client)
    result = await client.sip_trunks.verify(good.id)
    assert (result.is_verified, result.health_status, result.error) == (True, "healthy", None)
    assert result.last_health_check_at is not None
    health = await client.sip_trunks.health(good.id)
    assert health.is_healthy is True
    assert health.response_time_ms is not None
    bad = await trunk(client, "sip.down.invalid")
    failed = await client.sip_trunks.verify(bad.id)
    assert failed.is_verified is False
    assert failed.error is not None
    assert (await client.sip_trunks.health(bad.id)).is_healthy is False


async def test_dids_add_list_remove(client: AsyncTalkover, wire: RecordingTransport) -> None:
    """A DID's country comes from its number; 409 on duplicates and on deleting a busy trunk."""
    owner = await trunk(client)
    did = await client.sip_trunks.add_did(owner.id, number="+1 415 555 0777")
    assert wire.last.body == {"country_code": "US", "number": DID}
    assert (did.number, did.sip_trunk_id) == (DID, owner.id)
    assert [d.id for d in await client.sip_trunks.list_dids(owner.id)] == [did.id]
    with pytest.raises(ConflictError) as duplicate:
        await client.sip_trunks.add_did(owner.id, number=DID, country_code="us")
    assert duplicate.value.code == "DID_ALREADY_EXISTS"
    assert wire.last.body == {"country_code": "US", "number": DID}
    with pytest.raises(ConflictError) as busy:
        await client.sip_trunks.delete(owner.id)
    assert busy.value.code == "TRUNK_HAS_DIDS"
    await client.sip_trunks.remove_did(owner.id, did.id)
    assert await client.sip_trunks.list_dids(owner.id) == []
    await client.sip_trunks.delete(owner.id)


async def test_did_in_use_cannot_be_removed(client: AsyncTalkover) -> None:
    """A DID linked to an agent is DID_IN_USE."""
    owner = await trunk(client)
    did = await client.sip_trunks.add_did(owner.id, number=DID)
    agent = await new_agent(client)
    await client.agents.update_calling(agent.id, direction="inbound", phone_number_ids=[did.id])
    with pytest.raises(ConflictError) as info:
        await client.sip_trunks.remove_did(owner.id, did.id)
    assert info.value.code == "DID_IN_USE"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"port": 0}, "port"),
        ({"port": 65536}, "port"),
        ({"transport": "sctp"}, "transport"),
        ({"password": ""}, "password"),
        ({"domain": ""}, "domain"),
    ],
)
async def test_create_validates(
    client: AsyncTalkover, emu: Emulator, kwargs: dict[str, object], field: str
) -> None:
    """Ports 1–65535, known transports, required credentials; errors never echo the password."""
    args: dict[str, object] = {
        "name": "C",
        "domain": "sip.example",
        "username": "u",
        "password": "p",
        **kwargs,
    }
    with pytest.raises(InvalidRequestError) as info:
        await client.sip_trunks.create(**args)  # type: ignore[arg-type]
    assert info.value.field == field
    assert emu.request_log == []


async def test_password_never_in_errors(client: AsyncTalkover) -> None:
    """A too-long password is refused without showing it."""
    secret = "p" * 300
    with pytest.raises(InvalidRequestError) as info:
        await client.sip_trunks.update("t1", password=secret)
    assert secret not in str(info.value)
    assert info.value.value is None


async def test_did_validation(client: AsyncTalkover, emu: Emulator) -> None:
    """DIDs need an E.164 number and a two-letter country."""
    with pytest.raises(InvalidRequestError, match="number"):
        await client.sip_trunks.add_did("t1", number="4155550777")
    with pytest.raises(InvalidRequestError, match="country_code"):
        await client.sip_trunks.add_did("t1", number=DID, country_code="USA")
    assert emu.request_log == []
