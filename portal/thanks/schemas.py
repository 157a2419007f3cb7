from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import Field, model_validator

from portal.schemas import Email, Id, Input, Output, Page, Query, Slug, Trimmed, refusal

Message = Annotated[str, Trimmed(min_length=1, max_length=500)]


class ThanksCreate(Input):
    """Thank a team (to_team) or a colleague (to_employee), optionally for an idea or a service."""

    to_team: Slug | None = None
    to_employee: Email | None = Field(None, description="The colleague's email address.")
    message: Message
    idea_id: Id | None = Field(None, description="The idea the thanks is for, if any.")
    service: Slug | None = Field(None, description="The service the thanks is for, if any.")
    public: bool = Field(True, description="Public to the company, or private to the recipient.")

    @model_validator(mode="after")
    def _one_recipient(self) -> Self:
        if (self.to_team is None) == (self.to_employee is None):
            raise refusal("thanks_recipient", "thank either a team (to_team) or a colleague (to_employee), not both")
        return self


class ThanksQuery(Query):
    team: Slug | None = Field(None, description="Thanks received by this team.")
    employee: Email | None = Field(None, description="Thanks received by this colleague.")
    idea_id: Id | None = None
    cursor: str | None = Field(None, pattern=r"^[0-9]{1,19}$")
    limit: int = Field(20, ge=1, le=100)


class ThanksRead(Output):
    id: int
    from_name: str = Field(description="Who thanked.")
    from_team: str | None
    to_team: str | None
    to_team_name: str | None
    to_employee: str | None = Field(description="The thanked colleague's name.")
    message: str
    idea_id: int | None
    idea_title: str | None
    service: str | None
    public: bool
    created_at: datetime


class ThanksPage(Page):
    items: list[ThanksRead]
