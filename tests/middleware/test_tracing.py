"""The tracing layers: a span per call, a CLIENT span per attempt, and no credential in any."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import anyio
import httpx
import pytest
import respx
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import NoOpTracerProvider, SpanKind, StatusCode

from talkkit import AsyncTalkory, OutcomeUnknownError, RetryPolicy
from talkkit._otel import url_template
from talkkit._request import context_of
from talkkit.middleware import (
    AttemptTracingMiddleware,
    BearerAuth,
    CallTracingMiddleware,
    ErrorDecoderMiddleware,
    RateLimitMiddleware,
    RequestIdMiddleware,
    RetryMiddleware,
)
from talkkit.typing import Handler

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., AsyncTalkory]
PROXY_PASSWORD = "pr0xy-pa55word-xyz"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    """Finished spans, kept in memory."""
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> Iterator[TracerProvider]:
    """A tracer provider of this test only, handed to clients: the global one stays unset."""
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider
    provider.shutdown()


def _split(spans: tuple[ReadableSpan, ...]) -> tuple[ReadableSpan, list[ReadableSpan]]:
    """The call span and the attempt spans (in start order), checking their parentage."""
    (call,) = [s for s in spans if s.kind is SpanKind.INTERNAL]
    attempts = sorted((s for s in spans if s.kind is SpanKind.CLIENT), key=lambda s: s.start_time)
    assert len(spans) == 1 + len(attempts)
    for attempt in attempts:
        assert attempt.parent is not None
        assert attempt.parent.span_id == call.context.span_id
        assert attempt.context.trace_id == call.context.trace_id
    return call, attempts


def _texts(spans: tuple[ReadableSpan, ...]) -> list[str]:
    """Every string a span exports: name, attribute keys and values, events, status."""
    out: list[str] = []

    def add(attributes: Any) -> None:
        for key, value in (attributes or {}).items():
            out.extend([key, str(value)])

    for span in spans:
        out.append(span.name)
        out.append(span.status.description or "")
        add(span.attributes)
        for event in span.events:
            out.append(event.name)
            add(event.attributes)
    return out


async def test_retried_call_has_a_call_span_and_one_span_per_attempt(
    router: respx.MockRouter,
    make_talkory: MakeClient,
    provider: TracerProvider,
    exporter: InMemorySpanExporter,
) -> None:
    """A GET answered 503 then 200 gives a call span with two CLIENT children, resends counted."""
    route = router.get("/v1/wallet").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"balance": 1.0})]
    )
    await make_talkory(tracer_provider=provider).wallet.get()
    call, attempts = _split(exporter.get_finished_spans())
    sent_id = route.calls[0].request.headers["x-request-id"]
    assert call.name == "GET /v1/wallet"
    assert dict(call.attributes or {}) == {
        "http.request.method": "GET",
        "server.address": "api.talkory.ai",
        "server.port": 443,
        "url.full": "https://api.talkory.ai/v1/wallet",
        "url.template": "/v1/wallet",
        "talkkit.platform": "talkory",
        "talkkit.request_id": sent_id,
        "talkkit.attempts": 2,
        "http.response.status_code": 200,
    }
    assert call.status.status_code is StatusCode.UNSET
    first, second = attempts
    assert first.name == second.name == "GET /v1/wallet"
    assert first.attributes is not None
    assert second.attributes is not None
    assert first.attributes["http.response.status_code"] == 503
    assert first.attributes["error.type"] == "503"
    assert "http.request.resend_count" not in first.attributes
    assert first.status.status_code is StatusCode.ERROR
    assert second.attributes["http.response.status_code"] == 200
    assert second.attributes["http.request.resend_count"] == 1
    assert "error.type" not in second.attributes
    assert second.status.status_code is StatusCode.UNSET
    assert second.attributes["url.full"] == "https://api.talkory.ai/v1/wallet"


@pytest.mark.parametrize(
    ("answer", "attempt_error", "status"),
    [
        (httpx.Response(500), "500", 500),
        (httpx.RemoteProtocolError("peer closed"), "talkkit.APIConnectionError", None),
    ],
)
async def test_unsafe_call_with_unknown_outcome_ends_in_an_error_span(
    router: respx.MockRouter,
    make_talkory: MakeClient,
    provider: TracerProvider,
    exporter: InMemorySpanExporter,
    answer: httpx.Response | Exception,
    attempt_error: str,
    status: int | None,
) -> None:
    """An unsafe POST that fails after sending: one attempt, call span error OutcomeUnknownError."""
    router.post("/v1/query/sync").mock(side_effect=[answer])
    with pytest.raises(OutcomeUnknownError) as info:
        await make_talkory(tracer_provider=provider).queries.run("what is 2+2?")
    call, attempts = _split(exporter.get_finished_spans())
    assert call.name == "POST /v1/query/sync"
    assert call.attributes is not None
    assert call.attributes["error.type"] == "talkkit.OutcomeUnknownError"
    assert call.attributes["talkkit.attempts"] == 1
    assert call.attributes["talkkit.request_id"] == info.value.request_id
    assert call.attributes.get("http.response.status_code") == status
    assert call.status.status_code is StatusCode.ERROR
    assert not call.status.description  # no free text: messages may carry URLs
    assert call.events == ()
    (attempt,) = attempts
    assert attempt.attributes is not None
    assert attempt.attributes["error.type"] == attempt_error
    assert attempt.attributes.get("http.response.status_code") == status
    assert attempt.status.status_code is StatusCode.ERROR


async def test_no_credential_reaches_any_span(
    router: respx.MockRouter,
    make_talkory: MakeClient,
    provider: TracerProvider,
    exporter: InMemorySpanExporter,
) -> None:
    """Token (header, query, echoed body), Bearer scheme and a proxy password appear in no span."""
    client = make_talkory(tracer_provider=provider)
    token = client.config.token.get()
    echo = {"error": {"code": "unauthorized", "message": f"bad Bearer {token}"}}
    router.get("/v1/wallet").mock(return_value=httpx.Response(200, json={"balance": 1.0}))
    router.get("/v1/usage").mock(return_value=httpx.Response(401, json=echo))
    await client.request("GET", "/v1/wallet", params={"api_key": token})
    with pytest.raises(Exception, match="401"):
        await client.request("GET", "/v1/usage")
    proxied = httpx.AsyncHTTPTransport(proxy=f"http://talkkit:{PROXY_PASSWORD}@127.0.0.1:9")
    via_proxy = make_talkory(tracer_provider=provider, transport=proxied, max_retries=0)
    try:
        with pytest.raises(Exception, match="Error"):
            await via_proxy.request("GET", "/v1/wallet")
    finally:
        await proxied.aclose()
    spans = exporter.get_finished_spans()
    assert len(spans) == 6
    texts = _texts(spans)
    for secret in (token, "Bearer", PROXY_PASSWORD, "api_key", "talkkit:"):
        assert not [t for t in texts if secret in t], secret
    assert not [t for t in texts if "authorization" in t.lower()]


async def test_path_ids_become_a_template(
    router: respx.MockRouter,
    make_talkory: MakeClient,
    provider: TracerProvider,
    exporter: InMemorySpanExporter,
) -> None:
    """An id in the path is named {id} in the span name and url.template, not in url.full."""
    router.get("/v1/queries/q_01j9xk2").mock(return_value=httpx.Response(200, json={}))
    await make_talkory(tracer_provider=provider).request("GET", "/v1/queries/q_01j9xk2")
    call, (attempt,) = _split(exporter.get_finished_spans())
    assert call.name == attempt.name == "GET /v1/queries/{id}"
    assert attempt.attributes is not None
    assert attempt.attributes["url.template"] == "/v1/queries/{id}"
    assert attempt.attributes["url.full"] == "https://api.talkory.ai/v1/queries/q_01j9xk2"


async def test_attempt_span_follows_a_url_changed_between_attempts(
    make_talkory: MakeClient, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    """A user layer that fails over to another host on a retry shows that host on the attempt."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.talkory.ai":
            return httpx.Response(503)
        return httpx.Response(200, json={"balance": 1.0})

    async def failover(request: httpx.Request, call_next: Handler) -> httpx.Response:
        if context_of(request).attempt > 1:
            request.url = request.url.copy_with(host="backup.talkory.ai")
        return await call_next(request)

    client = make_talkory(
        tracer_provider=provider, transport=httpx.MockTransport(answer), middleware=[failover]
    )
    await client.wallet.get()
    _, (first, second) = _split(exporter.get_finished_spans())
    assert first.attributes is not None
    assert second.attributes is not None
    assert first.attributes["server.address"] == "api.talkory.ai"
    assert second.attributes["server.address"] == "backup.talkory.ai"
    assert second.attributes["url.full"] == "https://backup.talkory.ai/v1/wallet"


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/api/crm/contacts", "/api/crm/contacts"),
        ("/api/crm/contacts/42", "/api/crm/contacts/{id}"),
        ("/api/v1/agents/agt_01j9x/webhooks/7f3e", "/api/v1/agents/{id}/webhooks/{id}"),
        ("/api/phone-numbers/%2B15551234567", "/api/phone-numbers/{id}"),
        ("/api/test-api-key", "/api/test-api-key"),
    ],
)
async def test_url_template_keeps_words_and_versions(path: str, template: str) -> None:
    """Segments holding digits (versions excepted), '%' or '@' are ids; words stay."""
    assert url_template(path) == template


