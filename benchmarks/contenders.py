"""
The clients being compared, one function per contender.

A contender's ``run(url, n, concurrency, warmup)`` opens its client against the benchmark
server at ``url``, sends ``warmup`` untimed requests, then ``n`` timed ones, closes the client
and returns the timed part's `Timing` (wall and CPU seconds). Per-item contenders are built from an ``open`` (an async
context manager yielding ``send(i)``) and a driver (`worker_pool` or the naive
`gather_semaphore`); the bulk engine's contender calls ``contacts.import_many`` on ``n``
generated rows (`_import_many`). Add a contender by appending to `OVERHEAD` or `BULK`.
"""

from __future__ import annotations

import gc
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass

import httpx

from benchmarks._common import Send, gather_semaphore, has_module, transport_env, worker_pool
from talkkit import AsyncTalkory, AsyncTalkturo

__all__ = [
    "BULK",
    "OVERHEAD",
    "RAW_AIOHTTP_CREATE",
    "TALKORY_KEY",
    "TALKTURO_TOKEN",
    "Contender",
    "Timing",
    "contact_payload",
    "contact_rows",
    "open_talkturo",
]

TALKORY_KEY = "tk_live_" + "b" * 32
TALKTURO_TOKEN = "bench-token-0001"
_AUTH_TALKORY = {"Authorization": f"Bearer {TALKORY_KEY}"}
_HEALTH = "/v1/health/llm"
_CONTACTS = "/api/crm/contacts"

Run = Callable[[str, int, int, int], Awaitable["Timing"]]
Driver = Callable[[Send, int, int], Awaitable[float]]


@dataclass(frozen=True)
class Timing:
    """Seconds the timed requests took: on the wall clock, and of this process's CPU."""

    wall: float
    cpu: float


@contextmanager
def _timed(into: list[Timing]) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    into.append(Timing(time.perf_counter() - wall, time.process_time() - cpu))


@dataclass(frozen=True)
class Contender:
    """A named client setup; ``needs`` lists modules without which it is skipped."""

    name: str
    run: Run
    needs: tuple[str, ...] = ()
    transport: str = ""  # the wire underneath, for "same transport" ratios
    goal: bool = False  # the goals are stated for this contender

    def available(self) -> bool:
        return all(has_module(module) for module in self.needs)


def per_item(open_: Callable[[str], AbstractAsyncContextManager[Send]], driver: Driver) -> Run:
    """A ``run`` that sends items one by one through ``open_(url)``'s ``send``."""

    async def run(url: str, n: int, concurrency: int, warmup: int) -> Timing:
        timings: list[Timing] = []
        async with open_(url) as send:
            if warmup:
                await driver(send, warmup, concurrency)
            gc.collect()  # no collection of earlier garbage inside the timed part
            with _timed(timings):
                await driver(send, n, concurrency)
        return timings[0]

    return run


def contact_payload(i: int) -> dict[str, str]:
    """The JSON body of the ``i``-th contact create (what talkkit sends for the same call)."""
    return {
        "teamId": "team_1",
        "companyId": "co_1",
        "firstName": "Ada",
        "lastName": f"Lovelace{i}",
        "email": f"user{i}@example.com",
    }


def _aiohttp_transport() -> httpx.AsyncBaseTransport:
    from talkkit._aiohttp_transport import AiohttpTransport
    from talkkit._constants import DEFAULT_LIMITS

    return AiohttpTransport(DEFAULT_LIMITS)


# -- per-request overhead: GET of a small JSON ------------------------------------------------


def _raw_httpx_get(fast: bool) -> Callable[[str], AbstractAsyncContextManager[Send]]:
    @asynccontextmanager
    async def open_(url: str) -> AsyncIterator[Send]:
        transport = _aiohttp_transport() if fast else None
        async with httpx.AsyncClient(base_url=url, transport=transport) as client:

            async def send(i: int) -> object:
                response = await client.get(_HEALTH, headers=_AUTH_TALKORY)
                response.raise_for_status()
                return response.json()

            yield send

    return open_


def _talkkit_get(transport: str | None) -> Callable[[str], AbstractAsyncContextManager[Send]]:
    @asynccontextmanager
    async def open_(url: str) -> AsyncIterator[Send]:
        with transport_env(transport):
            client = AsyncTalkory(TALKORY_KEY, base_url=url)
        async with client:

            async def send(i: int) -> object:
                return await client.health.llm()

            yield send

    return open_


@asynccontextmanager
async def _raw_aiohttp_get(url: str) -> AsyncIterator[Send]:
    import aiohttp

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def send(i: int) -> object:
            async with session.get(url + _HEALTH, headers=_AUTH_TALKORY) as response:
                response.raise_for_status()
                return await response.json()

        yield send


