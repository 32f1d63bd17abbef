"""
Tracing, per attempt (``otel`` extra): one CLIENT span for each request sent over the wire.

The layer sits inside the retry loop, after your middleware and the rate limiter and before
`BearerAuth`: its span measures the exchange itself (pacing waits show as gaps in the call's
span), and it runs before the ``Authorization`` header is even set. Each span is a child of
the call's span from `CallTracingMiddleware`.

Attributes follow OpenTelemetry's HTTP client conventions: ``http.request.method``,
``server.address``, ``server.port``, ``url.full`` (no user info, no query), ``url.template``,
``http.response.status_code`` when an answer came, ``http.request.resend_count`` on the second
attempt and later (1, 2, ...), and, on failure, ``error.type`` with status ERROR. ``error.type``
is the status code (``"503"``) when the server answered with an error status, otherwise the
talkkit error class (``talkkit.APIConnectionError``, ``talkkit.APITimeoutError``).

For a streamed call, the span ends when the response headers arrive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from talkkit._otel import TracingLayer, error_type
from talkkit.errors import APIError

if TYPE_CHECKING:
    from opentelemetry.trace import Span
    from opentelemetry.util.types import AttributeValue

    from talkkit._request import CallContext

__all__ = ["AttemptTracingMiddleware"]


class AttemptTracingMiddleware(TracingLayer):
    """
    Record one OpenTelemetry span (kind CLIENT) per attempt.

    The client adds this layer itself when the ``otel`` extra is installed (see
    `CallTracingMiddleware` for where spans go and what it costs without a provider).

    Args:
        tracer_provider: Where spans go (default: the global provider; an attempt's spans
            go where its call's span went).

    Raises:
        ImportError: The ``otel`` extra is not installed.

    .. versionadded:: 0.1
    """

    __slots__ = ()
    client = True

    def _attributes(
        self, ctx: CallContext, attributes: dict[str, AttributeValue]
    ) -> dict[str, AttributeValue]:
        resends = ctx.attempt - 1
        return {**attributes, "http.request.resend_count": resends} if resends > 0 else attributes

    def _answered(self, span: Span, ctx: CallContext, status: int) -> None:
        if status >= 400:  # only if a layer inside did not raise it as an error
            self._tracing.fail(span, str(status), status)
        else:
            span.set_attribute("http.response.status_code", status)

    def _failed(self, span: Span, ctx: CallContext, exc: BaseException) -> None:
        if isinstance(exc, APIError):  # the server answered: the status is the type
            self._tracing.fail(span, str(exc.status), exc.status)
        else:
            self._tracing.fail(span, error_type(exc))
