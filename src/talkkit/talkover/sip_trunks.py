"""Talkover custom SIP trunks (``/sip-trunks``) and the DIDs routed through them."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Annotated, Any, Unpack

from talkkit._options import RequestOptions, UnsafeRequestOptions
from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit.errors import InvalidRequestError
from talkkit.talkover import _fields as f
from talkkit.talkover._fields import Doc, Field
from talkkit.talkover.types import Did, SipTransport, SipTrunk, SipTrunkHealth, SipTrunkVerification

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["SipTrunks"]


def _password(field: str, value: Any) -> str:
    # The value is never echoed in the error: it is a credential.
    if not isinstance(value, str) or not value or len(value) > 255:
        raise InvalidRequestError(field, "must be a non-empty string of at most 255 characters")
    return value


def _country(field: str, value: Any) -> str:
    if not isinstance(value, str) or len(value) != 2 or not value.isalpha():
        raise InvalidRequestError(field, "must be two letters, e.g. US", value=value)
    return value.upper()


# The fields of create and update (every one optional on update).
Name = Annotated[str, Doc("At most 255 characters."), Field(f.text(min_len=1, max_len=255))]
Domain = Annotated[
    str,
    Doc("The carrier's SIP domain, at most 255 characters."),
    Field(f.text(min_len=1, max_len=255)),
]
Username = Annotated[str, Doc("At most 255 characters."), Field(f.text(min_len=1, max_len=255))]
Password = Annotated[
    str, Doc("Write-only; never returned, never shown in errors."), Field(_password)
]
ProviderName = Annotated[
    str | None, Doc("The carrier's name, at most 255 characters."), Field(f.text(max_len=255))
]
Port = Annotated[
    int | None,
    Doc("1 to 65535 (server default 5060 for UDP/TCP, 5061 for TLS)."),
    Field(f.integer(1, 65535)),
]
Transport = Annotated[
    SipTransport | str | None,
    Doc("``udp``, ``tcp`` or ``tls`` (server default)."),
    Field(f.choice(SipTransport)),
]
OutboundProxy = Annotated[str | None, Doc("At most 255 characters."), Field(f.text(max_len=255))]
AuthRealm = Annotated[str | None, Doc("At most 255 characters."), Field(f.text(max_len=255))]
IsActive = Annotated[bool | None, Doc("Server default false."), Field(f.flag)]


def _path(trunk_id: str, tail: str = "") -> str:
    return f"/sip-trunks/{f.path_id('trunk_id', trunk_id)}{tail}"


class SipTrunks(Resource):
    """Bring-your-own-carrier SIP trunks (needs the ``allow_custom_sip_trunks`` plan flag)."""

    _client: AsyncTalkover

    async def list(self, **options: Unpack[RequestOptions]) -> builtins.list[SipTrunk]:
        """
        ``GET /sip-trunks``: every trunk.

        Inferred endpoint (and unpaginated shape): the reference shows no list page.
        """
        return await self._client.request_model(
            "GET", "/sip-trunks", builtins.list[SipTrunk], options=options
        )

    async def create(
        self,
        *,
        name: Name,
        domain: Domain,
        username: Username,
        password: Password,
        provider_name: ProviderName = None,
        port: Port = None,
        transport: Transport = None,
        outbound_proxy: OutboundProxy = None,
        auth_realm: AuthRealm = None,
        is_active: IsActive = None,
        **options: Unpack[UnsafeRequestOptions],
    ) -> SipTrunk:
        """
        ``POST /sip-trunks``: register a trunk (unverified until `verify`).

        Unsafe: never re-sent after it may have reached the server. On an unclear failure
        (`OutcomeUnknownError`) check `list` before creating it again.
        """
        body = self._client.fields(SipTrunks.create, locals())
        return await self._client.request_model(
            "POST", "/sip-trunks", SipTrunk, json=body, safety=Safety.UNSAFE, options=options
        )

    async def get(self, trunk_id: str, **options: Unpack[RequestOptions]) -> SipTrunk:
        """``GET /sip-trunks/{trunk_id}``: with ``health_status`` and ``last_health_check_at``."""
        return await self._client.request_model("GET", _path(trunk_id), SipTrunk, options=options)

    async def update(
        self,
        trunk_id: str,
        *,
        name: Name | None = None,
        provider_name: ProviderName = None,
        domain: Domain | None = None,
        username: Username | None = None,
        password: Password | None = None,
        port: Port = None,
        transport: Transport = None,
        outbound_proxy: OutboundProxy = None,
        auth_realm: AuthRealm = None,
        is_active: IsActive = None,
        **options: Unpack[RequestOptions],
    ) -> SipTrunk:
        """
        ``PUT /sip-trunks/{trunk_id}``: change only the fields given (``None`` leaves a field
        unchanged). Changing domain, transport or credentials resets ``is_verified``.
        Idempotent.
        """
        body = self._client.fields(SipTrunks.update, locals())
        return await self._client.request_model(
            "PUT", _path(trunk_id), SipTrunk, json=body, safety=Safety.IDEMPOTENT, options=options
        )

    async def delete(self, trunk_id: str, **options: Unpack[RequestOptions]) -> None:
        """
        ``DELETE /sip-trunks/{trunk_id}``. Idempotent.

        Raises:
            ConflictError: ``TRUNK_HAS_DIDS`` until its DIDs are removed.
        """
        await self._client.request_json(
            "DELETE", _path(trunk_id), safety=Safety.IDEMPOTENT, options=options
        )

    async def verify(
        self, trunk_id: str, **options: Unpack[UnsafeRequestOptions]
    ) -> SipTrunkVerification:
        """
        ``POST /sip-trunks/{trunk_id}/verify``: test connectivity and record the outcome
        (``is_verified``; ``error`` says why it failed).

        Unsafe: never re-sent after it may have reached the server; on an unclear failure
        (`OutcomeUnknownError`) `get` the trunk to read ``is_verified``.
        """
        return await self._client.request_model(
            "POST",
            _path(trunk_id, "/verify"),
            SipTrunkVerification,
            safety=Safety.UNSAFE,
            options=options,
        )

    async def health(self, trunk_id: str, **options: Unpack[RequestOptions]) -> SipTrunkHealth:
        """``GET /sip-trunks/{trunk_id}/health``: a live probe; ``is_verified`` is unchanged."""
        return await self._client.request_model(
            "GET", _path(trunk_id, "/health"), SipTrunkHealth, options=options
        )

    async def list_dids(
        self, trunk_id: str, **options: Unpack[RequestOptions]
    ) -> builtins.list[Did]:
        """``GET /sip-trunks/{trunk_id}/dids``: the numbers routed through the trunk."""
        return await self._client.request_model(
            "GET", _path(trunk_id, "/dids"), builtins.list[Did], options=options
        )

    async def add_did(
        self,
        trunk_id: str,
        *,
        number: Annotated[str, Doc("E.164."), Field(f.e164)],
        country_code: Annotated[
            str | None,
            Doc("ISO 3166-1 alpha-2 (``US``); default: the number's country."),
            Field(_country),
        ] = None,
        **options: Unpack[UnsafeRequestOptions],
    ) -> Did:
        """
        ``POST /sip-trunks/{trunk_id}/dids``: route ``number`` (E.164) through the trunk.

        Unsafe (it creates); a re-send after an unclear failure (`OutcomeUnknownError`)
        answers ``DID_ALREADY_EXISTS`` if the first one went through.

        Raises:
            ConflictError: ``DID_ALREADY_EXISTS``.
        """
        body = self._client.fields(SipTrunks.add_did, locals())
        body.setdefault("country_code", f.region_of(body["number"]))
        return await self._client.request_model(
            "POST", _path(trunk_id, "/dids"), Did, json=body, safety=Safety.UNSAFE, options=options
        )

    async def remove_did(
        self, trunk_id: str, phone_number_id: str, **options: Unpack[RequestOptions]
    ) -> None:
        """
        ``DELETE /sip-trunks/{trunk_id}/dids/{phone_number_id}``. Idempotent.

        Raises:
            ConflictError: ``DID_IN_USE`` while an agent uses the number.
        """
        path = _path(trunk_id, f"/dids/{f.path_id('phone_number_id', phone_number_id)}")
        await self._client.request_json("DELETE", path, safety=Safety.IDEMPOTENT, options=options)
