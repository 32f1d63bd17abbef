"""
Tracing, once per call (``otel`` extra): one span for the logical call, around its attempts.

The layer sits just inside `RequestIdMiddleware` (the request id is known) and outside
`RetryMiddleware`, so its span covers every attempt, the backoff between them and the
rate limiter's waits; each attempt gets a child span from `AttemptTracingMiddleware`.

The span is named ``{method} {url.template}`` (``POST /api/crm/contacts``), with
``http.request.method``, ``server.address``, ``server.port``, ``url.full`` (no user info, no
query), ``url.template`` (id-like segments as ``{id}``), ``talkkit.platform`` and
``talkkit.request_id`` from the start, and ``http.response.status_code`` and
``talkkit.attempts`` at the end. A call that fails gets ``error.type`` (the talkkit error
class: ``talkkit.OutcomeUnknownError``, ``talkkit.ServiceUnavailableError``) and status ERROR;
one that succeeds has no ``error.type``.

Its kind is INTERNAL: OpenTelemetry's HTTP conventions give each request sent over the wire its
own CLIENT span (the attempts) and no logical CLIENT span above them.

For a streamed call, the span ends when the response headers arrive: reading the body is the
caller's time, and a span left open until someone closes the stream would end at an unrelated
moment, or never.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from talkkit._otel import TracingLayer, error_type

if TYPE_CHECKING:
    from opentelemetry.trace import Span
    from opentelemetry.util.types import AttributeValue

    from talkkit._request import CallContext

__all__ = ["CallTracingMiddleware"]


class CallTracingMiddleware(TracingLayer):
    """
    Record one OpenTelemetry span (kind INTERNAL) per logical call.

    The client adds this layer itself when the ``otel`` extra is installed; its spans go to
    the client's ``tracer_provider`` or else to the global one, looked up on each call. With
    neither set, the client sends the call past both tracing layers: they record nothing
    and cost nothing.

    Args:
        tracer_provider: Where spans go (default: the global provider, read per call).

    Raises:
        ImportError: The ``otel`` extra is not installed.

    .. versionadded:: 0.1
    """

    __slots__ = ()

    def _attributes(
        self, ctx: CallContext, attributes: dict[str, AttributeValue]
    ) -> dict[str, AttributeValue]:
        attributes = {**attributes, "talkkit.platform": ctx.platform}
        if ctx.request_id is not None:
            attributes["talkkit.request_id"] = ctx.request_id
        return attributes

    def _answered(self, span: Span, ctx: CallContext, status: int) -> None:
        span.set_attribute("talkkit.attempts", ctx.attempt)
        span.set_attribute("http.response.status_code", status)

    def _failed(self, span: Span, ctx: CallContext, exc: BaseException) -> None:
        span.set_attribute("talkkit.attempts", ctx.attempt)
        self._tracing.fail(span, error_type(exc), getattr(exc, "status", None))
