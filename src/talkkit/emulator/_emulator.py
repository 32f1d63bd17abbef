"""The `Emulator`: three in-memory voice-AI APIs in one Starlette app, plus test inspection."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime

import anyio
import httpx
from starlette.applications import Starlette

from talkkit.emulator._app import build_app
from talkkit.emulator._auth import Credentials
from talkkit.emulator._constants import TALKORY_KEY, TALKOVER_TOKEN, TALKTURO_TOKEN
from talkkit.emulator._deliveries import Outbox, WebhookDelivery
from talkkit.emulator._dialects import TALKORY, TALKOVER, TALKTURO
from talkkit.emulator._drop import quiet_drop_logs
from talkkit.emulator._env import Env, restore_defaults
from talkkit.emulator._faults import FaultSet
from talkkit.emulator._ids import IdFactory
from talkkit.emulator._limits import DEFAULT_RATE_LIMITS, RateLimiter, RateLimitSpec
from talkkit.emulator._platform import Platform
from talkkit.emulator._records import CallFate, LoggedRequest, PlacedCall
from talkkit.emulator._talkory import TalkoryRoutes
from talkkit.emulator._talkory_state import TalkoryState
from talkkit.emulator._talkover import talkover_routes
from talkkit.emulator._talkover_lifecycle import (
    DEFAULT_CALL_MIX,
    check_call_mix,
    check_time_scale,
)
from talkkit.emulator._talkover_state import TalkoverState
from talkkit.emulator._talkturo import PUBLIC_ROUTES, TalkturoRoutes
from talkkit.emulator._talkturo_calls import CallWebhooks
from talkkit.emulator._talkturo_state import TalkturoState
from talkkit.emulator._transport import EmulatorTransport

__all__ = ["Emulator"]

_TALKORY_PREFIX = "tk_live_"


class Emulator:
    """
    In-memory Talkturo, Talkover and Talkory APIs for tests, demos and benchmarks.

    One Starlette app (`app`) mounts Talkover under `/api/v1`, Talkturo under `/api` and
    Talkory under `/v1`. All state is built here, not in lifespan events, so the app behaves
    the same in-process (`transport()`) and under uvicorn (`talkkit.emulator.serve`).

    Args:
        talkturo_tokens: Bearer tokens Talkturo accepts (all belong to account `acme`).
        talkover_tokens: Environment tokens Talkover accepts.
        talkory_keys: API keys Talkory accepts; each must start with `tk_live_`.
        expired_tokens: Tokens that are recognised but expired (Talkover: `TOKEN_EXPIRED`).
        rate_limits: Platform name (`"talkturo"`, `"talkover"`, `"talkory"`) to a
            `RateLimitSpec`, or `None` to disable; unnamed platforms keep the defaults
            (Talkory 30/min, Talkover 100/min, Talkturo unlimited).
        seed: Seeds every random choice (faults, ids, how calls end), so runs are reproducible.
        clock: Monotonic clock of the rate limiter; inject a fake to test refills.
        now: The wall clock (timezone-aware UTC `datetime`) of record timestamps and of call
            progress; inject a fake to move calls along without waiting.
        call_time_scale: Real seconds per second of a call's life. Talkover calls go
            `initiated` → `ringing` → `answered` → `completed`, or `ringing` → `busy` /
            `no-answer` / `failed`, over a few seconds to four minutes of call time: `1.0`
            (the default) takes that long; `0.001` ends a four-minute call in a quarter of a
            second; `0` ends every call at once; `math.inf` keeps calls `initiated` until
            `emu.talkover.complete_calls()`. Durations in the call history are call time
            (unscaled); timestamps are the emulator's clock. A change applies to calls placed
            afterwards.
        call_mix: Final status to weight: how often calls end `completed`, `no-answer`,
            `busy`, `failed` (default 60/20/10/10 %). Each call's end is drawn from the seed,
            its number and how often that number was called before, so the same numbers get
            the same ends whatever order concurrent clients place them in.
        refuse_duplicates: Answer 409 to a Talkturo contact whose email or phone, or a
            company whose name, the team already has (the default). `False` stores every
            create, so a test can count on the server how often a client created each
            record, which a refusing server hides (see `refuse_duplicates`).
        talkturo_call_webhook_url: Where Talkturo call webhooks go (a dashboard setting on
            the real service, so not set through the API): each Talkturo campaign call's
            status changes are delivered there, signed with Ed25519 by a key pair made for
            this emulator (`talkturo_webhook_public_key`). Needs the ``webhooks`` extra
            (``cryptography``); `ImportError` naming it otherwise.

    Example:
        ```python
        emu = Emulator()
        async with httpx.AsyncClient(transport=emu.transport(), base_url="http://emu") as c:
            r = await c.get("/v1/models", headers={"Authorization": f"Bearer {TALKORY_KEY}"})
        ```
    """

    def __init__(
        self,
        *,
        talkturo_tokens: Iterable[str] = (TALKTURO_TOKEN,),
        talkover_tokens: Iterable[str] = (TALKOVER_TOKEN,),
        talkory_keys: Iterable[str] = (TALKORY_KEY,),
        expired_tokens: Iterable[str] = (),
        rate_limits: Mapping[str, RateLimitSpec | None] | None = None,
        seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
        refuse_duplicates: bool = True,
        now: Callable[[], datetime] | None = None,
        call_time_scale: float = 1.0,
        call_mix: Mapping[str, float] = DEFAULT_CALL_MIX,
        talkturo_call_webhook_url: str | None = None,
    ) -> None:
        limits = {**DEFAULT_RATE_LIMITS, **(rate_limits or {})}
        unknown = set(limits) - set(DEFAULT_RATE_LIMITS)
        if unknown:
            raise ValueError(f"unknown platform(s) in rate_limits: {sorted(unknown)}")
        keys = frozenset(talkory_keys)
        if bad := [k for k in keys if not k.startswith(_TALKORY_PREFIX)]:
            raise ValueError(f"Talkory keys must start with {_TALKORY_PREFIX!r}: {bad}")
        expired = frozenset(expired_tokens)
        self.seed = seed
        self._env = Env(
            IdFactory(seed),
            FaultSet(seed),
            RateLimiter(limits, clock),
            refuse_duplicates=refuse_duplicates,
            seed=seed,
            call_time_scale=check_time_scale(call_time_scale),
            call_mix=check_call_mix(call_mix),
        )
        if now is not None:
            self._env.now = now
        self._outbox = Outbox(self._env_now, lambda: self._env.call_time_scale)
        self._call_webhooks = CallWebhooks()
        self._call_webhooks.configure(talkturo_call_webhook_url)
        self.talkturo = TalkturoState(
            self._env, outbox=self._outbox, call_webhooks=self._call_webhooks
        )
        self.talkover = TalkoverState(self._env, outbox=self._outbox)
        self.talkory = TalkoryState(self._env)
        platforms = (
            Platform(
                "talkover", "/api/v1", TALKOVER, Credentials(frozenset(talkover_tokens), expired)
            ),
            Platform(
                "talkturo",
                "/api",
                TALKTURO,
                Credentials(frozenset(talkturo_tokens), expired),
                public=PUBLIC_ROUTES,
            ),
            Platform(
                "talkory",
                "/v1",
                TALKORY,
                Credentials(keys, expired, prefix=_TALKORY_PREFIX),
                always_rate_headers=True,
                request_id_header=True,
            ),
        )
        routes = (
            talkover_routes(self.talkover),
            TalkturoRoutes(self.talkturo).routes(),
            TalkoryRoutes(self.talkory).routes(),
        )
        mounts = list(zip(platforms, routes, strict=True))
        self.app: Starlette = build_app(self._env, mounts, lifespan=self._lifespan)
        quiet_drop_logs()

    @property
    def faults(self) -> FaultSet:
        """The fault script: `emu.faults.add(FaultRule(...))`, `emu.faults.clear()`."""
        return self._env.faults

    @property
    def request_log(self) -> list[LoggedRequest]:
        """Every platform request received, in arrival order of completion."""
        return self._env.request_log

    @property
    def placed_calls(self) -> list[PlacedCall]:
        """
        Every call actually placed through Talkover (agent and campaign calls).

        Calls a Talkturo campaign places are in ``emu.talkturo.calls`` (`talkturo_call_fates`).
        """
        return self._env.placed_calls

    @property
    def refuse_duplicates(self) -> bool:
        """
        Whether a second Talkturo contact (same email or phone) or company (same name) is
        refused with 409.

        Settable at any time (e.g. off after seeding records the client must find existing);
        `reset()` keeps it. With it off the emulator stores every create, and the request log's
        `subject` and `created` fields tell how many records each natural key got.

        .. versionadded:: 0.1
        """
        return self._env.refuse_duplicates

    @refuse_duplicates.setter
    def refuse_duplicates(self, value: bool) -> None:
        self._env.refuse_duplicates = value

    @property
    def call_time_scale(self) -> float:
        """
        Real seconds per second of a call's life (see the `call_time_scale` argument).

        Settable at any time; it applies to calls placed afterwards. `reset()` keeps it.
        """
        return self._env.call_time_scale

    @call_time_scale.setter
    def call_time_scale(self, value: float) -> None:
        self._env.call_time_scale = check_time_scale(value)

    @property
    def call_mix(self) -> Mapping[str, float]:
        """How often calls end in each final status (see the `call_mix` argument)."""
        return dict(self._env.call_mix)

    def call_fates(self) -> dict[str, CallFate]:
        """
        How every placed Talkover call ends, by call id, in the order they were placed.

        The truth a followed call's outcome must match: each `CallFate` has the final
        `status` and `duration` the call history shows once the call ended (known from the
        moment the call is placed), and `ends_at`. Example: the statuses a `--wait` run
        should report are `Counter(f.status for f in emu.call_fates().values())`.
        """
        return self.talkover.fates()

    def talkturo_call_fates(self) -> dict[str, CallFate]:
        """
        How every call a Talkturo campaign placed ends, by call id, in the order placed.

        Like `call_fates` (`agent_id` is the campaign's assistant). Starting a campaign
        (``POST /api/crm/campaigns/{id}/run`` ``{"action": "start"}``) calls each contact on it
        with a phone; the calls are in ``emu.talkturo.calls``.
        """
        return self.talkturo.fates()

    @property
    def talkturo_call_webhook_url(self) -> str | None:
        """
        Where Talkturo call webhooks are delivered (see the constructor argument).

        Settable at any time, as in the dashboard; `None` stops queueing new deliveries.
        Setting a URL raises `ImportError` when ``cryptography`` is missing.
        """
        return self._call_webhooks.url

    @talkturo_call_webhook_url.setter
    def talkturo_call_webhook_url(self, url: str | None) -> None:
        self._call_webhooks.configure(url)

    @property
    def talkturo_webhook_public_key(self) -> str:
        """
        The Ed25519 public key that verifies this emulator's Talkturo call webhooks, as the
        portal shows it: the base64 of its 32 raw bytes (pass it as ``public_key=`` to
        `talkkit.webhooks.unwrap` or ``talkturo_public_key=`` to `talkkit.webhooks.app`).

        Made fresh for each emulator (kept by `reset`). Needs ``cryptography``.
        """
        return self._call_webhooks.public_key

    def calls_per_number(self) -> Counter[str]:
        """How many calls were placed to each number (agent and campaign calls)."""
        return Counter(call.to for call in self._env.placed_calls)

    def contact_keys(self) -> Counter[str | None]:
        """
        How many Talkturo contacts are stored per natural key.

        Keys are spelled like the request log's `subject`: `email:…` (lower-cased) when the
        contact has an email, else `phone:…`; contacts with neither count under `None`. An
        import stored every valid distinct row exactly once when this equals
        `Counter({key: 1 for key in expected_keys})`.
        """
        return self.talkturo.contact_keys()

    def company_keys(self) -> Counter[str]:
        """How many Talkturo companies are stored per natural key (`name:…`, lower-cased)."""
        return self.talkturo.company_keys()

    @property
    def throttled(self) -> int:
        """How many 429s the rate limiter sent (scripted `throttle_rate` faults not included)."""
        return self._env.throttled

    @property
    def rate_limiter(self) -> RateLimiter:
        """The server-side limiter (its `specs` and `clock` may be adjusted by tests)."""
        return self._env.limiter

    def transport(self) -> httpx.AsyncBaseTransport:
        """
        An httpx transport that runs the app in-process.

        Deliberate connection drops surface as `httpx.RemoteProtocolError`.
        """
        return EmulatorTransport(self.app)

    def _env_now(self) -> datetime:
        return self._env.now()

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """
        Every webhook delivery attempt so far, in order (retries included).

        Deliveries are queued when a call changes status (Talkover agent and campaign
        webhooks registered through the API, signed with their ``webhook_secret``; Talkturo
        call webhooks to `talkturo_call_webhook_url`, signed with Ed25519) and sent by
        `deliver_webhooks` (which a served emulator runs) or `deliver_due`.
        """
        return self._outbox.attempts

    @property
    def pending_webhooks(self) -> int:
        """How many deliveries wait to be sent or retried."""
        return len(self._outbox.pending)

    async def deliver_due(self, *, transport: httpx.AsyncBaseTransport | None = None) -> int:
        """
        Move calls along to now, then attempt every delivery that is due; return how many.

        Args:
            transport: Send through this httpx transport (e.g. ``httpx.ASGITransport`` of an
                in-process receiver) instead of the network.
        """
        async with httpx.AsyncClient(transport=transport, trust_env=False) as client:
            return await self._deliver(client)

    async def _deliver(self, client: httpx.AsyncClient) -> int:
        self.talkover.settle()
        self.talkturo.settle()
        return await self._outbox.send_due(client)

    async def deliver_webhooks(
        self, *, interval: float = 0.05, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        """
        Deliver webhooks until cancelled: every ``interval`` seconds, move calls along and
        attempt the due deliveries, retrying failed ones with backoff (``5 * 2**n`` call
        seconds, scaled by `call_time_scale`, up to each webhook's ``max_retries``).

        The served emulator (`serve`, ``talkkit emulator serve``, any server that sends ASGI
        lifespan events) runs this in the background. In-process, run it in a task group
        or call `deliver_due` when a test wants deliveries.
        """
        async with httpx.AsyncClient(transport=transport, trust_env=False) as client:
            while True:
                await self._deliver(client)
                await anyio.sleep(interval)

    @asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        async with anyio.create_task_group() as tg:
            tg.start_soon(self.deliver_webhooks)
            yield
            tg.cancel_scope.cancel()

    def reset(self) -> None:
        """
        Empty all state and records, keeping the configuration.

        Tokens, rate-limit specs, fault rules, the call settings and the Talkturo call
        webhook URL and key stay; stored resources,
        logs, placed calls, rate-limit buckets and fault counters are cleared, and the seeded
        generators rewind, so the emulator behaves exactly like a fresh one with the same
        settings.
        """
        self._env.reset()
        self._outbox.clear()
        for state in (self.talkturo, self.talkover, self.talkory):
            restore_defaults(state)
