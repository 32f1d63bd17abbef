"""`AsyncTalkover`: the Talkover client."""

from __future__ import annotations

from typing import Unpack

import cattrs

from talkkit._client import BaseClient, ClientOptions
from talkkit._config import Secret
from talkkit._converter import make_converter
from talkkit.talkover._dialect import TALKOVER
from talkkit.talkover.actions import Actions
from talkkit.talkover.agent_webhooks import AgentWebhooks
from talkkit.talkover.agents import Agents
from talkkit.talkover.calls import Calls
from talkkit.talkover.campaign_webhooks import CampaignWebhooks
from talkkit.talkover.campaigns import Campaigns
from talkkit.talkover.health import HealthCheck
from talkkit.talkover.phone_numbers import PhoneNumbers
from talkkit.talkover.sip_trunks import SipTrunks
from talkkit.talkover.trainings import Trainings
from talkkit.talkover.types import TalkoverModel
from talkkit.talkover.voice_templates import VoiceTemplates

__all__ = ["AsyncTalkover"]


class AsyncTalkover(BaseClient):
    """
    Async client for the Talkover API (voice agents, calls, campaigns).

    Args:
        token: An environment token (``talq_…``); default ``TALKOVER_TOKEN``.
        base_url: Default ``TALKOVER_BASE_URL`` or ``https://app.talkover.ai/api/v1``.
        **options: See `ClientOptions` (timeout, max_retries, retry, rate_limit,
            limiter_store, middleware, transport, headers, allow_insecure).

    Placing a call (``agents.call``, ``campaigns.call``) is never sent twice: an unclear
    failure raises `OutcomeUnknownError` instead of a blind retry.

    Example::

        async with AsyncTalkover() as talkover:
            call = await talkover.agents.call(agent_id, phone_number="+14155550123")
            async for past in talkover.calls.list(agent_id=agent_id):
                print(past.to, past.status)
    """

    dialect = TALKOVER

    health: HealthCheck
    agents: Agents
    trainings: Trainings
    actions: Actions
    agent_webhooks: AgentWebhooks
    campaigns: Campaigns
    campaign_webhooks: CampaignWebhooks
    calls: Calls
    voice_templates: VoiceTemplates
    phone_numbers: PhoneNumbers
    sip_trunks: SipTrunks

    def __init__(
        self,
        token: str | Secret | None = None,
        *,
        base_url: str | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(token, base_url=base_url, **options)

    @classmethod
    def _make_converter(cls) -> cattrs.Converter:
        return make_converter(response_case=TalkoverModel._wire_case)

    def _attach_resources(self) -> None:
        self.health = HealthCheck(self)
        self.agents = Agents(self)
        self.trainings = Trainings(self)
        self.actions = Actions(self)
        self.agent_webhooks = AgentWebhooks(self)
        self.campaign_webhooks = CampaignWebhooks(self)
        self.campaigns = Campaigns(self, self.campaign_webhooks)
        self.calls = Calls(self)
        self.voice_templates = VoiceTemplates(self)
        self.phone_numbers = PhoneNumbers(self)
        self.sip_trunks = SipTrunks(self)
