from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, StringConstraints, field_validator, model_validator

from portal.schemas import Email, Input, Name, Output, Query, Slug

Locale = Literal["en", "ja"]


class TeamCreate(Input):
    slug: Slug
    name: Name
    response_sla_hours: int = Field(72, ge=1, le=8760, description="How soon leads should answer a routed idea.")


class TeamUpdate(Input):
    name: Name | None = None
    response_sla_hours: int | None = Field(None, ge=1, le=8760)

    @model_validator(mode="after")
    def _not_empty(self) -> TeamUpdate:
        if self.name is None and self.response_sla_hours is None:
            raise ValueError("send at least one of name, response_sla_hours")
        return self


class EmployeeSummary(Output):
    id: int
    email: str
    name: str


class TeamRead(Output):
    slug: str
    name: str
    response_sla_hours: int
    leads: list[EmployeeSummary]
    member_count: int
    created_at: datetime
    updated_at: datetime


class EmployeeCreate(Input):
    email: Email
    name: Name
    team: Slug | None = None


class EmployeeRead(Output):
    id: int
    email: str
    name: str
    team: str | None
    is_admin: bool
    lead_of: list[str]
    signed_in: bool
    locale: Locale | None = Field(description="The language chosen for the web client and emails; null: the browser's.")
    time_zone: str | None = Field(description="IANA time zone for dates; null: the portal's default.")
    created_at: datetime


def _time_zone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be an IANA time zone, e.g. Asia/Tokyo") from None
    return value


class Preferences(Input):
    """Send a field to change it; null clears it (back to the default)."""

    locale: Locale | None = None
    time_zone: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None

    _zone = field_validator("time_zone")(_time_zone)

    @model_validator(mode="after")
    def _not_empty(self) -> Preferences:
        if not self.model_fields_set:
            raise ValueError("send locale and/or time_zone")
        return self


class EmployeeQuery(Query):
    team: Slug | None = None
