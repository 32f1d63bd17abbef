"""Talkover telephony routes: health, voice templates, phone numbers, SIP trunks and DIDs."""

from __future__ import annotations

import hashlib
from functools import partial

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from talkkit.emulator._dialects import TALKOVER
from talkkit.emulator._errors import ApiError, JSONDict
from talkkit.emulator._talkover_state import TalkoverState, missing
from talkkit.emulator._validate import Fields, Reader, read_all
from talkkit.emulator._wire import iso, lookup, query_fields, read_body, reply, success

__all__ = ["TelephonyRoutes"]

_TRUNK: dict[str, Reader] = {
    "name": partial(Fields.text, required=True, max_len=255),
    "provider_name": partial(Fields.text, max_len=255),
    "domain": partial(Fields.text, required=True, max_len=255),
    "username": partial(Fields.text, required=True, max_len=255),
    "password": partial(Fields.text, required=True, max_len=255),
    "port": partial(Fields.integer, lo=1, hi=65535),
    "transport": partial(Fields.text, choices=("udp", "tcp", "tls")),
    "outbound_proxy": partial(Fields.text, max_len=255),
    "auth_realm": partial(Fields.text, max_len=255),
    "is_active": Fields.flag,
}
_REVERIFY = frozenset({"domain", "transport", "username", "password"})


def _probe(domain: str) -> tuple[bool, int]:
    """Deterministic connectivity check. INFERRED: domains ending in `.invalid` fail."""
    latency = 15 + hashlib.sha256(domain.encode()).digest()[0] % 60
    return not domain.endswith(".invalid"), latency


