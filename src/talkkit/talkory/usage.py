"""Talkory ``/v1/usage``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Unpack

from talkkit._fields import Doc, Field
from talkkit._options import RequestOptions
from talkkit._resource import Resource
from talkkit.errors import InvalidRequestError
from talkkit.talkory.types import Usage as UsageRecord

if TYPE_CHECKING:
    from talkkit.talkory._client import AsyncTalkory

__all__ = ["UsageResource"]


def _instant(field: str, value: object) -> str:
    """A timezone-aware `datetime`, sent in ISO 8601."""
    if not isinstance(value, datetime):
        raise InvalidRequestError(field, "must be a timezone-aware datetime", value=value)
    if value.tzinfo is None:
        raise InvalidRequestError(field, "must be timezone-aware", value=value)
    return value.isoformat()


class UsageResource(Resource):
    """Usage statistics of the key (free)."""

    _client: AsyncTalkory

    async def get(
        self,
        *,
        from_: Annotated[
            datetime | None, Doc("Start of the period."), Field(_instant, into="query")
        ] = None,
        to: Annotated[
            datetime | None, Doc("End of the period."), Field(_instant, into="query")
        ] = None,
        **options: Unpack[RequestOptions],
    ) -> UsageRecord:
        """``GET /v1/usage`` for ``[from_, to]`` (timezone-aware; default: the last 30 days)."""
        params = self._client.fields(UsageResource.get, locals(), into="query")
        if from_ is not None and to is not None and from_ > to:
            raise InvalidRequestError("from_", "must not be after 'to'", value=from_)
        return await self._client.request_model(
            "GET", "/v1/usage", UsageRecord, params=params, options=options
        )
