"""What the request pipeline needs to know about one platform, and the per-request context."""

from __future__ import annotations

import fnmatch

import attrs
from starlette.requests import Request
from starlette.types import Scope

from talkkit.emulator._auth import Credentials
from talkkit.emulator._errors import Dialect
from talkkit.emulator._limits import Verdict

__all__ = ["CONTEXT_KEY", "Platform", "RequestContext", "context"]

CONTEXT_KEY = "talkkit.emulator"


@attrs.frozen
class Platform:
    """
    One emulated API: where it is mounted, how it authenticates and how it spells errors.

    `always_rate_headers` puts `X-RateLimit-*` on every response (Talkory documents this);
    otherwise only authenticated responses of a rate-limited platform carry them.
    `request_id_header` adds the server's `x-request-id` to every response. `public` lists
    fnmatch patterns of `"METHOD /path"` routes that need no credentials (inbound webhooks).
    """

    name: str
    prefix: str
    dialect: Dialect
    credentials: Credentials
    always_rate_headers: bool = False
    request_id_header: bool = False
    public: tuple[str, ...] = ()

    def is_public(self, route: str) -> bool:
        """Tell whether `route` is served without authentication or rate limiting."""
        return any(fnmatch.fnmatchcase(route, pattern) for pattern in self.public)

    def owns(self, path: str) -> bool:
        """Tell whether `path` belongs under this platform's mount point."""
        return path == self.prefix or path.startswith(self.prefix + "/")


@attrs.define
class RequestContext:
    """What the pipeline learned about a request; handlers read it through `context()`."""

    platform: Platform
    route: str
    request_id: str | None
    idempotency_key: str | None
    server_request_id: str
    token: str | None = None
    rate: Verdict | None = None
    fault: str | None = None
    status: int | None = None
    logged: bool = False  # the request log has its entry (written before the last byte goes out)
    subject: str | None = None  # what a create was about ("email:…", "name:…", "phone:…")
    created: str | None = None  # the id of the record the handler stored


def context(source: Request | Scope) -> RequestContext:
    """Return the context the pipeline attached to a request."""
    scope = source.scope if isinstance(source, Request) else source
    ctx = scope[CONTEXT_KEY]
    assert isinstance(ctx, RequestContext)
    return ctx
