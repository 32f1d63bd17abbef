"""Talkover's in-memory state: agents, calls, campaigns, webhooks, numbers and SIP trunks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import attrs

from talkkit.emulator._deliveries import Outbox
from talkkit.emulator._errors import ApiError, JSONDict
from talkkit.emulator._platform import RequestContext
from talkkit.emulator._records import CallFate, PlacedCall
from talkkit.emulator._state import PlatformState
from talkkit.emulator._talkover_events import announce
from talkkit.emulator._talkover_lifecycle import CallBook
from talkkit.emulator._wire import iso, lookup

__all__ = ["ACTIVE_CALL_STATUSES", "TalkoverState", "formatted", "missing"]

ACTIVE_CALL_STATUSES = frozenset({"initiated", "ringing", "answered"})
"""Call statuses that count as a live call (they block deleting the agent)."""

# INFERRED catalogue: the docs show the shape, not the voices.
_VOICES = (
    ("English (US)", "Ava", "female", "en-US", "basic", "0.08"),
    ("English (US)", "Ethan", "male", "en-US", "pro", "0.12"),
    ("English (US)", "Nova", "female", "en-US", "ultra", "0.16"),
    ("Portuguese (Brazil)", "Helena", "female", "pt-BR", "pro", "0.12"),
    ("Spanish (Spain)", "Mateo", "male", "es-ES", "basic", "0.08"),
)

# INFERRED: owned numbers a fresh environment has (the docs describe no purchase endpoint).
_NUMBERS: tuple[tuple[str, str, str, bool, bool], ...] = (
    ("+14155550101", "US", "voice", True, False),
    ("+14155550102", "US", "voice", True, False),
    ("+5511955550103", "BR", "whatsapp", False, True),
)


def formatted(number: str) -> str:
    """National display form of an E.164 number (NANP numbers as `(415) 555-0101`)."""
    if number.startswith("+1") and len(number) == 12:
        return f"({number[2:5]}) {number[5:8]}-{number[8:]}"
    return number


def missing(what: str, code: str) -> ApiError:
    """The documented 404 shape C: `{"success": false, "message": "Agent not found", "code"}`."""
    return ApiError(404, f"{what} not found", code=code)


@attrs.define
class TalkoverState(PlatformState):
    """
    Everything Talkover stores, as snake_case wire dicts keyed by id, in creation order.

    Agents carry their `trainings` and `actions`; `calls` is the call history (agent calls and
    campaign calls); `webhooks` holds agent and campaign webhooks (`agent_id` or
    `campaign_id`); `webhook_tests` records the test payloads "sent". Calls move along
    their script as time passes (`settle`); `complete_calls()` ends them at once. Each
    status change queues signed deliveries to the webhooks subscribed to it in `outbox`
    (`webhook_secrets` keeps the write-only secrets that sign them).
    """

    outbox: Outbox = attrs.field(kw_only=True)

    agents: dict[str, JSONDict] = attrs.Factory(dict)
    calls: dict[str, JSONDict] = attrs.Factory(dict)
    campaigns: dict[str, JSONDict] = attrs.Factory(dict)
    campaign_calls: dict[str, JSONDict] = attrs.Factory(dict)
    webhooks: dict[str, JSONDict] = attrs.Factory(dict)
    webhook_tests: list[JSONDict] = attrs.Factory(list)
    voices: dict[str, JSONDict] = attrs.Factory(dict)
    phone_numbers: dict[str, JSONDict] = attrs.Factory(dict)
    sip_trunks: dict[str, JSONDict] = attrs.Factory(dict)
    sip_passwords: dict[str, str] = attrs.Factory(dict)
    book: CallBook = attrs.Factory(CallBook)  # how each call moves along
    webhook_secrets: dict[str, str] = attrs.Factory(dict)  # webhook id -> webhook_secret
    call_context: dict[str, Mapping[str, Any]] = attrs.Factory(dict)  # echoed in webhooks

    def __attrs_post_init__(self) -> None:
        ids = self.env.ids
        for group, name, gender, language, tier, cost in _VOICES:
            voice_id = ids.uuid()
            self.voices[voice_id] = {
                "id": voice_id,
                "name": name,
                "gender": gender,
                "language": language,
                "quality_tier": tier,
                "cost": cost,
                "group": group,
            }
        for number, country, kind, voice, whatsapp in _NUMBERS:
            self.add_number(number, country, kind=kind, has_voice=voice, has_whatsapp=whatsapp)

    def add_number(
        self,
        number: str,
        country: str,
        *,
        kind: str = "voice",
        has_voice: bool = True,
        has_whatsapp: bool = False,
        sip_trunk_id: str | None = None,
    ) -> JSONDict:
        """Create an owned phone number record."""
        record: JSONDict = {
            "id": self.env.ids.uuid(),
            "number": number,
            "country_code": country,
            "formatted_number": formatted(number),
            "international_number": number,
            "type": kind,
            "has_voice": has_voice,
            "has_sms": has_voice,
            "has_mms": False,
            "has_fax": False,
            "has_whatsapp": has_whatsapp,
            "current_status": "active",
            "is_sandbox": False,
            "current_price": 1.5,
            "currency": "USD",
            "renewal_date": (self.env.now() + timedelta(days=30)).date().isoformat(),
            "auto_renewal": True,
            "monthly_renewal_cost": 1.5,
            "days_until_monthly_renewal": 30,
            "is_due_for_monthly_renewal": False,
            "environment": "production",
            "sip_trunk_id": sip_trunk_id,
        }
        self.phone_numbers[record["id"]] = self.stamp(record)
        return record

    def number_view(self, number: JSONDict) -> JSONDict:
        """A phone number with the agents it is linked to."""
        agents = [
            self.agent_summary(a)
            for a in self.agents.values()
            if any(n["id"] == number["id"] for n in a["phone_numbers"])
        ]
        return {**number, "agents": agents}

    @staticmethod
    def number_summary(number: JSONDict) -> JSONDict:
        """The short number form nested in agents."""
        keys = ("id", "number", "country_code", "formatted_number", "current_status")
        return {key: number[key] for key in keys}

    @staticmethod
    def agent_summary(agent: JSONDict) -> JSONDict:
        """`{id, name, label}` as nested in calls and campaigns."""
        return {"id": agent["id"], "name": agent["name"], "label": agent["label"]}

    def agent(self, agent_id: str) -> JSONDict:
        """An agent, or the documented 404 `AGENT_NOT_FOUND`."""
        return lookup(self.agents, agent_id, missing("Agent", "AGENT_NOT_FOUND"))

    def campaign(self, campaign_id: str) -> JSONDict:
        """A campaign, or the documented 404 `CAMPAIGN_NOT_FOUND`."""
        return lookup(self.campaigns, campaign_id, missing("Campaign", "CAMPAIGN_NOT_FOUND"))

    def touch_agent(self, agent: JSONDict, **changes: Any) -> JSONDict:
        """Update an agent and recompute `is_ready_to_publish` (INFERRED: needs a voice)."""
        self.stamp(agent, **changes)
        agent["is_ready_to_publish"] = agent["voice"] is not None
        return agent

    def place_call(
        self,
        agent: JSONDict,
        to: str,
        *,
        is_testing: bool,
        ctx: RequestContext,
        campaign_id: str | None = None,
        payload: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        delay: int = 0,
    ) -> JSONDict:
        """
        Record a call in the history and in `emu.placed_calls`; return the history record.

        The call's script (when it rings, how it ends) is drawn now; `delay` seconds (the
        request's `delay_seconds`) pass before it rings.
        """
        env = self.env
        placed_at = env.now()
        numbers = agent["phone_numbers"] or list(self.phone_numbers.values())
        origin = numbers[0]["number"] if numbers else "+14155550100"
        call = self.stamp(
            {
                "id": self.env.ids.uuid(),
                "sid": f"CA{self.env.ids.hex(32)}",
                "to": to,
                "to_formatted": formatted(to),
                "from": origin,
                "from_formatted": formatted(origin),
                "is_testing": is_testing,
                "direction": "outbound",
                "status": "initiated",
                "duration": 0,
                "ended_at": None,  # INFERRED extra: when the call ended (list-calls shows none)
                "agent": self.agent_summary(agent),
                "campaign_id": campaign_id,  # INFERRED extra: links history to campaigns
                "created_at": iso(placed_at),
            }
        )
        self.calls[call["id"]] = call
        self.book.place(call["id"], to, env, placed_at, delay)
        if context:
            self.call_context[call["id"]] = context
        self._announce(call, "initiated")
        ctx.subject, ctx.created = f"phone:{to}", call["id"]
        self.env.placed_calls.append(
            PlacedCall(
                kind="agent" if campaign_id is None else "campaign",
                call_id=call["id"],
                to=to,
                agent_id=agent["id"],
                campaign_id=campaign_id,
                is_testing=is_testing,
                payload=payload,
                context=context,
                request_id=ctx.request_id,
                idempotency_key=ctx.idempotency_key,
                at=placed_at,
            )
        )
        return call

    def settle(self) -> None:
        """Bring every live call's history record to where its script is now."""
        for call_id in [c for c in self.book.live if c not in self.calls]:
            del self.book.live[call_id]  # deleted with its agent
        for moved in self.book.advance(self.env.now()):
            call = self.calls[moved.call_id]
            call.update(status=moved.status, updated_at=iso(moved.moment))
            if moved.final:
                call.update(duration=moved.duration, ended_at=iso(moved.moment))
            for passed, _ in moved.passed:
                self._announce(call, passed)

    def complete_calls(self, status: str = "completed", duration: int = 30) -> int:
        """End every live call now with `status` (for tests); return how many changed."""
        self.settle()
        now = self.env.now()
        ended = [c for c in self.calls.values() if c["status"] in ACTIVE_CALL_STATUSES]
        for call in ended:
            self.stamp(call, status=status, duration=duration, ended_at=iso(now))
            self.book.finish(call["id"], status, duration, now)
            self._announce(call, status)
        return len(ended)

    def _announce(self, call: JSONDict, status: str) -> None:
        """Queue the webhook deliveries of `call` reaching `status`."""
        if self.webhooks:
            context = self.call_context.get(call["id"])
            announce(self.outbox, self.webhooks, self.webhook_secrets, call, status, context)

    def fates(self) -> dict[str, CallFate]:
        """How every placed call ends (or ended), by call id, in the order they were placed."""
        return {
            placed.call_id: fate
            for placed in list(self.env.placed_calls)  # a served emulator may be appending
            if (
                fate := self.book.fate(
                    placed.call_id, placed.to, placed.agent_id, placed.campaign_id
                )
            )
            is not None
        }
