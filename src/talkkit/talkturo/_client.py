"""`AsyncTalkturo`: the Talkturo client."""

from __future__ import annotations

from typing import Unpack

import cattrs

from talkkit._client import BaseClient, ClientOptions
from talkkit._config import Secret
from talkkit._converter import make_converter
from talkkit.talkturo._dialect import TALKTURO

__all__ = ["AsyncTalkturo"]


class AsyncTalkturo(BaseClient):
    """
    Async client for the Talkturo API (AI assistants and a CRM).

    Args:
        token: An API key from Settings → API Keys; default ``TALKTURO_TOKEN``.
        base_url: Your account's API URL including ``/api`` (``https://acme.example/api``);
            default ``TALKTURO_BASE_URL``. Required: every account has its own domain.
        account_slug: Default ``accountSlug`` for calls that need one.
        team_id: Default ``teamId`` for calls that need one.
        **options: See `ClientOptions`.
    """

    dialect = TALKTURO

    def __init__(
        self,
        token: str | Secret | None = None,
        *,
        base_url: str | None = None,
        account_slug: str | None = None,
        team_id: str | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        self.account_slug = account_slug
        self.team_id = team_id
        super().__init__(token, base_url=base_url, **options)

    def _make_converter(self) -> cattrs.Converter:
        return make_converter(response_case="snake")
