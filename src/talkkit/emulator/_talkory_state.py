"""Talkory's in-memory state: wallet, models, provider health and multi-LLM query runs."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from talkkit.emulator._env import Env
from talkkit.emulator._errors import ApiError, JSONDict
from talkkit.emulator._wire import iso

__all__ = ["MODELS", "QueryRecord", "TalkoryModel", "TalkoryRun", "TalkoryState"]


@attrs.frozen
class TalkoryModel:
    """A model a query may ask (`GET /v1/models`)."""

    id: str
    name: str
    provider: str
    vision: bool = False


# INFERRED: model names and provider strings; the ids match the documented provider keys.
MODELS = (
    TalkoryModel("gpt", "GPT-4o", "openai", vision=True),
    TalkoryModel("claude", "Claude Sonnet", "anthropic", vision=True),
    TalkoryModel("gemini", "Gemini Pro", "google", vision=True),
    TalkoryModel("grok", "Grok", "xai"),
    TalkoryModel("perplexity", "Perplexity Sonar", "perplexity"),
)
_BY_ID = {model.id: model for model in MODELS}


def _money(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@attrs.frozen(kw_only=True)
class TalkoryRun:
    """
    One paid operation, in the order they were charged.

    `mode` is `"stream"`, `"async"` or `"sync"` for query starts and `"consensus"` for a
    deferred consensus generation. Two runs with the same prompt usually mean a retried POST.
    """

    query_id: str
    key_hash: str
    prompt: str
    models: tuple[str, ...]
    mode: str
    charged: Decimal
    at: datetime


@attrs.define(kw_only=True)
class QueryRecord:
    """A query run as stored; `result()` renders it the way the API returns it."""

    id: str
    prompt: str
    models: tuple[str, ...]
    recursive: bool
    key_hash: str
    created_at: datetime
    charged: Decimal
    balance: Decimal
    has_consensus: bool
    status: str = "running"
    polls_left: int = 0

    def model_results(self) -> list[JSONDict]:
        """Deterministic per-model answers derived from the prompt."""
        return [_model_result(self.prompt, _BY_ID[model]) for model in self.models]

    def consensus(self) -> JSONDict:
        """The consensus fields, or nulls when consensus was not generated yet."""
        if not self.has_consensus:
            return {"consensus": None, "commonAnswer": None, "confidence": None}
        digest = _digest(self.prompt, "consensus")
        return {
            "consensus": f"Consensus across {len(self.models)} model(s): {self.prompt}",
            "commonAnswer": f"Common answer to: {self.prompt}",
            "confidence": 60 + digest % 36,
        }

    def result(self) -> JSONDict:
        """The query result object (`GET /v1/queries/{id}`, `done` event, sync answer)."""
        done = self.status != "running"
        results = self.model_results() if done else []
        tokens = sum(r["tokens"] for r in results)
        latencies = [float(r["latency"].rstrip("s")) for r in results]
        return {
            "id": self.id,
            "status": self.status,
            "models": list(self.models),
            "results": results,
            **(self.consensus() if done else _NO_CONSENSUS),
            "charged": float(self.charged),
            "balance": float(self.balance),
            "totalTokens": tokens,
            "avgLatency": f"{sum(latencies) / len(latencies):.1f}s" if latencies else None,
            "createdAt": iso(self.created_at, 3),
        }

    def summary(self) -> JSONDict:
        """The history item (`GET /v1/queries`)."""
        return {
            "id": self.id,
            "prompt": self.prompt,
            "status": self.status,
            "models": list(self.models),
            "recursive": self.recursive,
            "confidence": self.consensus()["confidence"] if self.status != "running" else None,
            "charged": float(self.charged),
            "createdAt": iso(self.created_at, 3),
        }


_NO_CONSENSUS: JSONDict = {"consensus": None, "commonAnswer": None, "confidence": None}


def _digest(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("\0".join(parts).encode()).digest()[:8], "big")


def _model_result(prompt: str, model: TalkoryModel) -> JSONDict:
    digest = _digest(prompt, model.id)
    return {
        "modelId": model.id,
        "name": model.name,
        "provider": model.provider,
        "score": round(6 + (digest % 40) / 10, 1),
        "tokens": 200 + digest % 800,
        "latency": f"{1 + (digest >> 8) % 50 / 10:.1f}s",
        "text": f"{model.name} answers: {prompt}",
        "tags": ["emulated", model.provider],
    }


@attrs.define
class TalkoryState:
    """
    Everything Talkory stores; tests read and adjust it directly.

    Set `balance` to test 402 `insufficient_balance`; `polls_until_done` is how many
    `GET /v1/queries/{id}` calls still see `running` (0: the first retrieve sees the result);
    `stream_delay` sleeps between stream events; `providers` feeds `GET /v1/health/llm`.
    """

    env: Env
    balance: Decimal = attrs.field(default=Decimal("25.00"), converter=_money)
    currency: str = "USD"
    plan: str = "pro"
    model_price: Decimal = attrs.field(default=Decimal("0.02"), converter=_money)
    consensus_price: Decimal = attrs.field(default=Decimal("0.01"), converter=_money)
    polls_until_done: int = 0
    stream_delay: float = 0.0
    providers: dict[str, str] = attrs.Factory(lambda: {m.id: "ok" for m in MODELS})
    queries: dict[str, QueryRecord] = attrs.Factory(dict)
    runs: list[TalkoryRun] = attrs.Factory(list)

    def _charge(self, amount: Decimal) -> None:
        if amount > self.balance:
            raise ApiError(402, "Wallet balance is too low.", code="insufficient_balance")
        self.balance -= amount

    def start(
        self,
        *,
        prompt: str,
        models: Sequence[str],
        recursive: bool,
        consensus: bool,
        key_hash: str,
        mode: str,
    ) -> QueryRecord:
        """Charge for and record a new run (402 when the wallet cannot pay for it)."""
        price = self.model_price * len(models) * (2 if recursive else 1)
        price += self.consensus_price if consensus else 0
        self._charge(price)
        now = self.env.now()
        record = QueryRecord(
            id=f"q_{self.env.ids.alnum(24)}",
            prompt=prompt,
            models=tuple(models),
            recursive=recursive,
            key_hash=key_hash,
            created_at=now,
            charged=price,
            balance=self.balance,
            has_consensus=consensus,
            polls_left=self.polls_until_done,
        )
        self.queries[record.id] = record
        self.runs.append(
            TalkoryRun(
                query_id=record.id,
                key_hash=key_hash,
                prompt=prompt,
                models=record.models,
                mode=mode,
                charged=price,
                at=now,
            )
        )
        return record

    def retrieve(self, record: QueryRecord) -> QueryRecord:
        """Count one poll; a run finishes once its remaining polls are used up."""
        if record.status == "running":
            if record.polls_left <= 0:
                record.status = "success"
            record.polls_left -= 1
        return record

    def generate_consensus(self, record: QueryRecord) -> tuple[Decimal, bool]:
        """Charge for deferred consensus once; return `(charged, cached)`."""
        if record.has_consensus:
            return Decimal(0), True
        self._charge(self.consensus_price)
        record.has_consensus = True
        record.balance = self.balance
        self.runs.append(
            TalkoryRun(
                query_id=record.id,
                key_hash=record.key_hash,
                prompt=record.prompt,
                models=record.models,
                mode="consensus",
                charged=self.consensus_price,
                at=self.env.now(),
            )
        )
        return self.consensus_price, False