class TelephonyRoutes:
    """Health, voice, phone-number and SIP-trunk endpoints over one `TalkoverState`."""

    def __init__(self, state: TalkoverState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        """Routes relative to the `/api/v1` mount."""
        trunk = "/sip-trunks/{trunk_id}"
        return [
            Route("/health", self.health, methods=["GET"]),
            Route("/voice-templates", self.voice_templates, methods=["GET"]),
            Route("/voice-templates/{voice_id}/demo", self.voice_demo, methods=["GET"]),
            Route("/phone-numbers", self.phone_numbers, methods=["GET"]),
            Route("/sip-trunks", self.list_trunks, methods=["GET"]),
            Route("/sip-trunks", self.create_trunk, methods=["POST"]),
            Route(trunk, self.get_trunk, methods=["GET"]),
            Route(trunk, self.update_trunk, methods=["PUT"]),
            Route(trunk, self.delete_trunk, methods=["DELETE"]),
            Route(trunk + "/verify", self.verify_trunk, methods=["POST"]),
            Route(trunk + "/health", self.trunk_health, methods=["GET"]),
            Route(trunk + "/dids", self.list_dids, methods=["GET"]),
            Route(trunk + "/dids", self.create_did, methods=["POST"]),
            Route(trunk + "/dids/{number_id}", self.delete_did, methods=["DELETE"]),
        ]

    async def health(self, request: Request) -> Response:
        # INFERRED body: the seed only says this endpoint checks a token.
        return success(data={"status": "ok", "environment": "emulator"})

    async def voice_templates(self, request: Request) -> Response:
        # INFERRED filters (the stored page is cut before its query parameters).
        query = query_fields(request)
        language = query.text("language")
        tier = query.text("quality_tier", choices=("basic", "pro", "ultra"))
        query.check(TALKOVER)
        groups: dict[str, list[JSONDict]] = {}
        for voice in self.state.voices.values():
            if (language is None or voice["language"] == language) and (
                tier is None or voice["quality_tier"] == tier
            ):
                shown = {k: v for k, v in voice.items() if k != "group"}
                groups.setdefault(voice["group"], []).append(shown)
        data = [{"display_name": name, "voices": voices} for name, voices in groups.items()]
        return success(data=data)

    async def voice_demo(self, request: Request) -> Response:
        voice_id = request.path_params["voice_id"]
        lookup(self.state.voices, voice_id, missing("Voice", "VOICE_NOT_FOUND"))
        expires = int(self.state.env.now().timestamp()) + 3600
        url = f"https://storage.talkover.example/voice-demos/{voice_id}.mp3?expires={expires}"
        return reply({"mp3_url": url})

    async def phone_numbers(self, request: Request) -> Response:
        query = query_fields(request)
        kind = query.text("type", choices=("voice", "sms", "whatsapp", "mms", "fax"))
        has_voice = query.flag("has_voice")
        has_whatsapp = query.flag("has_whatsapp")
        search = query.text("search") or ""
        query.check(TALKOVER)
        items = [
            self.state.number_view(n)
            for n in self.state.phone_numbers.values()
            if (kind is None or n["type"] == kind)
            and (has_voice is None or n["has_voice"] == has_voice)
            and (has_whatsapp is None or n["has_whatsapp"] == has_whatsapp)
            and search in n["number"]
        ]
        return success(data=items)

    def _trunk(self, request: Request) -> JSONDict:
        trunk_id = request.path_params["trunk_id"]
        # INFERRED code: the pages name no 404 code for trunks.
        return lookup(self.state.sip_trunks, trunk_id, missing("SIP trunk", "SIP_TRUNK_NOT_FOUND"))

    def _dids(self, trunk: JSONDict) -> list[JSONDict]:
        return [n for n in self.state.phone_numbers.values() if n["sip_trunk_id"] == trunk["id"]]

    async def list_trunks(self, request: Request) -> Response:
        return success(data=list(self.state.sip_trunks.values()))  # INFERRED endpoint

    async def create_trunk(self, request: Request) -> Response:
        body = await read_body(request, TALKOVER)
        values = read_all(body, _TRUNK)
        body.check(TALKOVER)
        transport = values["transport"] or "tls"
        trunk = {
            "id": self.state.env.ids.uuid(),
            **values,
            "transport": transport,
            "port": values["port"] or (5061 if transport == "tls" else 5060),
            "is_active": bool(values["is_active"]),
            "is_verified": False,
            "health_status": "unknown",
            "last_health_check_at": None,
        }
        self.state.sip_passwords[trunk["id"]] = trunk.pop("password")
        self.state.sip_trunks[trunk["id"]] = self.state.stamp(trunk)
        return success(message="SIP trunk created successfully", data=trunk, status_code=201)

    async def get_trunk(self, request: Request) -> Response:
        return success(data=self._trunk(request))

    async def update_trunk(self, request: Request) -> Response:
        trunk = self._trunk(request)
        body = await read_body(request, TALKOVER)
        values = {k: v for k, v in read_all(body, _TRUNK, partial=True).items() if v is not None}
        body.check(TALKOVER)
        if _REVERIFY & values.keys():
            values["is_verified"] = False
        if "password" in values:
            self.state.sip_passwords[trunk["id"]] = values.pop("password")
        return success(
            message="SIP trunk updated successfully", data=self.state.stamp(trunk, **values)
        )

    async def delete_trunk(self, request: Request) -> Response:
        trunk = self._trunk(request)
        if self._dids(trunk):
            raise ApiError(409, "Remove the trunk's DIDs before deleting it", code="TRUNK_HAS_DIDS")
        del self.state.sip_trunks[trunk["id"]]
        del self.state.sip_passwords[trunk["id"]]
        return success(message="SIP trunk deleted successfully")

    async def verify_trunk(self, request: Request) -> Response:
        trunk = self._trunk(request)
        ok, _ = _probe(trunk["domain"])
        checked = iso(self.state.env.now())
        self.state.stamp(
            trunk,
            is_verified=ok,
            health_status="healthy" if ok else "unhealthy",
            last_health_check_at=checked,
        )
        data = {k: trunk[k] for k in ("is_verified", "health_status", "last_health_check_at")}
        if not ok:
            data["error"] = f"Could not reach {trunk['domain']}"
            return reply(
                {"success": False, "message": "SIP trunk verification failed", "data": data}
            )
        return success(message="SIP trunk verified successfully", data=data)

    async def trunk_health(self, request: Request) -> Response:
        trunk = self._trunk(request)
        ok, latency = _probe(trunk["domain"])
        data: JSONDict = {
            "is_healthy": ok,
            "response_time_ms": latency if ok else None,
            "checked_at": iso(self.state.env.now()),
        }
        if not ok:
            data["error"] = f"Could not reach {trunk['domain']}"
        return success(data=data)

    async def list_dids(self, request: Request) -> Response:
        return success(data=[self.state.number_view(n) for n in self._dids(self._trunk(request))])

    async def create_did(self, request: Request) -> Response:
        trunk = self._trunk(request)
        body = await read_body(request, TALKOVER)
        country = body.text("country_code", required=True, fmt="country")
        number = body.text("number", required=True, fmt="e164")
        body.check(TALKOVER)
        assert country is not None
        assert number is not None
        if any(n["number"] == number for n in self.state.phone_numbers.values()):
            raise ApiError(409, "This DID already exists", code="DID_ALREADY_EXISTS")
        did = self.state.add_number(number, country, sip_trunk_id=trunk["id"])
        return success(
            message="DID added successfully", data=self.state.number_view(did), status_code=201
        )

    async def delete_did(self, request: Request) -> Response:
        trunk = self._trunk(request)
        did = self.state.phone_numbers.get(request.path_params["number_id"])
        if did is None or did["sip_trunk_id"] != trunk["id"]:
            raise missing("DID", "DID_NOT_FOUND")  # INFERRED code
        if self.state.number_view(did)["agents"]:
            raise ApiError(409, "The DID is assigned to an agent", code="DID_IN_USE")
        del self.state.phone_numbers[did["id"]]
        return success(message="DID removed successfully")
