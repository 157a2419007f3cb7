from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from portal.schemas import Input, Output, Query, Trimmed, refusal

Kind = Literal["idea", "comment", "thanks"]
Reason = Literal["rude", "personal_data", "off_topic", "other"]
State = Literal["reported", "hidden", "dismissed", "restored"]


class ReportCreate(Input):
    reason: Reason = Field(description="rude, personal_data (someone's private data), off_topic, or other (say what).")
    note: Annotated[str, Trimmed(min_length=1, max_length=1000)] | None = Field(
        None, description="What is wrong; needed when the reason is other."
    )

    @model_validator(mode="after")
    def _other_says_what(self) -> Self:
        if self.reason == "other" and not self.note:
            raise refusal("report_note", "say what is wrong (note) when the reason is other")
        return self


class ReportRead(Output):
    kind: Kind
    item_id: int
    reason: Reason
    created_at: datetime


class HideWrite(Input):
    reason: Annotated[str, Trimmed(min_length=1, max_length=1000)] = Field(
        description="Why it is hidden: its author reads this."
    )


class CaseQuery(Query):
    state: Literal["waiting", "hidden", "all"] = Field(
        "waiting", description="waiting: reported, or hidden and waiting for a review; hidden; or every case."
    )
    sort: Literal["oldest", "most_reported"] = "oldest"
    limit: int = Field(50, ge=1, le=200)


class CaseRead(Output):
    id: int
    kind: Kind
    item_id: int
    idea_id: int | None
    state: State
    reports: int
    reasons: dict[str, int] = Field(description="How many reports gave each reason (never who).")
    notes: list[str] = Field(description="What reporters wrote, without their names.")
    excerpt: str = Field(description="The start of the reported text.")
    author: str
    first_reported_at: datetime
    hidden_reason: str | None
    auto_hidden: bool = Field(description="Hidden by the number of reports, waiting for a moderator.")
    review_requested_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    waiting: bool


class HiddenNote(Output):
    """Why an item is hidden, for its author and the moderators."""

    case_id: int
    reason: str
    review_requested: bool
