"""
The client core shared by the three platform clients.

It resolves configuration (arguments, then env vars, then documented defaults), folds the
middleware chain once, builds `httpx.Request` objects, runs them through the chain and turns
bodies into models. Platform clients only name their `Dialect`, make their converter (once per
client class) and attach resources. Every client, a derived one (`BaseClient.with_options`)
included, is built by its class's constructor.
"""

from __future__ import annotations

import json as jsonlib
import os
import platform as _platform
import warnings
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, TypedDict, TypeVar, Unpack

import attrs
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
    IDEMPOTENCY_KEY_HEADER,
    REQUEST_ID_HEADER,
    USER_AGENT,
)
from talkkit._converter import structure
from talkkit._dialect import Dialect
from talkkit._log import configure_from_env
from talkkit._model import Model, envelope_of, set_request_id
from talkkit._options import ExtraOptions
from talkkit._otel import TRACER_KEY, Tracing, TracingLayer
from talkkit._otel import available as tracing_available
from talkkit._raw import record_response, request_id_of
from talkkit._request import CallContext, Safety
from talkkit._transport import (
    TransportHandler,
    default_transport,
    header_lines,
    headers_from_lines,
    headers_from_text,
    make_request,
)
from talkkit.errors import ConfigurationError, DecodeError, InvalidRequestError
from talkkit.middleware import (
    AttemptTracingMiddleware,
    BearerAuth,
    CallTracingMiddleware,
    ErrorDecoderMiddleware,
    LimiterStore,
    RateLimitMiddleware,
    RequestIdMiddleware,
    RetryMiddleware,
    SharedRateLimit,
)
from talkkit.middleware.rate_limit import choose_store, key_for_token
from talkkit.middleware.request_id import ID_HEADERS, stamp
from talkkit.typing import Handler, Middleware

if TYPE_CHECKING:
    import cattrs
    from opentelemetry.trace import TracerProvider

    from talkkit._fields import FieldSet

__all__ = ["BaseClient", "CallArgs", "ClientConfig", "ClientOptions", "DerivedOptions", "Reply"]

T = TypeVar("T")
TimeoutTypes = float | httpx.Timeout | None

_URLS = 256  # parsed URLs a client keeps (by path; ids make many, fixed paths few)
_CARRIES_ID = (Model, list)  # results that carry the call's request id
_ID_NAMES = {  # the id layer's header names as a `HeaderLine`'s (as sent, lowercase)
    name: (name.encode(), name.lower().encode())
    for name in (REQUEST_ID_HEADER, IDEMPOTENCY_KEY_HEADER)
}
# Set by httpx (framing) and by the request id layer: a caller who sets one takes the slow path.
_SET_BY_US = frozenset({"host", "content-length", "transfer-encoding"}) | ID_HEADERS
_LENGTH_ZERO = frozenset({"POST", "PUT", "PATCH"})  # httpx sends ``Content-Length: 0``
_NO_CONTENT = (b"Content-Length", b"content-length", b"0")
_JSON_OPENERS = frozenset({b"{", b"["})
_JSON_BLANKS = " \t\n\r"  # the blanks JSON allows around a value
# What ``json.loads`` reads a value with (set on the decoder by its ``__init__``):
_scan_json: Callable[[str, int], tuple[Any, int]] = vars(jsonlib.JSONDecoder())["scan_once"]


def _decode_json(text: str) -> Any:
    """
    ``json.loads(text)`` for a text that starts with its value (no blank first): the decoder's
    scanner called straight, without the two calls and two regular expressions around it.

    Raises:
        json.JSONDecodeError: Not one JSON value (a `ValueError`).
    """
    try:
        value, end = _scan_json(text, 0)
    except StopIteration as exc:
        raise jsonlib.JSONDecodeError("Expecting value", text, exc.value) from None
    if end != len(text) and (extra := text[end:].lstrip(_JSON_BLANKS)):
        raise jsonlib.JSONDecodeError("Extra data", text, len(text) - len(extra))
    return value