OVERHEAD = [
    Contender("raw httpx", per_item(_raw_httpx_get(False), worker_pool), (), "httpx"),
    Contender("talkkit", per_item(_talkkit_get("httpx"), worker_pool), (), "httpx"),
    Contender("raw httpx", per_item(_raw_httpx_get(True), worker_pool), ("aiohttp",), "aiohttp"),
    Contender("talkkit", per_item(_talkkit_get(None), worker_pool), ("aiohttp",), "aiohttp"),
    Contender("raw aiohttp", per_item(_raw_aiohttp_get, worker_pool), ("aiohttp",), "aiohttp"),
]
"""
Section 1 (C=1): talkkit against raw httpx on the same transport, raw aiohttp for scale.
talkkit on aiohttp is the real default (``TALKKIT_TRANSPORT`` unset, aiohttp installed).
"""


# -- bulk-like throughput: concurrent contact creates ------------------------------------------


@asynccontextmanager
async def open_talkturo(url: str, transport: str | None) -> AsyncIterator[AsyncTalkturo]:
    """An `AsyncTalkturo` on the benchmark server, with ``TALKKIT_TRANSPORT=transport``."""
    with transport_env(transport):
        client = AsyncTalkturo(TALKTURO_TOKEN, base_url=url + "/api", team_id="team_1")
    async with client:
        yield client


def _talkkit_create(transport: str | None) -> Callable[[str], AbstractAsyncContextManager[Send]]:
    @asynccontextmanager
    async def open_(url: str) -> AsyncIterator[Send]:
        async with open_talkturo(url, transport) as client:
            contacts = client.contacts

            async def send(i: int) -> object:
                return await contacts.create(
                    "Ada", f"Lovelace{i}", company_id="co_1", email=f"user{i}@example.com"
                )

            yield send

    return open_


@asynccontextmanager
async def _naive_httpx_create(url: str) -> AsyncIterator[Send]:
    headers = {"Authorization": f"Bearer {TALKTURO_TOKEN}"}
    async with httpx.AsyncClient(base_url=url) as client:  # httpx's defaults, as users write it

        async def send(i: int) -> object:
            response = await client.post(_CONTACTS, json=contact_payload(i), headers=headers)
            response.raise_for_status()
            return response.json()

        yield send


@asynccontextmanager
async def _raw_aiohttp_create(url: str) -> AsyncIterator[Send]:
    import aiohttp

    headers = {"Authorization": f"Bearer {TALKTURO_TOKEN}"}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def send(i: int) -> object:
            async with session.post(
                url + _CONTACTS, json=contact_payload(i), headers=headers
            ) as response:
                response.raise_for_status()
                return await response.json()

        yield send


def contact_rows(n: int, start: int = 0) -> Iterator[dict[str, str]]:
    """``n`` contact rows as `contacts.import_many` takes them (a CSV's columns), lazily."""
    for i in range(start, start + n):
        yield {
            "first_name": "Ada",
            "last_name": f"Lovelace{i}",
            "email": f"user{i}@example.com",
            "company_id": "co_1",
        }


def _import_many(transport: str | None) -> Run:
    """
    The bulk engine: ``contacts.import_many(rows, concurrency=C, preflight=False)`` over ``n``
    rows (the canned server answers no list: the preflight is one request before the job, not
    the throughput measured).
    """

    async def run(url: str, n: int, concurrency: int, warmup: int) -> Timing:
        timings: list[Timing] = []
        async with open_talkturo(url, transport) as client:
            contacts = client.contacts
            if warmup:
                await contacts.import_many(
                    contact_rows(warmup, n), concurrency=concurrency, preflight=False
                )
            gc.collect()
            with _timed(timings):
                summary = await contacts.import_many(
                    contact_rows(n), concurrency=concurrency, preflight=False
                )
        if summary.done != n:
            raise RuntimeError(f"import_many did not create every row: {summary}")
        return timings[0]

    return run


RAW_AIOHTTP_CREATE = Contender(
    "raw aiohttp", per_item(_raw_aiohttp_create, worker_pool), ("aiohttp",)
)
"""The practical limit of contact creates: ``session.post(json=...)`` from C workers."""

BULK = [
    Contender("naive httpx (gather + Semaphore)", per_item(_naive_httpx_create, gather_semaphore)),
    RAW_AIOHTTP_CREATE,
    Contender("talkkit import_many (httpx transport)", _import_many("httpx"), goal=True),
    Contender(
        "talkkit import_many (default: aiohttp transport)",
        _import_many(None),
        ("aiohttp",),
        goal=True,
    ),
    Contender(
        "talkkit contacts.create × C workers (aiohttp)",
        per_item(_talkkit_create(None), worker_pool),
        ("aiohttp",),
    ),
]
"""
Section 2: contact creates at C = 1, 16, 64, 256. ``goal`` marks the contenders the issue's
throughput goals are about; the worker-driven ``create`` shows what the engine adds.
"""
