from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from portal.events.types import PublishedType, SubscribedType
from portal.schemas import WHITESPACE, Input, Output, Patch, Query
from portal.webhooks.urls import check_url

# What check_url accepts, said as a pattern: http(s), a host of DNS labels (IDN hosts in punycode)
# or an IPv6 literal, a port. Label and name lengths and numeric hosts are checked beyond it.
PORT = r"([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST = rf"(\[[0-9A-Fa-f:.]+\]|({LABEL}\.)*{LABEL}\.?)"
URL_PATTERN = rf"^https?://{HOST}(:{PORT})?([/?#][^{WHITESPACE}]*)?$"
Url = Annotated[str, StringConstraints(max_length=2000, pattern=URL_PATTERN)]


def _check_url(value: str | None) -> str | None:
    return None if value is None else check_url(value)


def _check_types(values: list[str] | None) -> list[str] | None:
    """Each type once, in order (both spellings of one type are one type)."""
    return sorted(set(values)) if values is not None else None


class WebhookCreate(Input):
    url: Url
    event_types: list[SubscribedType] = Field(
        min_length=1, max_length=50, description="Event types (GET /api/v1/events/types), or ['*'] for all."
    )
    description: str = Field("", max_length=500)

    _url = field_validator("url")(_check_url)
    _types = field_validator("event_types")(_check_types)


class WebhookUpdate(Patch):
    url: Url | None = None
    event_types: list[SubscribedType] | None = Field(None, min_length=1, max_length=50)
    description: str | None = Field(None, max_length=500)
    enabled: bool | None = None

    _url = field_validator("url")(_check_url)
    _types = field_validator("event_types")(_check_types)


class WebhookRead(Output):
    id: int
    url: str
    event_types: list[PublishedType]
    description: str
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(description="The signing secret (whsec_...), shown only in this response.")


class AttemptRead(Output):
    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    response_excerpt: str | None


class DeliveryRead(Output):
    id: int
    event_id: int
    event_type: PublishedType
    state: str
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    completed_at: datetime | None
    attempt_log: list[AttemptRead]


class DeliveryQuery(Query):
    limit: int = Field(50, ge=1, le=500)