def _body(method: str, path: str, response: httpx.Response) -> Any:
    """
    The decoded JSON body of ``response`` (``None`` when empty).

    Raises:
        DecodeError: The body is not JSON.
    """
    content = response.content
    try:
        if content[:1] in _JSON_OPENERS and content[1:2] != b"\0":
            # What ``json.loads(content)`` does, less guessing the encoding (UTF-8 here:
            # a UTF-16 or UTF-32 body has a zero byte there, a BOM is no opener).
            return _decode_json(content.decode("utf-8", "surrogatepass"))
        if not content.strip():
            return None
        return jsonlib.loads(content)
    except (ValueError, RecursionError) as exc:
        raise DecodeError(
            f"{method} {path} answered {response.status_code} with a body that is not JSON",
            request_id=response.request.headers.get("x-request-id"),
        ) from exc


def _json_encoder() -> Callable[[Any], str]:
    """
    What ``json.dumps(body, separators=(",", ":"), ensure_ascii=False)`` does, with the C
    encoder built once: ``dumps`` builds one per call (0.7 µs of its 1.6 µs for a contact).
    It keeps no cycle check: a body that holds itself raises RecursionError, not ValueError.
    """
    encoder = jsonlib.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
    make = getattr(jsonlib.encoder, "c_make_encoder", None)
    if make is None:  # an interpreter without the C accelerator
        return encoder.encode
    encode = make(
        None,  # no markers: no cycle check
        encoder.default,
        jsonlib.encoder.encode_basestring,  # ensure_ascii=False
        None,  # no indent
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )
    join = "".join

    def encode_json(body: Any) -> str:
        return join(encode(body, 0))

    return encode_json


_encode_json = _json_encoder()


@cache
def _field_set(method: Callable[..., Any]) -> FieldSet:
    """
    `fields_of`, imported on the first call (``import talkkit`` does not load it) and then
    looked up in this cache: an import statement per call cost 0.5 µs.
    """
    from talkkit._fields import fields_of

    return fields_of(method)


