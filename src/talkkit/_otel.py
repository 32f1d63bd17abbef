"""
OpenTelemetry plumbing (the ``otel`` extra): shared by the two tracing layers
(`talkkit.middleware.tracing`, `talkkit.middleware.attempt_tracing`, both `TracingLayer`s)
and by the client, which adds them only when the extra is installed (`available`).

The client resolves a call's tracer itself (`Tracing.tracer`, stored under `TRACER_KEY` for
the layers to reuse) and, while nothing would record, sends the call through a chain without
the two layers: no provider configured costs one provider lookup per call, not two layers.

Nothing here imports ``opentelemetry`` when talkkit is imported: the API is imported when a
client builds its tracing layers, and only if the extra is installed.

What goes into a span is chosen here, once, so that no credential can reach it: the method,
the server's host and port, the URL **without** user info, query or fragment, a path template,
status codes, the platform, the request id and error *types*. No header, body, query value,
exception message or exception event is ever recorded: an error shows as ``error.type`` (an
exception class, or the status code on an attempt) and an ERROR status without description.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from talkkit._request import CallContext, context_of

if TYPE_CHECKING:
    from contextvars import Token

    from opentelemetry.context import Context
    from opentelemetry.trace import Span, Tracer, TracerProvider
    from opentelemetry.util.types import AttributeValue

    from talkkit.typing import Handler

__all__ = [
    "TRACER_KEY",
    "Tracing",
    "TracingLayer",
    "available",
    "error_type",
    "span_start",
    "url_template",
]

_MISSING_EXTRA = "tracing needs the 'otel' extra: pip install 'talkkit[otel]'"
_KNOWN_METHODS = frozenset(
    {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"}
)
_ID_LIKE = re.compile(r"[0-9%@]")  # minted ids, numbers, phone numbers, e-mail addresses
_VERSION = re.compile(r"v[0-9]+")
_START_KEY = "talkkit.otel"  # request.extensions: the span name and attributes of the call
TRACER_KEY = "talkkit.otel.tracer"  # request.extensions: the call's tracer (or None)


@cache
def available() -> bool:
    """Whether the ``otel`` extra (``opentelemetry-api``) is installed, without importing it."""
    try:
        return find_spec("opentelemetry.trace") is not None
    except ModuleNotFoundError:  # not even the ``opentelemetry`` namespace package
        return False


def url_template(path: str) -> str:
    """
    A low-cardinality template of a URL path: id-like segments become ``{id}``.

    A segment is id-like when it holds a digit, ``%`` or ``@`` (the ids the platforms mint,
    numbers, phone numbers, e-mail addresses), a version such as ``v1`` excepted. The fixed
    segments of the three APIs are lowercase words (``crm``, ``phone-numbers``), so they stay:
    ``/api/crm/contacts/cnt_01j9x`` gives ``/api/crm/contacts/{id}``.
    """
    return "/".join(
        "{id}" if _ID_LIKE.search(part) and not _VERSION.fullmatch(part) else part
        for part in path.split("/")
    )


def span_start(request: httpx.Request) -> tuple[str, dict[str, AttributeValue]]:
    """
    The span name and the attributes known before sending.

    Computed once per call and reused by its attempts, unless a layer changed the request's
    URL or method in between.
    """
    url = request.url
    method = request.method
    cached = request.extensions.get(_START_KEY)
    if cached is not None and cached[0] is url and cached[1] == method:
        return cached[2], cached[3]
    known = method in _KNOWN_METHODS
    # The path as sent (percent-encoded, up to the query); netloc has no user info.
    path = url.raw_path.partition(b"?")[0].decode("ascii")
    template = url_template(path)
    attributes: dict[str, AttributeValue] = {
        "http.request.method": method if known else "_OTHER",
        "server.address": url.host,
        "server.port": url.port or (443 if url.scheme == "https" else 80),
        "url.template": template,
    }
    if not known:
        attributes["http.request.method_original"] = method
    attributes["url.full"] = f"{url.scheme}://{url.netloc.decode('ascii')}{path}"
    name = f"{method if known else 'HTTP'} {template}"
    request.extensions[_START_KEY] = (url, method, name, attributes)
    return name, attributes


def error_type(exc: BaseException) -> str:
    """The fully qualified class name of ``exc`` (``talkkit.OutcomeUnknownError``)."""
    cls = type(exc)
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("talkkit")
    except PackageNotFoundError:  # running from a source tree
        return "0"


class Tracing:
    """
    Where a layer's spans go, and how it starts and ends them.

    With a ``provider``, spans go there. Without one, the global provider is looked up on
    every call (a provider set after the client was built counts from then on). While there
    is none (OpenTelemetry's default proxy), or with a no-op provider, `tracer` returns
    ``None`` and a layer only passes the request on: that check is the whole cost.

    Raises:
        ImportError: The ``otel`` extra is not installed (the message names it).
    """

    __slots__ = (
        "_attach",
        "_client",
        "_detach",
        "_error",
        "_explicit",
        "_get_global",
        "_global_slot",
        "_idle",
        "_in_context",
        "_internal",
        "_provider",
        "_tracer",
    )

    def __init__(self, provider: TracerProvider | None = None) -> None:
        try:
            from opentelemetry import context, trace
        except ImportError as exc:
            raise ImportError(_MISSING_EXTRA) from exc
        self._explicit = provider
        self._get_global = trace.get_tracer_provider
        # Where OpenTelemetry keeps the global provider once set: read directly, it costs
        # one attribute lookup per call. While it is empty, the global provider is the proxy
        # (nothing records); asking OpenTelemetry once here loads one that
        # ``OTEL_PYTHON_TRACER_PROVIDER`` names (an OpenTelemetry without that slot is asked
        # on every call).
        self._global_slot = trace if hasattr(trace, "_TRACER_PROVIDER") else None
        if provider is None:
            trace.get_tracer_provider()
        self._idle = (trace.ProxyTracerProvider, trace.NoOpTracerProvider)
        self._attach = context.attach
        self._detach = context.detach
        self._in_context = trace.set_span_in_context
        self._client = trace.SpanKind.CLIENT
        self._internal = trace.SpanKind.INTERNAL
        self._error = trace.StatusCode.ERROR
        self._provider: object = None
        self._tracer: Tracer | None = None

    def tracer_for(self, request: httpx.Request) -> Tracer | None:
        """
        The tracer of ``request``'s call: resolved by its first layer, reused by the others.

        So a call's attempts all go where the call's span went, and the per-attempt layer does
        not look the provider up again.
        """
        extensions = request.extensions
        if TRACER_KEY in extensions:
            tracer: Tracer | None = extensions[TRACER_KEY]
        else:
            tracer = extensions[TRACER_KEY] = self.tracer()
        return tracer

    def tracer(self) -> Tracer | None:
        """The tracer to use now, or ``None`` when nothing would record."""
        provider: Any = self._explicit
        if provider is None:
            slot = self._global_slot
            provider = self._get_global() if slot is None else slot._TRACER_PROVIDER
            if provider is None:  # none set: the proxy, which records nothing
                return None
        if provider is not self._provider:  # once per provider, not per call
            self._tracer = (
                None
                if isinstance(provider, self._idle)
                else provider.get_tracer("talkkit", _version())
            )
            self._provider = provider
        return self._tracer

    def start(
        self, tracer: Tracer, name: str, attributes: dict[str, AttributeValue], *, client: bool
    ) -> tuple[Span, Token[Context]]:
        """Start a span (kind CLIENT or INTERNAL) and make it the current one."""
        span = tracer.start_span(
            name,
            kind=self._client if client else self._internal,
            attributes=attributes,
            record_exception=False,  # exception messages may carry URLs: never recorded
            set_status_on_exception=False,
        )
        return span, self._attach(self._in_context(span))

    def fail(self, span: Span, error: str, status: Any = None) -> None:
        """Mark ``span`` failed: ``error.type``, the status code if one came, status ERROR."""
        if isinstance(status, int) and not isinstance(status, bool):
            span.set_attribute("http.response.status_code", status)
        span.set_attribute("error.type", error)
        span.set_status(self._error)

    def end(self, span: Span, token: Token[Context]) -> None:
        """Restore the previous current span and end ``span``."""
        self._detach(token)
        span.end()


class TracingLayer:
    """
    What the two tracing middlewares share: where their spans go (a `Tracing`), and one span
    around ``call_next``, ended whatever happens (cancellation too).

    A subclass names the span's kind (``client``) and fills in what only it knows: the
    attributes at the start (`_attributes`), and at the end those of an answer (`_answered`)
    or of a failure (`_failed`). Both ends are skipped for a span that does not record.

    Args:
        tracer_provider: Where spans go (default: the global provider, read per call).

    Raises:
        ImportError: The ``otel`` extra is not installed.
    """

    __slots__ = ("_tracing",)
    client: ClassVar[bool] = False  # the span's kind: CLIENT, else INTERNAL

    def __init__(self, tracer_provider: TracerProvider | None = None) -> None:
        self._tracing = Tracing(tracer_provider)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    async def __call__(self, request: httpx.Request, call_next: Handler) -> httpx.Response:
        """Pass ``request`` on, recording this layer's span (each subclass says which)."""
        tracing = self._tracing
        tracer = tracing.tracer_for(request)
        if tracer is None:  # no provider: nothing records, nothing to pay for
            return await call_next(request)
        ctx = context_of(request)
        name, attributes = span_start(request)
        span, token = tracing.start(
            tracer, name, self._attributes(ctx, attributes), client=self.client
        )
        try:
            response = await call_next(request)
        except BaseException as exc:  # cancellation too: the span must not stay open
            if span.is_recording():
                self._failed(span, ctx, exc)
            raise
        else:
            if span.is_recording():
                self._answered(span, ctx, response.status_code)
            return response
        finally:
            tracing.end(span, token)

    def _attributes(
        self, ctx: CallContext, attributes: dict[str, AttributeValue]
    ) -> dict[str, AttributeValue]:
        """The span's attributes at its start: `span_start`'s, and this layer's own."""
        raise NotImplementedError

    def _answered(self, span: Span, ctx: CallContext, status: int) -> None:
        """Record the answer's status on ``span``."""
        raise NotImplementedError

    def _failed(self, span: Span, ctx: CallContext, exc: BaseException) -> None:
        """Record ``exc`` on ``span`` (with `Tracing.fail`)."""
        raise NotImplementedError
