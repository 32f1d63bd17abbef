"""Talkover custom SIP trunks (``/sip-trunks``) and the DIDs routed through them."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit.errors import InvalidRequestError
from talkkit.talkover import _fields as f
from talkkit.talkover.types import Did, SipTransport, SipTrunk, SipTrunkHealth, SipTrunkVerification

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["SipTrunks"]


def _password(field: str, value: Any) -> str:
    # The value is never echoed in the error: it is a credential.
    if not isinstance(value, str) or not value or len(value) > 255:
        raise InvalidRequestError(field, "must be a non-empty string of at most 255 characters")
    return value


_TRUNK: dict[str, f.Check] = {
    "name": f.text(min_len=1, max_len=255),
    "provider_name": f.text(max_len=255),
    "domain": f.text(min_len=1, max_len=255),
    "username": f.text(min_len=1, max_len=255),
    "password": _password,
    "port": f.integer(1, 65535),
    "transport": f.choice(SipTransport),
    "outbound_proxy": f.text(max_len=255),
    "auth_realm": f.text(max_len=255),
    "is_active": f.flag,
}


def _path(trunk_id: str, tail: str = "") -> str:
    return f"/sip-trunks/{f.path_id('trunk_id', trunk_id)}{tail}"


class SipTrunks(Resource):
    """Bring-your-own-carrier SIP trunks (needs the ``allow_custom_sip_trunks`` plan flag)."""

    _client: AsyncTalkover

    async def list(self) -> builtins.list[SipTrunk]:
        """
        ``GET /sip-trunks``: every trunk.

        Inferred endpoint (and unpaginated shape): the reference shows no list page.
        """
        return await self._client.request_model("GET", "/sip-trunks", builtins.list[SipTrunk])

    async def create(
        self,
        *,
        name: str,
        domain: str,
        username: str,
        password: str,
        provider_name: str | None = None,
        port: int | None = None,
        transport: SipTransport | str | None = None,
        outbound_proxy: str | None = None,
        auth_realm: str | None = None,
        is_active: bool | None = None,
    ) -> SipTrunk:
        """
        ``POST /sip-trunks``: register a trunk (unverified until `verify`).

        Unsafe: never re-sent after it may have reached the server. On an unclear failure
        (`OutcomeUnknownError`) check `list` before creating it again.

        Args:
            password: Write-only; never returned, never shown in errors.
            port: 1 to 65535 (server default 5060 for UDP/TCP, 5061 for TLS).
            transport: ``udp``, ``tcp`` or ``tls`` (server default).
            is_active: Server default false.
        """
        required = ("name", "domain", "username", "password")
        body = f.build(_TRUNK, locals(), required=required)
        return await self._client.request_model(
            "POST", "/sip-trunks", SipTrunk, json=body, safety=Safety.UNSAFE
        )

    async def get(self, trunk_id: str) -> SipTrunk:
        """``GET /sip-trunks/{trunk_id}``: with ``health_status`` and ``last_health_check_at``."""
        return await self._client.request_model("GET", _path(trunk_id), SipTrunk)

    async def update(
        self,
        trunk_id: str,
        *,
        name: str | None = None,
        provider_name: str | None = None,
        domain: str | None = None,
        username: str | None = None,
        password: str | None = None,
        port: int | None = None,
        transport: SipTransport | str | None = None,
        outbound_proxy: str | None = None,
        auth_realm: str | None = None,
        is_active: bool | None = None,
    ) -> SipTrunk:
        """
        ``PUT /sip-trunks/{trunk_id}``: change only the fields given (``None`` leaves a field
        unchanged). Changing domain, transport or credentials resets ``is_verified``.
        Idempotent.
        """
        body = f.build(_TRUNK, locals())
        return await self._client.request_model(
            "PUT", _path(trunk_id), SipTrunk, json=body, safety=Safety.IDEMPOTENT
        )

    async def delete(self, trunk_id: str) -> None:
        """
        ``DELETE /sip-trunks/{trunk_id}``. Idempotent.

        Raises:
            ConflictError: ``TRUNK_HAS_DIDS`` until its DIDs are removed.
        """
        await self._client.request_json("DELETE", _path(trunk_id), safety=Safety.IDEMPOTENT)

    async def verify(self, trunk_id: str) -> SipTrunkVerification:
        """
        ``POST /sip-trunks/{trunk_id}/verify``: test connectivity and record the outcome
        (``is_verified``; ``error`` says why it failed).

        Unsafe: never re-sent after it may have reached the server; on an unclear failure
        (`OutcomeUnknownError`) `get` the trunk to read ``is_verified``.
        """
        return await self._client.request_model(
            "POST", _path(trunk_id, "/verify"), SipTrunkVerification, safety=Safety.UNSAFE
        )

    async def health(self, trunk_id: str) -> SipTrunkHealth:
        """``GET /sip-trunks/{trunk_id}/health``: a live probe; ``is_verified`` is unchanged."""
        return await self._client.request_model("GET", _path(trunk_id, "/health"), SipTrunkHealth)

    async def list_dids(self, trunk_id: str) -> builtins.list[Did]:
        """``GET /sip-trunks/{trunk_id}/dids``: the numbers routed through the trunk."""
        return await self._client.request_model("GET", _path(trunk_id, "/dids"), builtins.list[Did])

    async def add_did(self, trunk_id: str, *, number: str, country_code: str | None = None) -> Did:
        """
        ``POST /sip-trunks/{trunk_id}/dids``: route ``number`` (E.164) through the trunk.

        Unsafe (it creates); a re-send after an unclear failure (`OutcomeUnknownError`)
        answers ``DID_ALREADY_EXISTS`` if the first one went through.

        Args:
            number: E.164.
            country_code: ISO 3166-1 alpha-2 (``US``); default: the number's country.

        Raises:
            ConflictError: ``DID_ALREADY_EXISTS``.
        """
        normalised = f.phone("number", number)
        country = f.region_of(normalised) if country_code is None else country_code
        if not isinstance(country, str) or len(country) != 2 or not country.isalpha():
            raise InvalidRequestError("country_code", "must be two letters, e.g. US", value=country)
        body = {"country_code": country.upper(), "number": normalised}
        return await self._client.request_model(
            "POST", _path(trunk_id, "/dids"), Did, json=body, safety=Safety.UNSAFE
        )

    async def remove_did(self, trunk_id: str, phone_number_id: str) -> None:
        """
        ``DELETE /sip-trunks/{trunk_id}/dids/{phone_number_id}``. Idempotent.

        Raises:
            ConflictError: ``DID_IN_USE`` while an agent uses the number.
        """
        path = _path(trunk_id, f"/dids/{f.path_id('phone_number_id', phone_number_id)}")
        await self._client.request_json("DELETE", path, safety=Safety.IDEMPOTENT)