@cache
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
        transport: An `httpx.AsyncBaseTransport` (e.g. the emulator's in-process one); it is
            used as given: ``proxy`` and ``trust_env`` do not apply to it.
        proxy: The proxy for every request: a URL (``"http://user:pass@proxy:3128"``; the
            credentials go to the proxy only and are never shown) or an `httpx.Proxy`.
            Overrides the environment. HTTPS goes through it with ``CONNECT``.
        trust_env: Read the environment, as httpx does (default ``True``): the proxy from
            ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY`` unless ``NO_PROXY`` names the
            host (either case), and the CA bundle from ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``.
        headers: Extra headers sent with every request.
        allow_insecure: Allow ``http://`` to non-loopback hosts.
        tracer_provider: Where OpenTelemetry spans go (``otel`` extra; default: the global
            provider, read on each call; a ``NoOpTracerProvider`` turns tracing off).
    """

    timeout: TimeoutTypes
    max_retries: int
    retry: RetryPolicy
    rate_limit: RateLimit | str | SharedRateLimit | None
    limiter_store: LimiterStore
    middleware: Iterable[Middleware]
    transport: httpx.AsyncBaseTransport
    proxy: str | httpx.URL | httpx.Proxy | None
    trust_env: bool
    headers: Mapping[str, str]
    allow_insecure: bool
    tracer_provider: TracerProvider


class DerivedOptions(TypedDict, total=False):
    """What `BaseClient.with_options` may change (see `ClientOptions` for each)."""

    timeout: TimeoutTypes
    max_retries: int
    retry: RetryPolicy
    rate_limit: RateLimit | str | None
    middleware: Iterable[Middleware]
    headers: Mapping[str, str]


class CallArgs(TypedDict, total=False):
    """What `send_json`, `request_json` and `request_model` hand on to `request` (see there)."""

    params: Mapping[str, Any] | None
    json: Any
    safety: Safety | None
    timeout: TimeoutTypes | Unset
    options: ExtraOptions | None


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
    tracer_provider: TracerProvider | None = None
    allow_insecure: bool = False


# One converter per platform client class (that is, per dialect), built by its first client.
_converters: dict[type[BaseClient], cattrs.Converter] = {}


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
        # The one way a client is built: `with_options` calls the constructor too, passing
        # the parent's settings, transport and limiter store (which the child then does not
        # own), so nothing below depends on how the client came about.
        configure_from_env()
        cls = type(self)
        dialect = cls.dialect
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
        rate_limit, store, owns_store = choose_store(
            options.get("rate_limit", UNSET), options.get("limiter_store")
        )
        allow_insecure = options.get("allow_insecure", False)
        config = self._config = ClientConfig(
            token=secret,
            base_url=str(check_base_url(url, allow_insecure=allow_insecure)),
            timeout=_timeout(options.get("timeout", UNSET)),
            retry=policy,
            rate_limit=RateLimit.parse(rate_limit) if isinstance(rate_limit, str) else rate_limit,
            middleware=tuple(check_middleware(m) for m in options.get("middleware", ())),
            headers=dict(options.get("headers") or {}),
            tracer_provider=options.get("tracer_provider"),
            allow_insecure=allow_insecure,
        )
        transport = options.get("transport")
        self._owns_transport = transport is None
        self._transport = transport or default_transport(
            DEFAULT_LIMITS,
            url=config.base_url,
            proxy=options.get("proxy"),
            trust_env=options.get("trust_env", True),
        )
        self._store = store
        self._owns_store = owns_store
        self._closed = False
        self._base_url = config.base_url.rstrip("/")
        self._timeout_ext = config.timeout.as_dict()
        self._headers = {
            "Accept": "application/json",
            "User-Agent": f"{USER_AGENT}/{_version()} python/{_platform.python_version()}",
            **config.headers,
        }
        self._urls: dict[str, httpx.URL] = {}  # parsed URLs by path (see `_parse`)
        self._host = httpx.URL(self._base_url).netloc.decode("ascii")
        self._plain_headers = _plain(self._headers)
        # What `_framed` starts from (`None`: a header that is not ASCII, httpx decides).
        self._lines = header_lines({"Host": self._host, **self._headers})
        self._json_lines = (
            header_lines({"Host": self._host, **self._headers, "Content-Type": "application/json"})
            or []
        )
        self._rate_limiter = RateLimitMiddleware(
            key=key_for_token(dialect.name, self._base_url, config.token.get()),
            store=store,
            configured=config.rate_limit if isinstance(config.rate_limit, RateLimit) else None,
            default=dialect.default_rate_limit,
            period=dialect.rate_limit_period,
            max_cooldown_wait=config.retry.retry_after_cap,
        )
        # With the `otel` extra the client resolves each call's tracer itself: while nothing
        # would record, the call goes through the same chain less the two tracing layers.
        self._tracing = Tracing(config.tracer_provider) if tracing_available() else None
        self._middleware: tuple[Middleware, ...] = self._layers()
        innermost = TransportHandler(self._transport)
        self._handler: Handler = build_chain(self._middleware, innermost)
        self._untraced: Handler = self._handler
        if self._tracing is not None:
            self._untraced = build_chain(self._untraced_layers(), innermost)
        converter = _converters.get(cls)
        if converter is None:
            converter = _converters[cls] = cls._make_converter()
        self._converter = converter
        self._attach_resources()

    def _layers(self) -> tuple[Middleware, ...]:
        """The pipeline, outermost first, in the order `talkkit.middleware` documents."""
        config = self._config
        # With the `otel` extra: a span per call (request id known, outside retry) and a
        # CLIENT span per attempt (inside retry and pacing, before the token is set).
        traced = self._tracing is not None
        layers: list[Middleware] = [RequestIdMiddleware()]
        if traced:
            layers.append(CallTracingMiddleware(config.tracer_provider))
        layers.append(RetryMiddleware(config.retry))
        layers.extend(config.middleware)
        if config.rate_limit is not None:  # rate_limit=None switches pacing and cooldowns off
            layers.append(self._rate_limiter)
        if traced:
            layers.append(AttemptTracingMiddleware(config.tracer_provider))
        layers.append(BearerAuth(config.token))
        layers.append(ErrorDecoderMiddleware(self.dialect.decode_error, self.dialect.name))
        return tuple(layers)

    def _parse(self, path: str) -> httpx.URL:
        """The URL of ``path``, parsed and kept (at most `_URLS` paths: then it starts over)."""
        urls = self._urls
        if len(urls) >= _URLS:
            urls.clear()
        url = urls[path] = httpx.URL(self._base_url + path)
        return url

    def _all_headers(
        self, headers: Mapping[str, str] | None, content: bytes | None
    ) -> dict[str, str]:
        """The client's headers, then the caller's, then the JSON body's ``Content-Type``."""
        merged = {**self._headers, **(headers or {})}
        if content is not None:
            merged["Content-Type"] = "application/json"
        return merged

    def _framed(
        self,
        method: str,
        headers: Mapping[str, str] | None,
        content: bytes | None,
        ids: Mapping[str, str],
    ) -> httpx.Headers:
        """
        The headers of ``httpx.Request(method, url, headers=all_headers, content=content)``
        (`_all_headers`), the request id layer's ``ids`` added last: ``Host`` first,
        ``Content-Length`` where httpx puts it. Without headers of the caller's, from the
        client's own, encoded once.
        """
        own = self._lines
        if headers is None and own is not None:
            names = _ID_NAMES
            stamped = [names[name] + (value.encode(),) for name, value in ids.items()]
            if content:
                length = (b"Content-Length", b"content-length", str(len(content)).encode())
                return headers_from_lines([*self._json_lines, length, *stamped])
            if method in _LENGTH_ZERO:
                return headers_from_lines([own[0], _NO_CONTENT, *own[1:], *stamped])
            return headers_from_lines([*own, *stamped])
        framed: dict[str, str]
        host, all_headers = self._host, self._all_headers(headers, content)
        if content:
            framed = {"Host": host, **all_headers, "Content-Length": str(len(content)), **ids}
        elif method in _LENGTH_ZERO:
            framed = {"Host": host, "Content-Length": "0", **all_headers, **ids}
        else:
            framed = {"Host": host, **all_headers, **ids}
        return headers_from_text(framed)

    def _untraced_layers(self) -> list[Middleware]:
        """The pipeline less the two tracing layers `_layers` added (any of yours stay)."""
        yours = self._config.middleware
        return [
            m
            for m in self._middleware
            if not isinstance(m, TracingLayer) or any(m is y for y in yours)
        ]

    # -- hooks for platform clients -------------------------------------------------------

    @classmethod
    def _make_converter(cls) -> cattrs.Converter:
        """This platform's converter (called once per client class; clients share it)."""
        raise NotImplementedError

    def _attach_resources(self) -> None:
        """Create the resource attributes (each client, derived ones too, has its own)."""

    def _derive(self, options: DerivedOptions, **platform: Any) -> Self:
        """
        A client of this class with ``options`` changed, built by the constructor.

        It shares this client's transport and limiter store, and is given the rest of this
        client's configuration; ``platform`` holds a platform client's own arguments.
        """
        config = self._config
        inherited: ClientOptions = {
            "transport": self._transport,
            "limiter_store": self._store,
            "timeout": options.get("timeout", config.timeout),
            "retry": options.get("retry") or config.retry,
            "middleware": config.middleware
            if options.get("middleware") is None
            else options["middleware"],
            "headers": {**config.headers, **(options.get("headers") or {})},
            "allow_insecure": config.allow_insecure,
        }
        if "max_retries" in options:
            inherited["max_retries"] = options["max_retries"]
        rate_limit = options.get("rate_limit", config.rate_limit)
        if not isinstance(rate_limit, Unset):  # unset: the platform default, as the parent's
            inherited["rate_limit"] = rate_limit
        if config.tracer_provider is not None:
            inherited["tracer_provider"] = config.tracer_provider
        return type(self)(config.token, base_url=config.base_url, **inherited, **platform)

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

    @property
    def limiter_store(self) -> LimiterStore:
        """
        Where this client's pacing state lives (shared with the clients `with_options` derives).

        .. versionadded:: 0.1
        """
        return self._store

    def with_options(self, **options: Unpack[DerivedOptions]) -> Self:
        """
        A client with some options changed, sharing this one's connections and limiter.

        Everything not named is inherited (including a platform client's own defaults, such
        as Talkturo's ``team_id``). Closing the derived client does not close the shared
        transport.
        """
        return self._derive(options)

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
        options: ExtraOptions | None = None,
    ) -> httpx.Response:
        """
        Send one logical call through the pipeline and return the (2xx) response.

        ``safety`` decides what the retry layer may do (default: from the HTTP method).
        With ``stream=True`` the body is not read: close the response when done.
        ``options`` are the caller's per-call options (`RequestOptions`), applied last.

        Raises:
            APIError: The server answered with an error status (a typed subclass).
            APIConnectionError: No answer, and retrying did not help.
            OutcomeUnknownError: An unsafe call failed after it was sent.
        """
        if self._closed:
            raise RuntimeError(f"{type(self).__name__} is closed")
        method = method.upper()
        if options:
            params, json, headers, timeout = _apply(options, params, json, headers, timeout)
        ctx = CallContext(
            safety=safety or Safety.for_method(method), platform=self.dialect.name, stream=stream
        )
        content = None
        if json is not None:
            content = _encode_json(json).encode()
        extensions = {
            "timeout": self._timeout_ext
            if isinstance(timeout, Unset)
            else _timeout(timeout).as_dict(),
            CONTEXT_KEY: ctx,
        }
        handler = self._handler
        if self._tracing is not None:  # the layers reuse this call's tracer (None: no spans)
            tracer = extensions[TRACER_KEY] = self._tracing.tracer()
            if tracer is None:
                handler = self._untraced
        if params:
            url = httpx.URL(self._base_url + path, params=_clean_params(params))
        else:  # parsing a URL is most of building a request: once per path
            url = self._urls.get(path) or self._parse(path)
        if self._plain_headers and (headers is None or _plain(headers)):
            # The request id layer's headers, set here: the request is built once, in order.
            framed = self._framed(method, headers, content, stamp(ctx))
            request = make_request(method, url, framed, content or b"", extensions)
        else:  # the caller set Host, the length or an id: httpx and the id layer decide
            all_headers = self._all_headers(headers, content)
            request = httpx.Request(
                method, url, headers=all_headers, content=content, extensions=extensions
            )
        response = await handler(request)
        record_response(response)
        return response

    async def send_json(self, method: str, path: str, **call: Unpack[CallArgs]) -> Reply:
        """Like `request`, returning the decoded JSON body with the call's request id."""
        response = await self.request(method, path, **call)
        return Reply(_body(method, path, response), request_id_of(response))

    async def request_json(self, method: str, path: str, **call: Unpack[CallArgs]) -> Any:
        """Like `request`, returning the decoded JSON body (``None`` when empty)."""
        return _body(method, path, await self.request(method, path, **call))

    async def request_model(
        self,
        method: str,
        path: str,
        cls: type[T],
        *,
        key: str | None = None,
        **call: Unpack[CallArgs],
    ) -> T:
        """
        Send a call and structure its payload into ``cls``.

        The platform's success envelope is unwrapped here, not in each resource: the record
        class names its key (Talkturo's ``{"success": true, "assistant": {...}}``: see
        `envelope_of`), ``key`` names it for a payload that is no record; without either the
        dialect's default applies (Talkover's ``data``; Talkory has no envelope). The model
        (each model of a list) carries the call's request id as ``_request_id``.
        """
        # (The call's arguments handed on as they came: no second dict per call.)
        response = await self.request(method, path, **call)
        payload = self.dialect.unwrap(_body(method, path, response), key or envelope_of(cls))
        result = self.structure(payload, cls)
        if not isinstance(result, _CARRIES_ID):  # (`Created`: no record, no request id)
            return result
        return set_request_id(result, request_id_of(response))

    def fields(
        self,
        method: Callable[..., Any],
        values: Mapping[str, Any],
        *,
        into: Literal["body", "query"] = "body",
        checked: bool = False,
    ) -> dict[str, Any]:
        """
        The checked body (or query) of a call, from the fields ``method`` declares.

        ``values`` holds the method's arguments (``locals()`` at its top); the names are the
        dialect's (`Dialect.request_case`) unless a field names its own. ``checked``: the
        values already passed the fields' checks (a bulk row's): they are only named.

        Raises:
            InvalidRequestError: A required field is missing or a value fails its check.
        """
        return _field_set(method).build(values, self.dialect.request_case, into, checked=checked)

    def structure(self, data: Any, cls: type[T], *, request_id: str | None = None) -> T:
        """
        Turn decoded JSON into a model with this platform's converter.

        ``request_id`` is stored on the model (on each model of a list) as ``_request_id``.
        """
        result = structure(self._converter, data, cls)
        return result if request_id is None else set_request_id(result, request_id)

    def _starts_together(self) -> bool:
        """
        Whether many requests started in one event-loop turn all go at full speed: so on
        talkkit's aiohttp transports while they send by aiohttp. httpx's connection pool does
        work for every open connection on each request it takes and each it gives back, so a
        bulk job on it starts one send per turn (`BulkOperation.starts_together`).
        """
        check = getattr(self._transport, "starts_together", None)
        return check is not None and check() is True

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

    async def __aexit__(self, *exc_info: object) -> None:
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


