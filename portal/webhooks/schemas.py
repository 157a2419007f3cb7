from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator
from yarl import URL

from portal.events.cloudevents import TYPE_PREFIX
from portal.schemas import Input, Output, Query

EVENT_TYPE = re.compile(r"^[a-z_]+\.[a-z_]+$")
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


def _check_url(value: str | None) -> str | None:
    if value is None:
        return value
    url = URL(value)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError("must be an absolute http:// or https:// URL")
    return value


def _check_types(values: list[str] | None) -> list[str] | None:
    if values is None:
        return values
    cleaned = []
    for value in values:
        value = value.strip().removeprefix(TYPE_PREFIX)
        if value != "*" and not EVENT_TYPE.match(value):
            raise ValueError(f"{value!r} is not an event type (e.g. idea.created) or '*'")
        cleaned.append(value)
    return sorted(set(cleaned))


class WebhookCreate(Input):
    url: Url
    event_types: list[str] = Field(min_length=1, max_length=50, description="Event types, or ['*'] for all.")
    description: str = Field("", max_length=500)

    _url = field_validator("url")(_check_url)
    _types = field_validator("event_types")(_check_types)


class WebhookUpdate(Input):
    url: Url | None = None
    event_types: list[str] | None = Field(None, min_length=1, max_length=50)
    description: str | None = Field(None, max_length=500)
    enabled: bool | None = None

    _url = field_validator("url")(_check_url)
    _types = field_validator("event_types")(_check_types)

    @model_validator(mode="after")
    def _not_empty(self) -> WebhookUpdate:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        return self


class WebhookRead(Output):
    id: int
    url: str
    event_types: list[str]
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
    event_type: str
    state: str
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    completed_at: datetime | None
    attempt_log: list[AttemptRead]


class DeliveryQuery(Query):
    limit: int = Field(50, ge=1, le=500)
