"""Talkturo records: snake_case attributes, lenient reads (unknown keys land in ``extra``)."""

from __future__ import annotations

from talkkit.talkturo.types._assistants import (
    Assistant,
    AssistantTemplate,
    LLMProvider,
    TranscriberProvider,
    VoiceProvider,
)
from talkkit.talkturo.types._crm import (
    Campaign,
    CampaignContactsAdded,
    CampaignRun,
    CampaignStatus,
    Company,
    Contact,
    LeadStatus,
)
from talkkit.talkturo.types._phone_numbers import AvailableNumber, NumberType, PhoneNumber
from talkkit.talkturo.types._webhooks import (
    BillingEvent,
    BillingEventType,
    CallAnswered,
    CallCompleted,
    CallEvent,
    CallEventType,
    CallHangup,
    CallInitiated,
    MachineDetectionEnded,
    WebhookEvent,
)

__all__ = [
    "Assistant",
    "AssistantTemplate",
    "AvailableNumber",
    "BillingEvent",
    "BillingEventType",
    "CallAnswered",
    "CallCompleted",
    "CallEvent",
    "CallEventType",
    "CallHangup",
    "CallInitiated",
    "Campaign",
    "CampaignContactsAdded",
    "CampaignRun",
    "CampaignStatus",
    "Company",
    "Contact",
    "LLMProvider",
    "LeadStatus",
    "MachineDetectionEnded",
    "NumberType",
    "PhoneNumber",
    "TranscriberProvider",
    "VoiceProvider",
    "WebhookEvent",
]
