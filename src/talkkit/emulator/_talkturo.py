"""Talkturo routes (`/api`): assistants, phone numbers, inbound webhooks, plus the CRM routes."""

from __future__ import annotations

import json
from functools import partial

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from talkkit.emulator._dialects import TALKTURO
from talkkit.emulator._errors import ApiError, JSONDict
from talkkit.emulator._paging import offset_page
from talkkit.emulator._talkturo_crm import CrmRoutes
from talkkit.emulator._talkturo_state import TEMPLATES, TalkturoState, snake
from talkkit.emulator._validate import Fields, Reader
from talkkit.emulator._wire import query_fields, read_body, reply, success

__all__ = ["PUBLIC_ROUTES", "TalkturoRoutes"]

PUBLIC_ROUTES = ("POST /api/db/webhook", "POST /api/billing/webhook")
"""Inbound webhooks are signed by the sender, not authenticated with a bearer token."""

# INFERRED request names (seed 003 describes the fields without naming them); camelCase and
# the snake_case response names are both accepted.
_ASSISTANT: dict[str, Reader] = {
    "name": partial(Fields.text, max_len=255),
    "first_message": Fields.text,
    "system_prompt": Fields.text,
    "provider": partial(
        Fields.text, choices=("openai", "anthropic", "google", "deepseek", "qwen", "kimi")
    ),
    "model": Fields.text,
    "temperature": partial(Fields.number, lo=0, hi=2),
    "max_tokens": partial(Fields.integer, lo=1, hi=32768),
    "voice_provider": partial(
        Fields.text, choices=("cartesia", "elevenlabs", "openai", "dashscope")
    ),
    "voice_model": Fields.text,
    "voice_id": Fields.text,
    "voice_name": Fields.text,
    "transcriber_provider": partial(
        Fields.text, choices=("deepgram", "assemblyai", "cartesia", "elevenlabs")
    ),
    "transcriber_model": Fields.text,
    "transcriber_language": Fields.text,
    "recording_enabled": Fields.flag,
    "inbound_enabled": Fields.flag,
    "outbound_enabled": Fields.flag,
}
_ALIASES = {"language": "transcriber_language"}

_DIAL_CODES = {"US": "1", "CA": "1", "GB": "44", "DE": "49", "FR": "33", "ES": "34", "AU": "61"}


def _candidates(country: str, area: str | None, kind: str) -> list[str]:
    """Deterministic fake inventory for a search (INFERRED: Telnyx numbers look like this)."""
    code = _DIAL_CODES.get(country)
    if code is None:
        return []
    if code == "1":
        stem = "800555" if kind == "toll-free" else f"{area or '415'}555"
        return [f"+1{stem}{i:04d}" for i in range(100, 400)]
    stem = "800" if kind == "toll-free" else "20"
    return [f"+{code}{stem}{i:07d}" for i in range(100, 400)]


