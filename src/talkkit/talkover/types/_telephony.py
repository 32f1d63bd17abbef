"""Telephony records: voice templates, phone numbers, SIP trunks and their DIDs, health."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import attrs

from talkkit.talkover.types._base import TalkoverModel
from talkkit.talkover.types._common import AgentSummary

__all__ = [
    "Did",
    "Health",
    "PhoneNumber",
    "PhoneNumberType",
    "QualityTier",
    "SipTransport",
    "SipTrunk",
    "SipTrunkHealth",
    "SipTrunkVerification",
    "VoiceTemplate",
    "VoiceTemplateGroup",
]


class QualityTier(enum.StrEnum):
    """A voice template's tier; ``similarity``/``stability`` apply to high-fidelity tiers."""

    BASIC = "basic"
    PRO = "pro"
    ULTRA = "ultra"


class PhoneNumberType(enum.StrEnum):
    """What a phone number is for."""

    VOICE = "voice"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    MMS = "mms"
    FAX = "fax"


class SipTransport(enum.StrEnum):
    """SIP signalling transport (default ``tls``)."""

    UDP = "udp"
    TCP = "tcp"
    TLS = "tls"


@attrs.frozen
class Health(TalkoverModel):
    """
    ``GET /health``: the token works. The body is not documented: ``status`` is read when
    present and everything else lands in ``extra``.
    """

    status: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class VoiceTemplate(TalkoverModel):
    """A voice an agent can use (its ``id`` is what `Agents.update_voice` takes)."""

    id: str
    name: str | None = None
    gender: str | None = None
    language: str | None = None
    quality_tier: QualityTier | str | None = None
    cost: str | None = None  # a decimal string such as "0.16", as the API sends it
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen
class VoiceTemplateGroup(TalkoverModel):
    """Voice templates grouped under a display name (``"English (US)"``)."""

    display_name: str | None = None
    voices: list[VoiceTemplate] = attrs.field(factory=list)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class PhoneNumber(TalkoverModel):
    """A phone number of the environment, with the agents it is linked to."""

    id: str
    number: str | None = None
    country_code: str | None = None
    formatted_number: str | None = None
    international_number: str | None = None
    type: PhoneNumberType | str | None = None
    has_voice: bool | None = None
    has_sms: bool | None = None
    has_mms: bool | None = None
    has_fax: bool | None = None
    has_whatsapp: bool | None = None
    current_status: str | None = None
    is_sandbox: bool | None = None
    current_price: float | None = None
    currency: str | None = None
    renewal_date: date | None = None
    auto_renewal: bool | None = None
    monthly_renewal_cost: float | None = None
    days_until_monthly_renewal: int | None = None
    is_due_for_monthly_renewal: bool | None = None
    environment: str | None = None
    agents: list[AgentSummary] = attrs.field(factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class Did(TalkoverModel):
    """
    A DID (inbound number) routed through a SIP trunk. Its shape is not documented: the
    phone-number fields are read when present.
    """

    id: str
    number: str | None = None
    country_code: str | None = None
    formatted_number: str | None = None
    sip_trunk_id: str | None = None
    current_status: str | None = None
    agents: list[AgentSummary] = attrs.field(factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class SipTrunk(TalkoverModel):
    """A custom SIP trunk (the password is write-only and never returned)."""

    id: str
    name: str | None = None
    provider_name: str | None = None
    domain: str | None = None
    username: str | None = None
    port: int | None = None
    transport: SipTransport | str | None = None
    outbound_proxy: str | None = None
    auth_realm: str | None = None
    is_active: bool | None = None
    is_verified: bool | None = None
    health_status: str | None = None
    last_health_check_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class SipTrunkVerification(TalkoverModel):
    """The outcome of `SipTrunks.verify`; ``error`` says why it failed."""

    is_verified: bool | None = None
    health_status: str | None = None
    last_health_check_at: datetime | None = None
    error: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class SipTrunkHealth(TalkoverModel):
    """A live health probe of a trunk (does not change ``is_verified``)."""

    is_healthy: bool | None = None
    response_time_ms: float | None = None
    checked_at: datetime | None = None
    error: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)
