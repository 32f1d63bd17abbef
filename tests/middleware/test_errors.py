"""The error-decoding layer and the three platform dialects."""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Mapping

import httpx
import pytest
import respx
from hypothesis import given, settings
from hypothesis import strategies as st

from talkkit import (
    APIError,
    AsyncTalkory,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ServiceUnavailableError,
)
from talkkit._transport import TransportHandler
from talkkit.middleware.errors import (
    REDACTED,
    ErrorDecoderMiddleware,
    credentials_of,
    decode_error_safely,
)
from talkkit.talkory._dialect import decode_talkory_error
from talkkit.talkover._dialect import decode_talkover_error
from talkkit.talkturo._dialect import decode_talkturo_error

DECODERS = [decode_talkory_error, decode_talkover_error, decode_talkturo_error]


def _decode(
    decoder: Callable[..., APIError],
    status: int,
    body: object,
    headers: dict[str, str] | None = None,
) -> APIError:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return decode_error_safely(decoder, status, httpx.Headers(headers or {}), content)


def test_talkory_envelope() -> None:
    """Talkory's {error: {code, message, status, requestId}} maps code, message and id."""
    body = {
        "error": {
            "code": "insufficient_balance",
            "message": "Wallet empty.",
            "status": 402,
            "requestId": "req_9",
        }
    }
    err = _decode(decode_talkory_error, 402, body)
    assert isinstance(err, PaymentRequiredError)
    assert (err.code, err.message, err.request_id) == (
        "insufficient_balance",
        "Wallet empty.",
        "req_9",
    )


def test_talkory_code_decides_before_status() -> None:
    """As the official SDK does: a known code picks the class."""
    err = _decode(decode_talkory_error, 400, {"error": {"code": "rate_limited", "message": "x"}})
    assert isinstance(err, RateLimitError)


@pytest.mark.parametrize(
    ("status", "body", "cls", "code", "message"),
    [
        (
            401,
            {"error": "TOKEN_EXPIRED", "message": "Token expired", "status_code": 401},
            AuthenticationError,
            "TOKEN_EXPIRED",
            "Token expired",
        ),
        (
            401,
            {
                "success": False,
                "error": {"code": "INVALID_API_KEY", "message": "bad", "details": {}},
            },
            AuthenticationError,
            "INVALID_API_KEY",
            "bad",
        ),
        (
            404,
            {"success": False, "message": "Agent not found"},
            NotFoundError,
            "http_404",
            "Agent not found",
        ),
        (
            409,
            {"success": False, "message": "Trunk has DIDs", "code": "TRUNK_HAS_DIDS"},
            ConflictError,
            "TRUNK_HAS_DIDS",
            "Trunk has DIDs",
        ),
        (
            401,
            {"message": "Missing Bearer Token"},
            AuthenticationError,
            "http_401",
            "Missing Bearer Token",
        ),
        (
            500,
            {"error": "Failed to generate demo audio"},
            ServerError,
            "http_500",
            "Failed to generate demo audio",
        ),
    ],
)
def test_talkover_five_shapes(
    status: int, body: object, cls: type[APIError], code: str, message: str
) -> None:
    """All five documented Talkover error shapes decode to the typed hierarchy."""
    err = _decode(decode_talkover_error, status, body)
    assert type(err) is cls
    assert (err.code, err.message) == (code, message)


def test_talkover_validation_map_is_kept() -> None:
    """A 422 keeps its per-field messages on the exception and in its text."""
    body = {
        "message": "The given data was invalid.",
        "errors": {"webhook_url": ["must be https"], "events": ["required"]},
    }
    err = _decode(decode_talkover_error, 422, body)
    assert isinstance(err, BadRequestError)
    assert err.errors == {"webhook_url": ["must be https"], "events": ["required"]}
    assert "webhook_url: must be https" in str(err)


