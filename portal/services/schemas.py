from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator, model_validator

from portal.schemas import Input, Name, Named, Output, Patch, Slug


def _unique(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("must not repeat a team")
    return values


class ServiceCreate(Input):
    slug: Slug
    name: Name
    description: str = Field("", max_length=5000)
    provider_team: Slug
    customer_teams: list[Slug] = Field(default_factory=list, max_length=200, json_schema_extra={"uniqueItems": True})

    _unique_customers = field_validator("customer_teams")(_unique)

    @model_validator(mode="after")
    def _provider_not_customer(self) -> ServiceCreate:
        if self.provider_team in self.customer_teams:
            raise ValueError("the provider team cannot be its own customer")
        return self


class ServiceUpdate(Patch):
    name: Name | None = None
    description: str | None = Field(None, max_length=5000)
    customer_teams: list[Slug] | None = Field(None, max_length=200, json_schema_extra={"uniqueItems": True})

    _unique_customers = field_validator("customer_teams")(lambda v: v if v is None else _unique(v))


class ServiceRead(Output):
    slug: str
    name: str
    description: str
    provider_team: str
    customer_teams: list[str]
    created_at: datetime
    updated_at: datetime


class ServiceMapEdge(Output):
    provider: str
    customer: str
    services: list[str]
    open_ideas: int = Field(description="Ideas not yet done, declined or duplicate that name one of these services.")


class ServiceMapTeam(Output):
    slug: str
    name: str


class ServiceMap(Output):
    teams: list[ServiceMapTeam]
    edges: list[ServiceMapEdge]


class ServiceName(Named):
    provider_team: str
