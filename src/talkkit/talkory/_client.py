"""`AsyncTalkory`: the Talkory client."""

from __future__ import annotations

from typing import Unpack

import cattrs

from talkkit._client import BaseClient, ClientOptions
from talkkit._config import Secret
from talkkit._converter import make_converter
from talkkit.talkory._base import TalkoryModel
from talkkit.talkory._dialect import TALKORY
from talkkit.talkory.health import Health
from talkkit.talkory.models import Models
from talkkit.talkory.queries import Queries
from talkkit.talkory.usage import UsageResource
from talkkit.talkory.wallet import WalletResource

__all__ = ["AsyncTalkory"]


class AsyncTalkory(BaseClient):
    """
    Async client for the Talkory API (one prompt, several LLMs, a consensus answer).

    Args:
        api_key: A ``tk_live_…`` key; default ``TALKORY_API_KEY``.
        base_url: Default ``TALKORY_BASE_URL`` or ``https://api.talkory.ai``.
        **options: See `ClientOptions` (timeout, max_retries, retry, rate_limit,
            limiter_store, middleware, transport, headers, allow_insecure).

    Example::

        async with AsyncTalkory() as talkory:
            health = await talkory.health.llm()
    """

    dialect = TALKORY

    health: Health
    models: Models
    wallet: WalletResource
    usage: UsageResource
    queries: Queries

    def __init__(
        self,
        api_key: str | Secret | None = None,
        *,
        base_url: str | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(api_key, base_url=base_url, **options)

    @classmethod
    def _make_converter(cls) -> cattrs.Converter:
        return make_converter(response_case=TalkoryModel._wire_case)

    def _attach_resources(self) -> None:
        self.health = Health(self)
        self.models = Models(self)
        self.wallet = WalletResource(self)
        self.usage = UsageResource(self)
        self.queries = Queries(self)