@attrs.frozen
class Reply:
    """A decoded JSON body (``None`` when empty) and the request id of its response."""

    body: Any
    request_id: str | None


def _apply(
    options: Mapping[str, Any],
    params: Mapping[str, Any] | None,
    json: Any,
    headers: Mapping[str, str] | None,
    timeout: TimeoutTypes | Unset,
) -> tuple[Mapping[str, Any] | None, Any, Mapping[str, str] | None, TimeoutTypes | Unset]:
    """Merge a caller's per-call options into a request's parts (the one place they act)."""
    if "timeout" in options:
        timeout = options["timeout"]
    if query := options.get("extra_query"):
        params = {**(params or {}), **query}
    if extra := options.get("extra_body"):
        if json is None:
            json = dict(extra)
        elif isinstance(json, Mapping):
            json = {**json, **extra}
        else:
            raise InvalidRequestError("extra_body", "this call's body is not a JSON object")
    if more := options.get("extra_headers"):
        headers = {**(headers or {}), **more}
    key = options.get("idempotency_key")  # typed on unsafe calls only (UnsafeRequestOptions)
    if key is not None:
        if (
            not isinstance(key, str)
            or not key.strip()
            or not key.isprintable()
            or not key.isascii()
        ):
            raise InvalidRequestError(
                "idempotency_key", "must be a non-empty string of printable ASCII", value=key
            )
        headers = {**(headers or {}), IDEMPOTENCY_KEY_HEADER: key}
    return params, json, headers, timeout


def _plain(headers: Mapping[str, str]) -> bool:
    """Do ``headers`` leave out those that httpx or the request id layer would set?"""
    return not any(name.lower() in _SET_BY_US for name in headers)


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