@pytest.mark.parametrize(
    ("status", "body", "cls", "code"),
    [
        (401, {"error": "Unauthorized"}, AuthenticationError, "unauthorized"),
        (403, {"error": "Forbidden"}, PermissionDeniedError, "forbidden"),
        (
            409,
            {"success": False, "error": "Contact with this email already exists"},
            ConflictError,
            "conflict",
        ),
        (400, {"success": False, "error": "firstName is required"}, BadRequestError, "bad_request"),
    ],
)
def test_talkturo_shapes(status: int, body: object, cls: type[APIError], code: str) -> None:
    """Talkturo's bare and success-enveloped errors decode with a status-derived code."""
    err = _decode(decode_talkturo_error, status, body)
    assert type(err) is cls
    assert err.code == code
    assert err.message == body["error"]  # type: ignore[index]


@pytest.mark.parametrize("decoder", DECODERS)
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "HTTP 502 Bad Gateway"),
        (
            b"<html><body>502 Bad Gateway</body></html>",
            "HTTP 502 Bad Gateway (an HTML page, 41 characters: probably from a proxy or gateway)",
        ),
        (b'{"error": {"code": ', 'HTTP 502 Bad Gateway: {"error": {"code":'),
        (b"\xff\xfe\x00garbage", "HTTP 502 Bad Gateway: \ufffd\ufffd\x00garbage"),
        (b"null", "HTTP 502 Bad Gateway"),
        (b"[1,2]", "HTTP 502 Bad Gateway"),
        (b'"just a string"', "HTTP 502 Bad Gateway: just a string"),
    ],
)
def test_junk_bodies_still_give_typed_errors(
    decoder: Callable[..., APIError], content: bytes, message: str
) -> None:
    """HTML, empty, truncated or non-UTF-8 bodies give a ServerError whose message says status and what came."""
    err = _decode(decoder, 502, content)
    assert type(err) is ServerError
    assert err.status == 502
    assert err.message == message
    assert "undecodable" not in str(err)  # the dialect read it: the safety net was not needed


def test_retry_after_and_server_request_id_from_headers() -> None:
    """Retry-After and x-request-id headers fill the error."""
    err = _decode(decode_talkturo_error, 503, {}, {"Retry-After": "4", "x-request-id": "srv-1"})
    assert isinstance(err, ServiceUnavailableError)
    assert (err.retry_after, err.request_id) == (4.0, "srv-1")


JSONS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
ERRORISH = st.fixed_dictionaries(
    {},
    optional={
        "error": JSONS
        | st.fixed_dictionaries({}, optional={"code": JSONS, "message": JSONS, "requestId": JSONS}),
        "message": JSONS,
        "code": JSONS,
        "errors": JSONS | st.dictionaries(st.text(max_size=5), st.lists(JSONS, max_size=3)),
        "success": JSONS,
        "status_code": JSONS,
    },
)
BODIES = st.one_of(
    st.binary(max_size=200),
    JSONS.map(lambda v: json.dumps(v).encode()),
    ERRORISH.map(lambda v: json.dumps(v).encode()),
)


@settings(max_examples=300, deadline=None)
@given(
    decoder=st.sampled_from(DECODERS),
    status=st.integers(min_value=400, max_value=599),
    content=BODIES,
    headers=st.dictionaries(
        st.sampled_from(["retry-after", "retry-after-ms", "x-request-id", "content-type"]),
        st.text(max_size=30).filter(lambda s: "\n" not in s and "\r" not in s),
    ),
)
def test_decoders_only_produce_api_errors(
    decoder: Callable[..., APIError], status: int, content: bytes, headers: dict[str, str]
) -> None:
    """Any status and any body yield an APIError subclass with that status and a message."""
    try:
        hdrs = httpx.Headers(headers)
    except Exception:  # header values httpx itself refuses never reach a decoder
        return
    raw = decoder(status, hdrs, content)  # the decoder itself must not need the safety net
    assert isinstance(raw, APIError)
    assert raw.status == status
    err = decode_error_safely(decoder, status, hdrs, content)
    assert isinstance(err, APIError)
    assert err.status == status
    assert isinstance(err.message, str)
    assert err.message
    assert isinstance(str(err), str)
    assert err.retry_after is None or err.retry_after >= 0


