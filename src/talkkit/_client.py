"""
The client core shared by the three platform clients.

It resolves configuration (arguments, then env vars, then documented defaults), folds the
middleware chain once, builds `httpx.Request` objects, runs them through the chain and turns
bodies into models. Platform clients only name their `Dialect` and attach resources.
"""

from __future__ import annotations

import json as jsonlib
import os
import platform as _platform
import warnings
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any, ClassVar, Self, TypedDict, TypeVar, Unpack

import attrs
import cattrs
import httpx

from talkkit._chain import build_chain, check_middleware
from talkkit._config import (
    UNSET,
    RateLimit,
    RetryPolicy,
    Secret,
    Unset,
    check_base_url,
    resolve_token,
)
from talkkit._constants import (
    CONTEXT_KEY,
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUT,
    REDIS_URL_ENV,
    USER_AGENT,
)
from talkkit._converter import structure
from talkkit._dialect import Dialect
from talkkit._log import configure_from_env
from talkkit._request import CallContext, Safety
from talkkit._resource import Resource
from talkkit._transport import TransportHandler, default_transport
from talkkit.errors import ConfigurationError, DecodeError
from talkkit.middleware import (
    BearerAuth,
    ErrorDecoderMiddleware,
    LimiterStore,
    MemoryLimiterStore,
    RateLimitMiddleware,
    RequestIdMiddleware,
    RetryMiddleware,
    SharedRateLimit,
)
from talkkit.middleware.rate_limit import key_for_token
from talkkit.typing import Handler, Middleware

__all__ = ["BaseClient", "ClientConfig", "ClientOptions", "DerivedOptions"]

T = TypeVar("T")
TimeoutTypes = float | httpx.Timeout | None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("talkkit")
    except PackageNotFoundError:  # running from a source tree
        return "0"


class ClientOptions(TypedDict, total=False):
    """
    Options every client takes (all keyword-only, all optional).

    Attributes:
        timeout: Seconds, or an `httpx.Timeout` (default 30 s, 5 s to connect).
        max_retries: Retries after the first attempt (default 2); shortcut for ``retry``.
        retry: A full `RetryPolicy` (backoff, Retry-After cap, deadline, ``on_retry`` hook).
        rate_limit: The key's known limit (`RateLimit` or ``"30/min"``), or a shared limit
            with its own store (``RedisRateLimit(url=...)``); ``None`` turns pacing and 429
            cooldowns off; default: the platform's documented limit, then what the server's
            ``X-RateLimit-*`` headers say.
        limiter_store: Where pacing state lives (default: this process); share one store
            (or a Redis store) between clients that use the same key.
        middleware: Your own layers, run per attempt inside the retry loop.
        transport: An `httpx.AsyncBaseTransport` (e.g. the emulator's in-process one).
        headers: Extra headers sent with every request.
        allow_insecure: Allow ``http://`` to non-loopback hosts.
    """

    timeout: TimeoutTypes
    max_retries: int
    retry: RetryPolicy
    rate_limit: RateLimit | str | SharedRateLimit | None
    limiter_store: LimiterStore
    middleware: Iterable[Middleware]
    transport: httpx.AsyncBaseTransport
    headers: Mapping[str, str]
    allow_insecure: bool


class DerivedOptions(TypedDict, total=False):
    """What `BaseClient.with_options` may change (see `ClientOptions` for each)."""

    timeout: TimeoutTypes
    max_retries: int
    retry: RetryPolicy
    rate_limit: RateLimit | str | None
    middleware: Iterable[Middleware]
    headers: Mapping[str, str]


@attrs.frozen(kw_only=True)
class ClientConfig:
    """Everything a client was configured with (frozen; `with_options` derives a new one)."""

    token: Secret
    base_url: str
    timeout: httpx.Timeout
    retry: RetryPolicy
    rate_limit: RateLimit | Unset | None
    middleware: tuple[Middleware, ...]
    headers: Mapping[str, str]


