"""
talkkit: an async-first SDK for the Talkturo, Talkover and Talkory voice-AI APIs.

Correct under load: unsafe requests are never sent twice, rate limits are paced instead of
bounced off, and every failure is one typed exception.
"""

from __future__ import annotations

from typing import Any

from talkkit._client import BaseClient, ClientConfig, ClientOptions
from talkkit._config import UNSET, RateLimit, RetryEvent, RetryPolicy, Secret
from talkkit._options import (
    ExtraOptions,
    RequestOptions,
    UnsafeExtraOptions,
    UnsafeRequestOptions,
)
from talkkit._raw import RawResponse
from talkkit._request import CallContext, Safety
from talkkit.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    DecodeError,
    InvalidRequestError,
    NotFoundError,
    OutcomeUnknownError,
    PaginationError,
    PayloadTooLargeError,
    PaymentRequiredError,
    PermissionDeniedError,
    PreflightError,
    RateLimitError,
    ServerError,
    ServiceUnavailableError,
    StreamInterruptedError,
    TalkkitError,
    WebhookSignatureError,
)
from talkkit.middleware import LimiterStore, MemoryLimiterStore
from talkkit.pagination import AsyncPaginator, Page
from talkkit.talkory import AsyncTalkory
from talkkit.talkover import AsyncTalkover
from talkkit.talkturo import AsyncTalkturo

__all__ = [
    "UNSET",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncPaginator",
    "AsyncTalkory",
    "AsyncTalkover",
    "AsyncTalkturo",
    "AuthenticationError",
    "BadRequestError",
    "BaseClient",
    "CallContext",
    "ClientConfig",
    "ClientOptions",
    "ConfigurationError",
    "ConflictError",
    "DecodeError",
    "ExtraOptions",
    "InvalidRequestError",
    "LimiterStore",
    "MemoryLimiterStore",
    "NotFoundError",
    "OutcomeUnknownError",
    "Page",
    "PaginationError",
    "PayloadTooLargeError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "PreflightError",
    "RateLimit",
    "RateLimitError",
    "RawResponse",
    "RequestOptions",
    "RetryEvent",
    "RetryPolicy",
    "Safety",
    "Secret",
    "ServerError",
    "ServiceUnavailableError",
    "StreamInterruptedError",
    "TalkkitError",
    "UnsafeExtraOptions",
    "UnsafeRequestOptions",
    "WebhookSignatureError",
]

# Public names show as talkkit.X in reprs and docs, wherever they are defined.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("talkkit."):
        _obj.__module__ = "talkkit"
del _name, _obj


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("talkkit")
    raise AttributeError(f"module 'talkkit' has no attribute {name!r}")
