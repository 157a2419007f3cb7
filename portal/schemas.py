"""Building blocks shared by the domain schemas."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
Email = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=254, pattern=EMAIL_PATTERN)]
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# A team's part in an idea: the provider asked to change something, or a customer it would serve better.
Role = Literal["provider", "customer"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Input(BaseModel):
    """A request body: unknown fields are an error, not silently dropped, and values must have
    their JSON type (no `true` taken as 1, no "5" taken as 5)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Query(BaseModel):
    """Query parameters: unknown ones (cache busters and the like) are ignored."""

    model_config = ConfigDict(extra="ignore")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(Output):
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null at the end.")


class Named(Output):
    """Something people choose from a list: its slug and its name."""

    slug: str
    name: str