class TalkturoRoutes:
    """Every Talkturo endpoint over one `TalkturoState`."""

    def __init__(self, state: TalkturoState) -> None:
        self.state = state
        self.crm = CrmRoutes(state)

    def routes(self) -> list[BaseRoute]:
        """Routes relative to the `/api` mount."""
        return [
            Route("/assistants", self.create_assistant, methods=["POST"]),
            Route("/assistants/{assistant_id}", self.get_assistant, methods=["GET"]),
            Route("/assistants/{assistant_id}", self.update_assistant, methods=["PATCH"]),
            Route(
                "/assistants/{assistant_id}/telephony/phone-numbers",
                self.assign_numbers,
                methods=["PATCH"],
            ),
            *self.crm.routes(),
            Route("/phone-numbers/search", self.search_numbers, methods=["POST"]),
            Route("/phone-numbers/purchase", self.purchase_number, methods=["POST"]),
            Route("/phone-numbers", self.list_numbers, methods=["GET"]),
            Route("/db/webhook", self.webhook, methods=["POST"]),
            Route("/billing/webhook", self.webhook, methods=["POST"]),
        ]

    def _assistant(self, request: Request) -> JSONDict:
        return self.state.get(
            self.state.assistants, request.path_params["assistant_id"], "Assistant"
        )

    async def _owner_body(self, request: Request) -> Fields:
        """The body of a call that must name the caller's `accountSlug` (ownership check)."""
        body = await read_body(request, TALKTURO)
        slug = body.text("accountSlug", required=True)
        body.check(TALKTURO)
        assert slug is not None
        self.state.account(slug)
        return body

    async def create_assistant(self, request: Request) -> Response:
        body = await read_body(request, TALKTURO)
        slug = body.text("accountSlug", required=True)
        name = body.text("name", required=True, max_len=255)
        template = body.text("templateId", choices=tuple(TEMPLATES)) or "custom"
        body.check(TALKTURO)
        assert slug is not None
        assistant = {
            "id": self.state.env.ids.ulid("asst"),
            "account_id": self.state.account(slug)["id"],
            "name": name,
            "type": template,
            "model": "gpt-4o-mini",
            "provider": "openai",
            "temperature": 0.7,
            "max_tokens": 1024,
            "first_message": TEMPLATES[template]["first_message"],
            "system_prompt": TEMPLATES[template]["system_prompt"],
            "voice_provider": "cartesia",
            "voice_model": "sonic-english",
            "voice_id": None,
            "voice_name": None,
            "transcriber_provider": "deepgram",
            "transcriber_model": "nova-2",
            "transcriber_language": "en",
            "recording_enabled": True,
            "inbound_enabled": TEMPLATES[template]["inbound_enabled"],
            "outbound_enabled": TEMPLATES[template]["outbound_enabled"],
        }
        self.state.assistants[assistant["id"]] = self.state.stamp(assistant)
        return success(assistant=assistant)

    async def get_assistant(self, request: Request) -> Response:
        return success(assistant=self._assistant(request))

    async def update_assistant(self, request: Request) -> Response:
        assistant = self._assistant(request)
        body = await self._owner_body(request)
        changes: JSONDict = {}
        for key in body.data:
            field = _ALIASES.get(snake(key), snake(key))
            read = _ASSISTANT.get(field)
            if read is not None and (value := read(body, key)) is not None:
                changes[field] = value
        body.check(TALKTURO)
        return success(assistant=self.state.stamp(assistant, **changes))

    async def assign_numbers(self, request: Request) -> Response:
        assistant = self._assistant(request)
        body = await self._owner_body(request)
        ids = body.strings("phoneNumberIds", required=True)
        body.check(TALKTURO)
        assert ids is not None
        numbers = self.state.phone_numbers
        for index, number_id in enumerate(ids):
            number = numbers.get(number_id)
            team = self.state.teams.get(number["team_id"]) if number else None
            if team is None or team["account_id"] != assistant["account_id"]:
                body.add(f"phoneNumberIds.{index}", "exists")
        body.check(TALKTURO)
        for number in numbers.values():
            if number["assistant_id"] == assistant["id"]:
                self.state.stamp(number, assistant_id=None)
        for number_id in ids:
            self.state.stamp(numbers[number_id], assistant_id=assistant["id"])
        # INFERRED response: the assistant plus the numbers now assigned to it.
        return success(assistant=assistant, phoneNumbers=[numbers[i] for i in ids])

    async def search_numbers(self, request: Request) -> Response:
        body = await read_body(request, TALKTURO)
        filters = body.mapping("filters", required=True)
        body.check(TALKTURO)
        assert filters is not None
        wanted = Fields(filters, prefix="filters.")
        country = wanted.text("countryCode", required=True, fmt="country")
        area = wanted.text("areaCode", fmt="area_code")
        kind = wanted.text("numberType", choices=("local", "toll-free")) or "local"
        limit = wanted.integer("limit", lo=1, hi=100) or 20
        wanted.check(TALKTURO)
        assert country is not None
        owned = {n["phone_number"] for n in self.state.phone_numbers.values()}
        free = [n for n in _candidates(country, area, kind) if n not in owned][:limit]
        price = "2.00" if kind == "toll-free" else "1.00"
        numbers = [
            {
                "phoneNumber": n,
                "monthlyPrice": price,
                "setupPrice": "1.00",
                "features": ["voice", "sms"],
            }
            for n in free
        ]
        return success(numbers=numbers, provider="telnyx", count=len(numbers))

    async def purchase_number(self, request: Request) -> Response:
        # INFERRED body names: phoneNumber, teamId, connectionId.
        body = await read_body(request, TALKTURO)
        phone = body.text("phoneNumber", required=True, fmt="e164")
        team_id = body.text("teamId", required=True)
        connection = body.text("connectionId")
        body.check(TALKTURO)
        assert team_id is not None
        self.state.team(team_id)
        if any(n["phone_number"] == phone for n in self.state.phone_numbers.values()):
            raise ApiError(409, "Phone number already purchased")
        number: JSONDict = {
            "id": self.state.env.ids.ulid("pn"),
            "phone_number": phone,
            "team_id": team_id,
            "status": "active",
            "is_trial": False,
            "assistant_id": None,
            "provider": "telnyx",
            "connection_id": connection,
        }
        self.state.phone_numbers[number["id"]] = self.state.stamp(number)
        return success(phoneNumber=number)

    async def list_numbers(self, request: Request) -> Response:
        # INFERRED path, params and key: GET /api/phone-numbers?teamId=… → `phoneNumbers`.
        query = query_fields(request)
        teams = self.state.scope_teams(query.text("teamId"), query.text("accountSlug"))
        items = self.state.in_team(self.state.phone_numbers, teams)
        page, meta = offset_page(items, query, TALKTURO)
        return success(phoneNumbers=page, **meta)

    async def webhook(self, request: Request) -> Response:
        # INFERRED: the emulator records deliveries without checking their signatures.
        raw = await request.body()
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            raise ApiError(400, "Invalid JSON body") from None
        self.state.webhook_events.append(
            {"path": request.url.path, "payload": payload, "headers": dict(request.headers)}
        )
        return reply({"received": True})
