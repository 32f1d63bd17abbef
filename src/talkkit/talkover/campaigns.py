"""Talkover campaigns: CRUD, the status lifecycle and queued campaign calls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Unpack

from talkkit._options import RequestOptions, UnsafeRequestOptions
from talkkit._request import Safety
from talkkit._resource import Resource
from talkkit.errors import BadRequestError
from talkkit.pagination import AsyncPaginator
from talkkit.talkover import _campaign_fields as spec
from talkkit.talkover import _fields as f
from talkkit.talkover._fields import Doc, Field
from talkkit.talkover.campaign_webhooks import CampaignWebhooks
from talkkit.talkover.types import Campaign, CampaignCallResult, CampaignStatus

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
        status: spec.StatusFilter = None,
        campaign_type: spec.KindFilter = None,
        agent_id: f.AgentFilter = None,
        date_from: f.DateFrom = None,
        date_to: f.DateTo = None,
        search: spec.Search = None,
        per_page: f.PerPage = 20,
        max_items: f.MaxItems = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[Campaign]:
        """``GET /campaigns``: every campaign, across all pages (``pagination`` block)."""
        return f.pages(self._client, "/campaigns", Campaign, Campaigns.list, locals())

    async def create(
        self,
        *,
        name: spec.Name,
        description: spec.Description = None,
        campaign_type: spec.Kind = None,
        agent_id: spec.AgentId = None,
        start_date: spec.StartDate = None,
        end_date: spec.EndDate = None,
        days_of_week: spec.DaysOfWeek = None,
        call_time_ranges: spec.CallTimeRanges = None,
        timezone: spec.Timezone = None,
        initial_call_delay: spec.InitialCallDelay = None,
        max_retries: spec.MaxRetries = None,
        retry_cooldown_hours: spec.Cooldown = None,
        enable_post_completion_cooldown: spec.EnablePostCompletionCooldown = None,
        post_completion_cooldown_hours: spec.Cooldown = None,
        success_cooldown_hours: spec.StatusCooldown = None,
        voicemail_cooldown_hours: spec.StatusCooldown = None,
        no_answer_cooldown_hours: spec.StatusCooldown = None,
        busy_cooldown_hours: spec.StatusCooldown = None,
        failed_cooldown_hours: spec.StatusCooldown = None,
        do_not_call_enabled: spec.DoNotCallEnabled = None,
        do_not_call_list_source: spec.DoNotCallListSource = None,
        auto_add_to_dnc_enabled: spec.AutoAddToDnc = None,
        auto_dnc_trigger_statuses: spec.AutoDncTriggerStatuses = None,
        auto_dnc_trigger_errors: spec.AutoDncTriggerErrors = None,
        **options: Unpack[UnsafeRequestOptions],
    ) -> Campaign:
        """
        ``POST /campaigns``: create a draft campaign (start it with `set_status`).

        Unsafe: never re-sent after it may have reached the server. On an unclear failure
        (`OutcomeUnknownError`) look for it with ``list(search=name)`` first.
        Arguments left ``None`` are not sent (server defaults apply).
        """
        body = self._client.fields(Campaigns.create, locals())
        spec.check_dates(body)
        return await self._client.request_model(
            "POST", "/campaigns", Campaign, json=body, safety=Safety.UNSAFE, options=options
        )

    async def get(self, campaign_id: str, **options: Unpack[RequestOptions]) -> Campaign:
        """``GET /campaigns/{campaign_id}``: the campaign with its ``calls`` and ``files``."""
        return await self._client.request_model(
            "GET", _path(campaign_id), Campaign, options=options
        )

    async def update(
        self,
        campaign_id: str,
        *,
        name: spec.Name | None = None,
        description: spec.Description = None,
        campaign_type: spec.Kind = None,
        agent_id: spec.AgentId = None,
        start_date: spec.StartDate = None,
        end_date: spec.EndDate = None,
        days_of_week: spec.DaysOfWeek = None,
        call_time_ranges: spec.CallTimeRanges = None,
        timezone: spec.Timezone = None,
        initial_call_delay: spec.InitialCallDelay = None,
        max_retries: spec.MaxRetries = None,
        retry_cooldown_hours: spec.Cooldown = None,
        enable_post_completion_cooldown: spec.EnablePostCompletionCooldown = None,
        post_completion_cooldown_hours: spec.Cooldown = None,
        success_cooldown_hours: spec.StatusCooldown = None,
        voicemail_cooldown_hours: spec.StatusCooldown = None,
        no_answer_cooldown_hours: spec.StatusCooldown = None,
        busy_cooldown_hours: spec.StatusCooldown = None,
        failed_cooldown_hours: spec.StatusCooldown = None,
        do_not_call_enabled: spec.DoNotCallEnabled = None,
        do_not_call_list_source: spec.DoNotCallListSource = None,
        auto_add_to_dnc_enabled: spec.AutoAddToDnc = None,
        auto_dnc_trigger_statuses: spec.AutoDncTriggerStatuses = None,
        auto_dnc_trigger_errors: spec.AutoDncTriggerErrors = None,
        **options: Unpack[RequestOptions],
    ) -> Campaign:
        """
        ``PUT /campaigns/{campaign_id}``: change only the fields given (``None`` leaves a
        field unchanged), with the rules of `create`. Idempotent. Use `set_status` for the
        status.
        """
        body = self._client.fields(Campaigns.update, locals())
        spec.check_dates(body)
        return await self._client.request_model(
            "PUT",
            _path(campaign_id),
            Campaign,
            json=body,
            safety=Safety.IDEMPOTENT,
            options=options,
        )

    async def delete(self, campaign_id: str, **options: Unpack[RequestOptions]) -> None:
        """
        ``DELETE /campaigns/{campaign_id}``: deletes its calls, files and stats. Allowed in
        ``draft``, ``paused``, ``completed`` and ``cancelled``. Idempotent.

        Raises:
            PermissionDeniedError: The campaign is ``active`` (pause or cancel it first).
            ConflictError: Calls are in progress.
        """
        await self._client.request_json(
            "DELETE", _path(campaign_id), safety=Safety.IDEMPOTENT, options=options
        )

    async def set_status(
        self,
        campaign_id: str,
        status: Annotated[
            CampaignStatus | str, Doc("The state to move to."), Field(f.choice(CampaignStatus))
        ],
        **options: Unpack[RequestOptions],
    ) -> Campaign:
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
        body = self._client.fields(Campaigns.set_status, locals())
        path = _path(campaign_id, "/status")
        try:
            return await self._client.request_model(
                "PATCH", path, Campaign, json=body, safety=Safety.IDEMPOTENT, options=options
            )
        except BadRequestError as exc:
            if exc.code != "INVALID_TRANSITION":
                raise
            current = await self.get(campaign_id)
            if current.status != body["status"]:
                raise
            return current

    async def call(
        self,
        campaign_id: str,
        *,
        phone_number: f.Callee,
        payload: f.CallPayload = None,
        context: f.CallContext = None,
        is_testing: f.IsTesting = None,
        allow_duplicates: Annotated[
            bool | None,
            Doc(
                "Queue even if the number is already active or queued in this campaign"
                " (server default false: 409 instead)."
            ),
            Field(f.flag),
        ] = None,
        **options: Unpack[UnsafeRequestOptions],
    ) -> CampaignCallResult:
        """
        ``POST /campaigns/{campaign_id}/call``: queue a call to ``phone_number`` (the
        campaign's agent, schedule, retry and do-not-call rules apply). 201, no envelope.

        **Unsafe: it is never sent twice.** Any failure after sending that does not prove the
        server refused it raises `OutcomeUnknownError`. To recover, send it again with
        ``allow_duplicates`` left false: a `ConflictError` then means the first request
        queued the number.

        Raises:
            ConflictError: The number is already queued (without ``allow_duplicates``).
            RateLimitError: 429.
            OutcomeUnknownError: The call may or may not have been queued.
        """
        body = self._client.fields(Campaigns.call, locals())
        raw = await self._client.request_json(
            "POST", _path(campaign_id, "/call"), json=body, safety=Safety.UNSAFE, options=options
        )
        return self._client.structure(raw, CampaignCallResult)
