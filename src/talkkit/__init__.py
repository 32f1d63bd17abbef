"""
talkkit: an async-first SDK for the Talkturo, Talkover and Talkory voice-AI APIs.

Correct under load: unsafe requests are never sent twice, rate limits are paced instead of
bounced off, and every failure is one typed exception.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from talkkit.talkory import AsyncTalkory
    from talkkit.talkover import AsyncTalkover
    from talkkit.talkturo import AsyncTalkturo

# The platform clients are imported on first use: a program that talks to one platform does
# not pay for the other two (nor ``import talkkit`` for any).
_PLATFORMS = {
    "AsyncTalkory": "talkkit.talkory",
    "AsyncTalkover": "talkkit.talkover",
    "AsyncTalkturo": "talkkit.talkturo",
}

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


def _public(obj: Any) -> None:
    """Public names show as talkkit.X in reprs and docs, wherever they are defined."""
    if isinstance(obj, type) and obj.__module__.startswith("talkkit."):
        obj.__module__ = "talkkit"


for _name in __all__:
    if _name not in _PLATFORMS:
        _public(globals()[_name])
del _name


def __getattr__(name: str) -> Any:
    module = _PLATFORMS.get(name)
    if module is not None:
        client = globals()[name] = getattr(import_module(module), name)
        _public(client)
        return client
    if name == "__version__":
        from importlib.metadata import version

        return version("talkkit")
    raise AttributeError(f"module 'talkkit' has no attribute {name!r}")
