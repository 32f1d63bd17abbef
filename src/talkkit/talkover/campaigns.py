"""Talkover campaigns: CRUD, the status lifecycle and queued campaign calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit.errors import BadRequestError
from talkkit.pagination import AsyncPaginator, page_paginator
from talkkit.talkover import _campaign_fields as spec
from talkkit.talkover import _fields as f
from talkkit.talkover.campaign_webhooks import CampaignWebhooks
from talkkit.talkover.types import Campaign, CampaignCallResult, CampaignStatus, CampaignType

if TYPE_CHECKING:
    from talkkit.talkover._client import AsyncTalkover

__all__ = ["Campaigns"]


def _path(campaign_id: str, tail: str = "") -> str:
    return f"/campaigns/{f.path_id('campaign_id', campaign_id)}{tail}"


class Campaigns(Resource):
    """
    Calling campaigns: an agent, a schedule, retry and do-not-call rules, and a queue of
    numbers. ``webhooks`` is `CampaignWebhooks` (also ``client.campaign_webhooks``).
    """

    _client: AsyncTalkover
    webhooks: CampaignWebhooks

    def __init__(self, client: AsyncTalkover, webhooks: CampaignWebhooks) -> None:
        super().__init__(client)
        self.webhooks = webhooks

    def list(
        self,
        *,
        status: CampaignStatus | str | None = None,
        campaign_type: CampaignType | str | None = None,
        agent_id: str | None = None,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        search: str | None = None,
        per_page: int = 20,
        max_items: int | None = None,
    ) -> AsyncPaginator[Campaign]:
        """
        ``GET /campaigns``: every campaign, across all pages (``pagination`` block).

        Args:
            status: ``draft``, ``active``, ``paused``, ``completed`` or ``cancelled``.
            campaign_type: ``sales``, ``follow_up``, ``reminder`` or ``custom``.
            agent_id: Only this agent's campaigns.
            date_from: First day (a `datetime.date` or ``YYYY-MM-DD``).
            date_to: Last day.
            search: Matches name or description.
            per_page: Page size, 1 to 100.
            max_items: Stop after this many campaigns.
        """
        params = f.build(spec.FILTERS, locals())
        return page_paginator(
            self._client,
            "/campaigns",
            Campaign,
            params=params,
            per_page=f.per_page(per_page),
            max_items=max_items,
        )

    async def create(
        self,
        *,
        name: str,
        description: str | None = None,
        campaign_type: CampaignType | str | None = None,
        agent_id: str | None = None,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        days_of_week: Sequence[int] | None = None,
        call_time_ranges: Sequence[spec.TimeRange] | None = None,
        timezone: str | None = None,
        initial_call_delay: int | None = None,
        max_retries: int | None = None,
        retry_cooldown_hours: int | None = None,
        enable_post_completion_cooldown: bool | None = None,
        post_completion_cooldown_hours: int | None = None,
        success_cooldown_hours: int | None = None,
        voicemail_cooldown_hours: int | None = None,
        no_answer_cooldown_hours: int | None = None,
        busy_cooldown_hours: int | None = None,
        failed_cooldown_hours: int | None = None,
        do_not_call_enabled: bool | None = None,
        do_not_call_list_source: str | None = None,
        auto_add_to_dnc_enabled: bool | None = None,
        auto_dnc_trigger_statuses: Sequence[str] | None = None,
        auto_dnc_trigger_errors: Sequence[str] | None = None,
    ) -> Campaign:
        """
        ``POST /campaigns``: create a draft campaign (start it with `set_status`).

        Unsafe: never re-sent after it may have reached the server. On an unclear failure
        (`OutcomeUnknownError`) look for it with ``list(search=name)`` first.
        Arguments left ``None`` are not sent (server defaults apply).

        Args:
            days_of_week: 1 = Monday … 7 = Sunday, at least one.
            call_time_ranges: Daily windows ``("09:00", "12:00")``, each ending after it
                starts.
            timezone: IANA name, at most 50 characters.
            initial_call_delay: Seconds before the first call (inferred request key).
            max_retries: 0 to 10. Cooldowns are hours, 1 to 168.
            end_date: After ``start_date``.
        """
        body = f.build(spec.CAMPAIGN, locals(), required=("name",))
        spec.check_dates(body)
        return await self._client.request_model(
            "POST", "/campaigns", Campaign, json=body, safety=Safety.UNSAFE
        )

    async def get(self, campaign_id: str) -> Campaign:
        """``GET /campaigns/{campaign_id}``: the campaign with its ``calls`` and ``files``."""
        return await self._client.request_model("GET", _path(campaign_id), Campaign)

    async def update(
        self,
        campaign_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        campaign_type: CampaignType | str | None = None,
        agent_id: str | None = None,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        days_of_week: Sequence[int] | None = None,
        call_time_ranges: Sequence[spec.TimeRange] | None = None,
        timezone: str | None = None,
        initial_call_delay: int | None = None,
        max_retries: int | None = None,
        retry_cooldown_hours: int | None = None,
        enable_post_completion_cooldown: bool | None = None,
        post_completion_cooldown_hours: int | None = None,
        success_cooldown_hours: int | None = None,
        voicemail_cooldown_hours: int | None = None,
        no_answer_cooldown_hours: int | None = None,
        busy_cooldown_hours: int | None = None,
        failed_cooldown_hours: int | None = None,
        do_not_call_enabled: bool | None = None,
        do_not_call_list_source: str | None = None,
        auto_add_to_dnc_enabled: bool | None = None,
        auto_dnc_trigger_statuses: Sequence[str] | None = None,
        auto_dnc_trigger_errors: Sequence[str] | None = None,
    ) -> Campaign:
        """
        ``PUT /campaigns/{campaign_id}``: change only the fields given (``None`` leaves a
        field unchanged), with the rules of `create`. Idempotent. Use `set_status` for the
        status.
        """
        body = f.build(spec.CAMPAIGN, locals())
        spec.check_dates(body)
        return await self._client.request_model(
            "PUT", _path(campaign_id), Campaign, json=body, safety=Safety.IDEMPOTENT
        )

    async def delete(self, campaign_id: str) -> None:
        """
        ``DELETE /campaigns/{campaign_id}``: deletes its calls, files and stats. Allowed in
        ``draft``, ``paused``, ``completed`` and ``cancelled``. Idempotent.

        Raises:
            PermissionDeniedError: The campaign is ``active`` (pause or cancel it first).
            ConflictError: Calls are in progress.
        """
        await self._client.request_json("DELETE", _path(campaign_id), safety=Safety.IDEMPOTENT)

    async def set_status(self, campaign_id: str, status: CampaignStatus | str) -> Campaign:
        """
        ``PATCH /campaigns/{campaign_id}/status``: move the campaign to ``status``
        (draft → active/cancelled; active → paused/completed/cancelled; paused →
        active/completed/cancelled). Returns ``id``, ``status`` and ``updated_at``.

        Idempotent (it names the target state): retried on unclear failures. When the server
        refuses with ``INVALID_TRANSITION`` because the campaign already has ``status`` (for
        instance a retry after a change that went through), the campaign is returned.

        Raises:
            BadRequestError: ``INVALID_TRANSITION`` to a state not allowed from the current one.
        """
        target = f.choice(CampaignStatus)("status", status)
        path = _path(campaign_id, "/status")
        try:
            return await self._client.request_model(
                "PATCH", path, Campaign, json={"status": target}, safety=Safety.IDEMPOTENT
            )
        except BadRequestError as exc:
            if exc.code != "INVALID_TRANSITION":
                raise
            current = await self.get(campaign_id)
            if current.status != target:
                raise
            return current

    async def call(
        self,
        campaign_id: str,
        *,
        phone_number: str,
        payload: Mapping[str, object] | None = None,
        context: Mapping[str, object] | None = None,
        is_testing: bool | None = None,
        allow_duplicates: bool | None = None,
    ) -> CampaignCallResult:
        """
        ``POST /campaigns/{campaign_id}/call``: queue a call to ``phone_number`` (the
        campaign's agent, schedule, retry and do-not-call rules apply). 201, no envelope.

        **Unsafe: it is never sent twice.** Any failure after sending that does not prove the
        server refused it raises `OutcomeUnknownError`. To recover, send it again with
        ``allow_duplicates`` left false: a `ConflictError` then means the first request
        queued the number.

        Args:
            phone_number: E.164; sent as ``to``.
            payload: Values for the agent prompt's placeholders.
            context: Your metadata, echoed in webhooks.
            is_testing: Free test call.
            allow_duplicates: Queue even if the number is already active or queued in this
                campaign (server default false: 409 instead).

        Raises:
            ConflictError: The number is already queued (without ``allow_duplicates``).
            RateLimitError: 429.
            OutcomeUnknownError: The call may or may not have been queued.
        """
        values: dict[str, object] = {
            "to": f.phone("phone_number", phone_number),
            "payload": payload,
        }
        values.update(context=context, is_testing=is_testing, allow_duplicates=allow_duplicates)
        body = f.build(spec.CALL, values)
        raw = await self._client.request_json(
            "POST", _path(campaign_id, "/call"), json=body, safety=Safety.UNSAFE
        )
        return self._client.structure(raw, CampaignCallResult)
