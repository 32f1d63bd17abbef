"""
A first look at talkkit, with no account: starts the bundled emulator on 127.0.0.1 and talks to
it over real HTTP, exactly as it would to the real Talkory API.

    python examples/quickstart.py
"""

from __future__ import annotations

import anyio

from talkkit import AsyncTalkory, OutcomeUnknownError, RetryEvent, RetryPolicy
from talkkit.emulator import TALKORY_KEY, Emulator, FaultRule
from talkkit.testing import running_emulator


def show_retry(event: RetryEvent) -> None:
    print(f"  retry: attempt {event.attempt} got {event.status}, waiting {event.delay:.2f}s")


async def main(url: str, emulator: Emulator) -> None:
    retry = RetryPolicy(backoff_base=0.05, on_retry=show_retry)
    async with AsyncTalkory(TALKORY_KEY, base_url=url, retry=retry) as talkory:
        health = await talkory.health.llm()
        providers = ", ".join(f"{name}={p.status}" for name, p in health.providers.items())
        print(f"health: {health.status} (checked {health.checked_at:%H:%M:%S}) {providers}")

        models = await talkory.models.list()
        print(f"models: {', '.join(m.id for m in models)}")

        result = await talkory.queries.run(
            "Which is faster, a cheetah or a falcon?", models=["gpt", "claude"]
        )
        print(f"query {result.id}: {result.status}, consensus: {result.consensus!r}")

        print("streaming a query:")
        async with talkory.queries.stream("Name three prime numbers.", models=["gpt"]) as stream:
            async for event in stream:
                print(f"  event {event.type}{' ' + event.model_id if event.model_id else ''}")

        print("a flaky server: two 503s on a free GET are retried...")
        emulator.faults.add(
            FaultRule(route="GET /v1/wallet", error_rate=1.0, error_status=503, times=2)
        )
        wallet = await talkory.wallet.get()
        print(f"  wallet: {wallet.balance:.2f} {wallet.currency}")

        print("...but a paid POST whose answer is lost is never sent twice:")
        emulator.faults.add(FaultRule(route="POST /v1/query", commit_drop_rate=1.0, times=1))
        try:
            await talkory.queries.create("Is this charged twice?")
        except OutcomeUnknownError as exc:
            print(
                f"  OutcomeUnknownError (request id {exc.request_id}); runs charged: {len(emulator.talkory.runs)}"
            )


if __name__ == "__main__":
    with running_emulator() as server:
        print(f"emulator on {server.url}")
        anyio.run(main, server.url, server.emulator)
