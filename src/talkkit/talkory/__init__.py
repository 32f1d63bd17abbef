"""Talkory: the client and its records."""

from __future__ import annotations

from talkkit.talkory._client import AsyncTalkory
from talkkit.talkory._stream import QueryEvent, QueryStream
from talkkit.talkory.types import (
    Consensus,
    HealthStatus,
    LLMHealth,
    Model,
    ModelResult,
    ProviderHealth,
    ProviderStatus,
    Query,
    QueryStarted,
    QueryStatus,
    QuerySummary,
    QueryUsage,
    RequestUsage,
    RouteUsage,
    Usage,
    UsagePeriod,
    Wallet,
)

__all__ = [
    "AsyncTalkory",
    "Consensus",
    "HealthStatus",
    "LLMHealth",
    "Model",
    "ModelResult",
    "ProviderHealth",
    "ProviderStatus",
    "Query",
    "QueryEvent",
    "QueryStarted",
    "QueryStatus",
    "QueryStream",
    "QuerySummary",
    "QueryUsage",
    "RequestUsage",
    "RouteUsage",
    "Usage",
    "UsagePeriod",
    "Wallet",
]