async def test_streamed_call_spans_end_when_headers_arrive(
    router: respx.MockRouter,
    make_talkory: MakeClient,
    provider: TracerProvider,
    exporter: InMemorySpanExporter,
) -> None:
    """With stream=True both spans are finished when request() returns, before the body is read."""
    router.get("/v1/wallet").mock(return_value=httpx.Response(200, json={"balance": 1.0}))
    response = await make_talkory(tracer_provider=provider).request(
        "GET", "/v1/wallet", stream=True
    )
    try:
        call, (attempt,) = _split(exporter.get_finished_spans())
        for span in (call, attempt):
            assert span.attributes is not None
            assert span.attributes["http.response.status_code"] == 200
    finally:
        await response.aclose()


async def test_cancelled_call_ends_both_spans_as_errors(
    make_talkory: MakeClient, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    """A call cancelled mid-attempt ends its spans with a cancellation error type."""

    async def hang(request: httpx.Request) -> httpx.Response:
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    client = make_talkory(tracer_provider=provider, transport=httpx.MockTransport(hang))
    with anyio.move_on_after(0.01):
        await client.request("GET", "/v1/wallet")
    call, (attempt,) = _split(exporter.get_finished_spans())
    for span in (call, attempt):
        assert span.attributes is not None
        assert "Cancel" in str(span.attributes["error.type"])
        assert span.status.status_code is StatusCode.ERROR
    assert trace.get_current_span() is trace.INVALID_SPAN  # the previous context is back


async def test_global_provider_is_read_per_call(
    router: respx.MockRouter,
    make_talkory: MakeClient,
    provider: TracerProvider,
    exporter: InMemorySpanExporter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without tracer_provider, nothing records until a global provider is set, then it does."""
    router.get("/v1/wallet").mock(return_value=httpx.Response(200, json={"balance": 1.0}))
    client = make_talkory()
    await client.wallet.get()
    assert exporter.get_finished_spans() == ()
    # trace.set_tracer_provider works once per process; the private slot is restored after.
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", provider)
    await client.wallet.get()
    assert len(exporter.get_finished_spans()) == 2


async def test_derived_client_keeps_the_tracer_provider(
    router: respx.MockRouter,
    make_talkory: MakeClient,
    provider: TracerProvider,
    exporter: InMemorySpanExporter,
) -> None:
    """A client from with_options sends its spans to the parent's tracer provider."""
    router.get("/v1/wallet").mock(return_value=httpx.Response(200, json={"balance": 1.0}))
    child = make_talkory(tracer_provider=provider).with_options(max_retries=0)
    await child.wallet.get()
    assert len(exporter.get_finished_spans()) == 2


@pytest.mark.parametrize("off", [NoOpTracerProvider(), None])
async def test_no_op_or_sampled_out_provider_records_nothing(
    router: respx.MockRouter,
    make_talkory: MakeClient,
    exporter: InMemorySpanExporter,
    off: NoOpTracerProvider | None,
) -> None:
    """A no-op provider, or one whose sampler drops everything, exports no span; calls work."""
    router.get("/v1/wallet").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"balance": 1.0})]
    )
    if off is None:
        dropping = TracerProvider(sampler=ALWAYS_OFF, shutdown_on_exit=False)
        dropping.add_span_processor(SimpleSpanProcessor(exporter))
    client = make_talkory(tracer_provider=off if off is not None else dropping)
    assert (await client.wallet.get()).balance == 1.0
    assert exporter.get_finished_spans() == ()


async def test_layers_sit_around_retry_and_inside_pacing(make_talkory: MakeClient) -> None:
    """The call layer follows the request id; the attempt layer comes right before auth."""
    client = make_talkory(rate_limit="10/s", retry=RetryPolicy(max_retries=1))
    assert [type(m) for m in client.middleware] == [
        RequestIdMiddleware,
        CallTracingMiddleware,
        RetryMiddleware,
        RateLimitMiddleware,
        AttemptTracingMiddleware,
        BearerAuth,
        ErrorDecoderMiddleware,
    ]


async def test_no_tracing_layers_without_the_extra(
    make_talkory: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without OpenTelemetry installed the client builds no tracing layer at all."""
    monkeypatch.setattr("talkkit._client.tracing_available", lambda: False)
    kinds = {type(m) for m in make_talkory().middleware}
    assert not kinds & {CallTracingMiddleware, AttemptTracingMiddleware}