class BaseClient:
    """
    Core of `AsyncTalkory`, `AsyncTalkover` and `AsyncTalkturo`.

    Use it as an async context manager, or call `aclose` when done.
    """

    dialect: ClassVar[Dialect]

    def __init__(
        self,
        token: str | Secret | None = None,
        *,
        base_url: str | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        configure_from_env()
        dialect = self.dialect
        secret = resolve_token(
            token,
            env_var=dialect.token_env,
            prefixes=dialect.token_prefixes,
            platform=dialect.display_name,
        )
        url = base_url or os.environ.get(dialect.base_url_env) or dialect.default_base_url
        if not url:
            raise ConfigurationError(
                "base_url",
                f"{dialect.display_name} needs your account's API base URL: pass base_url=... "
                f"or set {dialect.base_url_env}",
            )
        policy = options.get("retry") or RetryPolicy()
        max_retries = options.get("max_retries", UNSET)
        if not isinstance(max_retries, Unset):
            policy = attrs.evolve(policy, max_retries=max_retries)
        rate_limit = options.get("rate_limit", UNSET)
        store = options.get("limiter_store")
        owns_store = False
        shared = os.environ.get(REDIS_URL_ENV, "").strip()
        if shared and store is None and isinstance(rate_limit, RateLimit | str | Unset):
            from talkkit.redis import RedisRateLimit  # the key's limit, shared via Redis

            rate = None if isinstance(rate_limit, Unset) else rate_limit
            rate_limit = RedisRateLimit(
                rate=RateLimit.parse(rate) if isinstance(rate, str) else rate
            )
        if not isinstance(rate_limit, RateLimit | str | Unset) and rate_limit is not None:
            if store is None:  # a shared (e.g. Redis) rate limit brings its store
                store, owns_store = rate_limit.make_store(), True
            rate_limit = rate_limit.rate if rate_limit.rate is not None else UNSET
        transport = options.get("transport")
        config = ClientConfig(
            token=secret,
            base_url=str(check_base_url(url, allow_insecure=options.get("allow_insecure", False))),
            timeout=_timeout(options.get("timeout", UNSET)),
            retry=policy,
            rate_limit=RateLimit.parse(rate_limit) if isinstance(rate_limit, str) else rate_limit,
            middleware=tuple(check_middleware(m) for m in options.get("middleware", ())),
            headers=dict(options.get("headers") or {}),
        )
        owns = transport is None
        self._setup(
            config,
            transport or default_transport(DEFAULT_LIMITS),
            store or MemoryLimiterStore(),
            owns_transport=owns,
        )
        self._owns_store = owns_store

    def _setup(
        self,
        config: ClientConfig,
        transport: httpx.AsyncBaseTransport,
        store: LimiterStore,
        *,
        owns_transport: bool,
    ) -> None:
        dialect = self.dialect
        self._config = config
        self._transport = transport
        self._store = store
        self._owns_transport = owns_transport
        self._closed = False
        self._base_url = config.base_url.rstrip("/")
        self._timeout_ext = config.timeout.as_dict()
        self._headers = {
            "Accept": "application/json",
            "User-Agent": f"{USER_AGENT}/{_version()} python/{_platform.python_version()}",
            **config.headers,
        }
        configured = config.rate_limit
        self._rate_limiter = RateLimitMiddleware(
            key=key_for_token(dialect.name, self._base_url, config.token.get()),
            store=store,
            configured=configured if isinstance(configured, RateLimit) else None,
            default=dialect.default_rate_limit,
            period=dialect.rate_limit_period,
            max_cooldown_wait=config.retry.retry_after_cap,
        )
        layers: list[Middleware] = [RequestIdMiddleware(), RetryMiddleware(config.retry)]
        layers.extend(config.middleware)
        if configured is not None:  # rate_limit=None switches pacing and cooldowns off
            layers.append(self._rate_limiter)
        layers.append(BearerAuth(config.token))
        layers.append(ErrorDecoderMiddleware(dialect.decode_error, dialect.name))
        self._middleware: tuple[Middleware, ...] = tuple(layers)
        self._handler: Handler = build_chain(layers, TransportHandler(transport))
        self._converter = self._make_converter()
        self._attach_resources()

    # -- hooks for platform clients -------------------------------------------------------

    def _make_converter(self) -> cattrs.Converter:
        raise NotImplementedError

    def _attach_resources(self) -> None:
        """Create the resource attributes (called again for every derived client)."""

    # -- public ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API base URL requests are sent to."""
        return self._base_url

    @property
    def config(self) -> ClientConfig:
        """The client's frozen configuration."""
        return self._config

    @property
    def middleware(self) -> tuple[Middleware, ...]:
        """The pipeline, outermost first (the transport follows the last entry)."""
        return self._middleware

    def with_options(self, **options: Unpack[DerivedOptions]) -> Self:
        """
        A client with some options changed, sharing this one's connections and limiter.

        Everything not named is inherited (including a platform client's own defaults, such
        as Talkturo's ``team_id``). Closing the derived client does not close the shared
        transport.
        """
        config = self._config
        policy = options.get("retry") or config.retry
        max_retries = options.get("max_retries", UNSET)
        if not isinstance(max_retries, Unset):
            policy = attrs.evolve(policy, max_retries=max_retries)
        rate_limit = options.get("rate_limit", UNSET)
        middleware = options.get("middleware")
        changed = attrs.evolve(
            config,
            timeout=_timeout(options["timeout"]) if "timeout" in options else config.timeout,
            retry=policy,
            rate_limit=(
                config.rate_limit
                if isinstance(rate_limit, Unset)
                else RateLimit.parse(rate_limit)
                if isinstance(rate_limit, str)
                else rate_limit
            ),
            middleware=(
                config.middleware
                if middleware is None
                else tuple(check_middleware(m) for m in middleware)
            ),
            headers={**config.headers, **(options.get("headers") or {})},
        )
        clone = object.__new__(type(self))
        # Per-instance state of a platform client (set before _setup) carries over.
        clone.__dict__.update(
            {
                k: v
                for k, v in self.__dict__.items()
                if not k.startswith("_") and not isinstance(v, Resource)
            }
        )
        clone._setup(changed, self._transport, self._store, owns_transport=False)
        clone._owns_store = False
        return clone

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        safety: Safety | None = None,
        timeout: TimeoutTypes | Unset = UNSET,
        stream: bool = False,
    ) -> httpx.Response:
        """
        Send one logical call through the pipeline and return the (2xx) response.

        ``safety`` decides what the retry layer may do (default: from the HTTP method).
        With ``stream=True`` the body is not read: close the response when done.

        Raises:
            APIError: The server answered with an error status (a typed subclass).
            APIConnectionError: No answer, and retrying did not help.
            OutcomeUnknownError: An unsafe call failed after it was sent.
        """
        if self._closed:
            raise RuntimeError(f"{type(self).__name__} is closed")
        method = method.upper()
        ctx = CallContext(
            safety=safety or Safety.for_method(method), platform=self.dialect.name, stream=stream
        )
        all_headers = self._headers if headers is None else {**self._headers, **headers}
        content = None
        if json is not None:
            content = jsonlib.dumps(json, separators=(",", ":"), ensure_ascii=False).encode()
            all_headers = {**all_headers, "Content-Type": "application/json"}
        request = httpx.Request(
            method,
            self._base_url + path,
            params=_clean_params(params) if params else None,
            headers=all_headers,
            content=content,
            extensions={
                "timeout": self._timeout_ext
                if isinstance(timeout, Unset)
                else _timeout(timeout).as_dict(),
                CONTEXT_KEY: ctx,
            },
        )
        return await self._handler(request)

    async def request_json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        safety: Safety | None = None,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> Any:
        """Like `request`, returning the decoded JSON body (``None`` when empty)."""
        response = await self.request(
            method, path, params=params, json=json, safety=safety, timeout=timeout
        )
        content = response.content
        if not content.strip():
            return None
        try:
            return jsonlib.loads(content)
        except (ValueError, RecursionError) as exc:
            raise DecodeError(
                f"{method} {path} answered {response.status_code} with a body that is not JSON",
                request_id=response.request.headers.get("x-request-id"),
            ) from exc

    async def request_model(
        self,
        method: str,
        path: str,
        cls: type[T],
        *,
        key: str | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        safety: Safety | None = None,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> T:
        """
        Send a call and structure its payload into ``cls``.

        The platform's success envelope is unwrapped here, not in each resource: ``key`` names
        the resource key (Talkturo's ``{"success": true, "assistant": {...}}``); without it the
        dialect's default applies (Talkover's ``data``; Talkory has no envelope).
        """
        body = await self.request_json(
            method, path, params=params, json=json, safety=safety, timeout=timeout
        )
        return self.structure(self.dialect.unwrap(body, key), cls)

    def structure(self, data: Any, cls: type[T]) -> T:
        """Turn decoded JSON into a model with this platform's converter."""
        return structure(self._converter, data, cls)

    async def aclose(self) -> None:
        """Close the connections (if this client opened them). Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._owns_store and (close := getattr(self._store, "aclose", None)) is not None:
            await close()
        if self._owns_transport:
            await self._transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __del__(self) -> None:
        # No I/O here: only tell the developer they forgot to close the client.
        if getattr(self, "_owns_transport", False) and not getattr(self, "_closed", True):
            warnings.warn(
                f"{type(self).__name__} was not closed: use 'async with' or 'await client.aclose()'",
                ResourceWarning,
                stacklevel=1,
                source=self,
            )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._base_url!r}, token={self._config.token!r})"


def _timeout(value: TimeoutTypes | Unset) -> httpx.Timeout:
    if isinstance(value, Unset):
        return DEFAULT_TIMEOUT
    if isinstance(value, httpx.Timeout):
        return value
    return httpx.Timeout(value)


def _clean_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Drop ``None`` values; booleans as ``true``/``false``."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else value
    return out