@pytest.mark.anyio
async def test_decoder_layer_raises_typed_errors(
    router: respx.MockRouter, make_talkory: Callable[..., AsyncTalkory]
) -> None:
    """Through the client: a 403 body becomes PermissionDeniedError with method and URL."""
    router.get("/v1/wallet").mock(
        return_value=httpx.Response(
            403,
            json={
                "error": {
                    "code": "insufficient_scope",
                    "message": "needs wallet:read",
                    "status": 403,
                    "requestId": "req_7",
                }
            },
        )
    )
    with pytest.raises(PermissionDeniedError) as info:
        await make_talkory().wallet.get()
    err = info.value
    assert (err.code, err.request_id, err.platform, err.method) == (
        "insufficient_scope",
        "req_7",
        "talkory",
        "GET",
    )
    assert err.url == "https://api.talkory.ai/v1/wallet"


ECHOED = "talq_unit_echo_0123456789abcdef"
_ESCAPED = "".join(f"\\u{ord(c):04x}" for c in ECHOED)  # the raw bytes do not hold the token


def _text_echo(request: httpx.Request) -> httpx.Response:
    # The readable message keeps the first 200 characters: the token would be cut in two.
    return httpx.Response(401, text="x" * 180 + " " + ECHOED + " is not a valid token")


CREDENTIAL_HEADERS = ["Authorization", "Proxy-Authorization"]
"""Every header whose credential is masked in errors, named here (not read from the module)."""


def _json_echo(request: httpx.Request) -> httpx.Response:
    sent = request.headers.get("authorization") or request.headers["proxy-authorization"]
    body = json.dumps({"message": f"Bearer {ECHOED} refused", "errors": {"token": ["ESC bad"]}})
    headers = {"x-echo": sent, "x-request-id": ECHOED}
    return httpx.Response(422, content=body.replace("ESC", _ESCAPED).encode(), headers=headers)


@pytest.mark.anyio
@pytest.mark.parametrize("header", CREDENTIAL_HEADERS)
@pytest.mark.parametrize("answer", [_json_echo, _text_echo], ids=["json", "text"])
async def test_an_echoed_credential_is_masked_in_the_error(
    answer: Callable[[httpx.Request], httpx.Response], header: str
) -> None:
    """The credential of either auth header, echoed raw, JSON-escaped, cut short or in a header, shows as ********."""
    layer = ErrorDecoderMiddleware(decode_talkover_error, "talkover")
    request = httpx.Request(
        "POST", "https://app.talkover.ai/api/v1/agents", headers={header: f"Bearer {ECHOED}"}
    )
    with pytest.raises(APIError) as info:
        await layer(request, TransportHandler(httpx.MockTransport(answer)))
    err = info.value
    shown = [str(err), repr(err), repr(vars(err)), repr(err.args), json.dumps(err.body)]
    shown += [repr(list(err.headers.items())), "".join(traceback.format_exception(err))]
    windows = {ECHOED[i : i + 10] for i in range(len(ECHOED) - 9)}  # any 10 characters of it
    assert [text for text in shown if any(w in text for w in windows)] == []
    assert REDACTED in err.message
    if answer is _json_echo:
        assert (err.message, err.request_id) == (f"Bearer {REDACTED} refused", REDACTED)
        assert err.errors == {"token": [f"{REDACTED} bad"]}
        assert err.headers["x-echo"] == f"Bearer {REDACTED}"


@pytest.mark.parametrize("header", CREDENTIAL_HEADERS)
@pytest.mark.parametrize("value", [f"Bearer {ECHOED}", f"Basic {ECHOED}", ECHOED])
def test_credentials_of_reads_every_auth_header(header: str, value: str) -> None:
    """The credential of each masked header is found with or without an auth scheme."""
    request = httpx.Request("GET", "https://api.talkory.ai/v1/models", headers={header: value})
    assert credentials_of(request) == (ECHOED,)


