"""Talkory routes (`/v1`): health, models, wallet, usage and multi-LLM queries with SSE."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Mapping
from datetime import datetime, timedelta
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from talkkit.emulator._dialects import TALKORY
from talkkit.emulator._errors import ApiError
from talkkit.emulator._paging import cursor_page
from talkkit.emulator._platform import context
from talkkit.emulator._records import token_hash
from talkkit.emulator._sse import DONE, EventStream
from talkkit.emulator._talkory_state import MODELS, QueryRecord, TalkoryState
from talkkit.emulator._wire import iso, lookup, query_fields, read_body, reply

__all__ = ["TalkoryRoutes"]

_MAX_MODELS = 10  # documented by the SDK README


def _key_hash(request: Request) -> str:
    token = context(request).token
    assert token is not None
    return token_hash(token)


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class TalkoryRoutes:
    """The nine Talkory endpoints over one `TalkoryState`."""

    def __init__(self, state: TalkoryState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        """Routes relative to the `/v1` mount."""
        return [
            Route("/health/llm", self.health, methods=["GET"]),
            Route("/models", self.models, methods=["GET"]),
            Route("/wallet", self.wallet, methods=["GET"]),
            Route("/usage", self.usage, methods=["GET"]),
            Route("/query", self.query, methods=["POST"]),
            Route("/query/sync", self.query_sync, methods=["POST"]),
            Route("/queries", self.list_queries, methods=["GET"]),
            Route("/queries/{query_id}", self.get_query, methods=["GET"]),
            Route("/queries/{query_id}/consensus", self.consensus, methods=["POST"]),
        ]

    async def health(self, request: Request) -> Response:
        providers = self.state.providers
        healthy = all(status == "ok" for status in providers.values())
        return reply(
            {
                "status": "ok" if healthy else "degraded",
                "checkedAt": iso(self.state.env.now(), 3),
                "providers": {name: {"status": status} for name, status in providers.items()},
            }
        )

    async def models(self, request: Request) -> Response:
        return reply(
            {
                "models": [
                    {"id": m.id, "name": m.name, "provider": m.provider, "vision": m.vision}
                    for m in MODELS
                ]
            }
        )

    async def wallet(self, request: Request) -> Response:
        state = self.state
        return reply(
            {"balance": float(state.balance), "currency": state.currency, "plan": state.plan}
        )

    async def usage(self, request: Request) -> Response:
        query = query_fields(request)
        start = query.text("from", fmt="datetime")
        end = query.text("to", fmt="datetime")
        query.check(TALKORY)
        now = self.state.env.now()
        since = _parse_time(start) if start else now - timedelta(days=30)
        until = _parse_time(end) if end else now
        key = _key_hash(request)
        by_route: dict[str, dict[str, int]] = {}
        for entry in self.state.env.request_log:
            if entry.platform != "talkory" or entry.token_hash != key:
                continue
            if not since <= entry.at <= until:
                continue
            # Group ids away so `byRoute` has one line per endpoint.
            route = by_route.setdefault(
                re.sub(r"/q_\w+", "/{id}", entry.path), {"requests": 0, "errors": 0}
            )
            route["requests"] += 1
            route["errors"] += int(entry.status is None or entry.status >= 400)
        runs = [r for r in self.state.runs if r.key_hash == key and since <= r.at <= until]
        tokens = sum(
            sum(m["tokens"] for m in self.state.queries[r.query_id].model_results())
            for r in runs
            if r.mode != "consensus"
        )
        return reply(
            {
                "period": {"from": iso(since, 3), "to": iso(until, 3)},
                "requests": {
                    "total": sum(r["requests"] for r in by_route.values()),
                    "errors": sum(r["errors"] for r in by_route.values()),
                    "byRoute": by_route,
                },
                "queries": {
                    "total": sum(1 for r in runs if r.mode != "consensus"),
                    "charged": float(sum(r.charged for r in runs)),
                    "totalTokens": tokens,
                },
            }
        )

    async def _start(self, request: Request, *, sync: bool) -> tuple[QueryRecord, bool]:
        body = await read_body(request, TALKORY)
        prompt = body.text("prompt", required=True)
        models = body.strings("models", min_items=1)
        body.text("country")
        recursive = body.flag("recursive")
        consensus = body.flag("consensus")
        stream = False if sync else body.flag("stream")
        if models is not None and len(models) > _MAX_MODELS:
            body.add("models", "between", None, _MAX_MODELS)
        body.check(TALKORY)
        assert prompt is not None
        known = {m.id for m in MODELS}
        unknown = [m for m in models or () if m not in known]
        if unknown:
            raise ApiError(400, f"Unknown model: {unknown[0]}", code="invalid_model")
        record = self.state.start(
            prompt=prompt,
            # INFERRED: without `models` every available model is asked.
            models=models or [m.id for m in MODELS],
            recursive=bool(recursive),
            consensus=consensus is not False,
            key_hash=_key_hash(request),
            mode="sync" if sync else "stream" if stream else "async",
        )
        return record, bool(stream)

    async def query(self, request: Request) -> Response:
        record, stream = await self._start(request, sync=False)
        if stream:
            return EventStream(self._events(record))
        return reply({"id": record.id, "status": "running"}, 202)

    async def query_sync(self, request: Request) -> Response:
        record, _ = await self._start(request, sync=True)
        record.status = "success"
        return reply(record.result())

    async def _events(self, record: QueryRecord) -> AsyncGenerator[Mapping[str, Any] | str, None]:
        delay = self.state.stream_delay
        events: list[Mapping[str, Any] | str] = [{"type": "query_created", "id": record.id}]
        for result in record.model_results():
            model = result["modelId"]
            half = len(result["text"]) // 2
            events += [
                {"type": "model_stream_start", "modelId": model},
                {"type": "model_chunk", "modelId": model, "chunk": result["text"][:half]},
                {"type": "model_chunk", "modelId": model, "chunk": result["text"][half:]},
                {"type": "model_result", **result},
            ]
        events.append({"type": "round1_done"})
        if record.recursive:
            events += [{"type": "round2_start"}, {"type": "round2_done"}]
        if record.has_consensus:
            events.append({"type": "consensus_start"})
        for event in events:
            yield event
            if delay:
                await anyio.sleep(delay)
        record.status = "success"
        yield {"type": "done", **record.result()}
        yield DONE

    async def list_queries(self, request: Request) -> Response:
        newest_first = list(reversed(self.state.queries.values()))
        page, next_cursor = cursor_page(
            newest_first, query_fields(request), TALKORY, key=lambda q: q.id
        )
        return reply({"queries": [q.summary() for q in page], "nextCursor": next_cursor})

    def _record(self, request: Request) -> QueryRecord:
        missing = ApiError(404, "Query not found.", code="not_found")
        return lookup(self.state.queries, request.path_params["query_id"], missing)

    async def get_query(self, request: Request) -> Response:
        return reply(self.state.retrieve(self._record(request)).result())

    async def consensus(self, request: Request) -> Response:
        record = self._record(request)
        if record.status == "running":
            # INFERRED: the docs do not say what consensus on an unfinished run answers.
            raise ApiError(409, "Query is still running.", code="query_in_progress")
        charged, cached = self.state.generate_consensus(record)
        return reply(
            {
                "id": record.id,
                **record.consensus(),
                "charged": float(charged),
                "balance": float(self.state.balance),
                "cached": cached,
            }
        )
