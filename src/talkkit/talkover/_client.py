"""`AsyncTalkover`: the Talkover client."""

from __future__ import annotations

from typing import Unpack

import cattrs

from talkkit._client import BaseClient, ClientOptions
from talkkit._config import Secret
from talkkit._converter import make_converter
from talkkit.talkover._dialect import TALKOVER

__all__ = ["AsyncTalkover"]


class AsyncTalkover(BaseClient):
    """
    Async client for the Talkover API (voice agents, calls, campaigns).

    Args:
        token: An environment token (``talq_…``); default ``TALKOVER_TOKEN``.
        base_url: Default ``TALKOVER_BASE_URL`` or ``https://app.talkover.ai/api/v1``.
        **options: See `ClientOptions`.
    """

    dialect = TALKOVER

    def __init__(
        self,
        token: str | Secret | None = None,
        *,
        base_url: str | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(token, base_url=base_url, **options)

    def _make_converter(self) -> cattrs.Converter:
        return make_converter(response_case="snake")