def test_credentials_of_reads_both_headers_and_nothing_else() -> None:
    """A request with both auth headers yields both credentials; other headers are not read."""
    request = httpx.Request(
        "GET",
        "https://api.talkory.ai/v1/models",
        headers={
            "Authorization": "Bearer first-credential",
            "Proxy-Authorization": "Basic second-credential",
            "X-Api-Key": "not-a-masked-header",
        },
    )
    assert credentials_of(request) == ("first-credential", "second-credential")


def _failing_decoder(status: int, headers: Mapping[str, str], content: bytes) -> APIError:
    assert headers["x-seen"] == "yes"  # the decoder gets the response's headers
    raise KeyError("boom")


def test_a_failing_decoder_falls_back_to_a_readable_typed_error() -> None:
    """A decoder that raises gives the status's class, the body's first 200 characters and why."""
    content = b"\xff" + b"a" * 300
    err = decode_error_safely(_failing_decoder, 502, httpx.Headers({"x-seen": "yes"}), content)
    assert type(err) is ServerError
    text = "\ufffd" + "a" * 199
    assert (err.status, err.body) == (502, text)
    assert err.message == f"HTTP 502: {text} (undecodable: 'boom')"
    empty = decode_error_safely(_failing_decoder, 404, httpx.Headers({"x-seen": "yes"}), b"  ")
    assert type(empty) is NotFoundError
    assert (empty.message, empty.body) == ("HTTP 404 (undecodable: 'boom')", None)


def test_the_fallback_error_is_masked_too() -> None:
    """A credential echoed in a body no decoder understood is masked in the fallback error."""
    content = f"<html>token {ECHOED} refused</html>".encode()
    err = decode_error_safely(
        _failing_decoder,
        401,
        httpx.Headers({"x-seen": "yes"}),
        content,
        secrets=[ECHOED],
    )
    assert ECHOED not in repr(vars(err))
    assert err.body == f"<html>token {REDACTED} refused</html>"


def test_a_credential_containing_another_is_masked_whole() -> None:
    """Two credentials, one inside the other: the longer is masked first, leaving no tail."""
    short, long = "secret123", "a-secret123-b"  # sorted as text, the shorter would come first
    content = json.dumps({"error": f"bad {long} and {short}"}).encode()
    err = decode_error_safely(
        decode_talkturo_error, 401, httpx.Headers(), content, secrets=[short, long]
    )
    assert err.message == f"bad {REDACTED} and {REDACTED}"


@pytest.mark.parametrize(("credential", "masked"), [("abc123", True), ("abc12", False)])
def test_credentials_of_six_characters_or_more_are_masked(credential: str, masked: bool) -> None:
    """Six characters are a credential to mask; five are too short to mask without garbling."""
    content = json.dumps({"error": f"bad {credential}"}).encode()
    err = decode_error_safely(
        decode_talkturo_error, 401, httpx.Headers(), content, secrets=[credential]
    )
    assert err.message == (f"bad {REDACTED}" if masked else f"bad {credential}")


def test_credentials_of_keeps_everything_after_the_scheme() -> None:
    """A credential with spaces (a Digest header) is taken whole, not only its last word."""
    value = 'Digest username="ada", response="6629fae49393a05397450978507c4ef1"'
    request = httpx.Request("GET", "https://api.talkory.ai/v1/models")
    request.headers["Proxy-Authorization"] = value
    assert credentials_of(request) == (value.removeprefix("Digest "),)


def test_every_attribute_shape_of_an_error_is_masked() -> None:
    """Tuples, arguments and bodies nested too deep to walk keep no credential."""

    def decoder(status: int, headers: Mapping[str, str], content: bytes) -> APIError:
        error = ServerError(f"upstream said {ECHOED}", status=status)
        error.errors = {"token": (ECHOED, "x")}  # type: ignore[assignment]
        deep: object = ECHOED
        for _ in range(5_000):
            deep = [deep]
        error.body = deep
        return error

    err = decode_error_safely(decoder, 500, httpx.Headers(), b"", secrets=[ECHOED])
    assert err.errors == {"token": (REDACTED, "x")}
    assert err.body == REDACTED
    assert err.args == (f"upstream said {REDACTED}",)
