from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import Field, StringConstraints, WithJsonSchema, field_validator

from portal.schemas import TO_WHOLE, Email, Input, Name, Output, Patch, Query, Slug

Locale = Literal["en", "ja"]
# The zones an employee may choose, declared as an enum so a client (and a fuzzer) knows them:
# "Area/Location" names and UTC. Not aliases such as Etc/GMT+9, GMT0 or US/Pacific: client
# generators turn "GMT+0" and "GMT-0" into the same constant, and people look for their city.
LISTED_TIME_ZONES = sorted(
    zone for zone in available_timezones() if ("/" in zone and not zone.startswith(("Etc/", "US/"))) or zone == "UTC"
)
CHOOSABLE = frozenset(LISTED_TIME_ZONES)
TimeZone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    WithJsonSchema({"type": "string", "enum": LISTED_TIME_ZONES}),
]


SlaHours = Annotated[int, Field(ge=1, le=8760, description="How soon leads should answer a routed idea."), TO_WHOLE]


class TeamCreate(Input):
    slug: Slug
    name: Name
    response_sla_hours: SlaHours = 72


class TeamUpdate(Patch):
    name: Name | None = None
    response_sla_hours: SlaHours | None = None


class EmployeeSummary(Output):
    id: int
    email: str
    name: str


Directory = Literal["scim", "import"]
DIRECTORY = (
    "Who keeps this record: `scim` the identity provider, `import` the org file; null the portal itself. "
    "What the directory keeps cannot be changed by hand."
)


class TeamRead(Output):
    slug: str
    name: str
    response_sla_hours: int
    leads: list[EmployeeSummary]
    member_count: int = Field(description="Active employees whose team this is.")
    directory: Directory | None = Field(description=DIRECTORY)
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
    active: bool = Field(description="False once the employee has left: they cannot sign in and hear nothing.")
    directory: Directory | None = Field(description=DIRECTORY)
    lead_of: list[str]
    signed_in: bool
    locale: Locale | None = Field(description="The language chosen for the web client and emails; null: the browser's.")
    time_zone: str | None = Field(description="IANA time zone for dates; null: the portal's default.")
    created_at: datetime


def _time_zone(value: str | None) -> str | None:
    if value is not None and value not in CHOOSABLE:
        raise ValueError("must be an IANA time zone such as Asia/Tokyo (a city's, or UTC)")
    return value


class Preferences(Patch):
    """Send a field to change it; null clears it (back to the default)."""

    NULLABLE = frozenset({"locale", "time_zone"})
    locale: Locale | None = None
    time_zone: TimeZone | None = None

    _zone = field_validator("time_zone")(_time_zone)


class EmployeeQuery(Query):
    team: Slug | None = None
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = Field(
        None,
        description="Active people with a word of their name or address starting with each word of this "
        "(`tana ai`, `山田`), by name; at most `limit`.",
    )
    limit: Annotated[int, Field(ge=1, le=100), TO_WHOLE] = 20
