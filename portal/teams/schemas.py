from __future__ import annotations

from datetime import datetime

from pydantic import Field, model_validator

from portal.schemas import Email, Input, Name, Output, Query, Slug


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
    created_at: datetime


class EmployeeQuery(Query):
    team: Slug | None = None
