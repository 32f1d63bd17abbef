"""Talkory records (camelCase on the wire, snake_case here). Reads are lenient."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, ClassVar

import attrs

from talkkit.talkory._base import TalkoryModel

__all__ = [
    "Consensus",
    "HealthStatus",
    "LLMHealth",
    "Model",
    "ModelResult",
    "ProviderHealth",
    "ProviderStatus",
    "Query",
    "QueryStarted",
    "QueryStatus",
    "QuerySummary",
    "QueryUsage",
    "RequestUsage",
    "RouteUsage",
    "Usage",
    "UsagePeriod",
    "Wallet",
]


class HealthStatus(enum.StrEnum):
    """Overall LLM health."""

    OK = "ok"
    DEGRADED = "degraded"


class ProviderStatus(enum.StrEnum):
    """One provider's health."""

    OK = "ok"
    ERROR = "error"


class QueryStatus(enum.StrEnum):
    """Where a query run is."""

    RUNNING = "running"
    SUCCESS = "success"
    PARTIAL = "partial"


def _extra() -> Any:
    return attrs.field(factory=dict, repr=False, eq=False)


@attrs.frozen
class ProviderHealth(TalkoryModel):
    """Health of one LLM provider."""

    status: ProviderStatus | str
    extra: dict[str, Any] = _extra()


@attrs.frozen
class LLMHealth(TalkoryModel):
    """``GET /v1/health/llm``: overall and per-provider status (cached up to 5 minutes)."""

    status: HealthStatus | str
    checked_at: datetime | None = None
    providers: dict[str, ProviderHealth] = attrs.field(factory=dict)
    extra: dict[str, Any] = _extra()


@attrs.frozen
class Model(TalkoryModel):
    """A model usable in queries; ``id`` is what ``models=[...]`` takes."""

    _list_envelope: ClassVar[str | None] = "models"

    id: str
    name: str | None = None
    provider: str | None = None
    vision: bool = False
    extra: dict[str, Any] = _extra()


@attrs.frozen
class Wallet(TalkoryModel):
    """The prepaid wallet paid queries draw from."""

    balance: float
    currency: str = "USD"
    plan: str | None = None
    extra: dict[str, Any] = _extra()


@attrs.frozen
class UsagePeriod(TalkoryModel):
    """The time range a usage report covers."""

    from_: datetime | None = None
    to: datetime | None = None
    extra: dict[str, Any] = _extra()


@attrs.frozen
class RouteUsage(TalkoryModel):
    """Requests and errors for one route."""

    requests: int = 0
    errors: int = 0
    extra: dict[str, Any] = _extra()


@attrs.frozen
class RequestUsage(TalkoryModel):
    """Request counts for the key."""

    total: int = 0
    errors: int = 0
    by_route: dict[str, RouteUsage] = attrs.field(factory=dict)
    extra: dict[str, Any] = _extra()


@attrs.frozen
class QueryUsage(TalkoryModel):
    """Query counts and spend for the key."""

    total: int = 0
    charged: float = 0.0
    total_tokens: int = 0
    extra: dict[str, Any] = _extra()


@attrs.frozen(kw_only=True)
class Usage(TalkoryModel):
    """``GET /v1/usage``: requests and queries of the key over a period."""

    period: UsagePeriod = attrs.field(factory=UsagePeriod)
    requests: RequestUsage = attrs.field(factory=RequestUsage)
    queries: QueryUsage = attrs.field(factory=QueryUsage)
    extra: dict[str, Any] = _extra()


@attrs.frozen(kw_only=True)
class ModelResult(TalkoryModel):
    """One model's answer within a query."""

    model_id: str
    name: str | None = None
    provider: str | None = None
    score: float | None = None
    tokens: int | None = None
    latency: str | None = None  # a string such as "4.2s", as the API sends it
    text: str | None = None
    tags: list[str] = attrs.field(factory=list)
    extra: dict[str, Any] = _extra()


@attrs.frozen(kw_only=True)
class Query(TalkoryModel):
    """A query run and, once finished, its results and consensus."""

    id: str
    status: QueryStatus | str
    prompt: str | None = None
    models: list[str] = attrs.field(factory=list)
    results: list[ModelResult] = attrs.field(factory=list)
    consensus: str | None = None
    common_answer: str | None = None
    confidence: float | None = None
    charged: float | None = None
    balance: float | None = None
    total_tokens: int | None = None
    avg_latency: str | None = None
    recursive: bool | None = None
    created_at: datetime | None = None
    extra: dict[str, Any] = _extra()

    @property
    def done(self) -> bool:
        """Whether the run has finished (successfully or partly)."""
        return self.status != QueryStatus.RUNNING


@attrs.frozen(kw_only=True)
class QuerySummary(TalkoryModel):
    """One entry of the query history."""

    _list_envelope: ClassVar[str | None] = "queries"

    id: str
    status: QueryStatus | str
    prompt: str | None = None
    models: list[str] = attrs.field(factory=list)
    recursive: bool | None = None
    confidence: float | None = None
    charged: float | None = None
    created_at: datetime | None = None
    extra: dict[str, Any] = _extra()


@attrs.frozen
class QueryStarted(TalkoryModel):
    """The answer to starting a run in the background (202): poll with ``retrieve``/``wait``."""

    id: str
    status: QueryStatus | str = QueryStatus.RUNNING
    extra: dict[str, Any] = _extra()


@attrs.frozen(kw_only=True)
class Consensus(TalkoryModel):
    """A (possibly cached) consensus for a finished run."""

    id: str
    consensus: str | None = None
    common_answer: str | None = None
    confidence: float | None = None
    charged: float | None = None
    balance: float | None = None
    cached: bool = False
    extra: dict[str, Any] = _extra()
