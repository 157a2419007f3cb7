from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from portal.ideas.schemas import ConcernedTeam
from portal.schemas import Input, Output, Query, Role, Slug, Trimmed, refusal

RoutingState = Literal["pending", "acknowledged", "accepted", "declined", "planned", "withdrawn"]
Decision = Literal["acknowledged", "accepted", "declined", "planned"]


class RoutingRuleCreate(Input):
    match_kind: Literal["tag", "keyword"]
    pattern: Annotated[str, Trimmed(min_length=1, max_length=100, lower=True)]
    team: Slug
    role: Role


class RoutingRuleRead(Output):
    id: int
    match_kind: str
    pattern: str
    team: str
    role: Role
    created_at: datetime


class IdeaSummary(Output):
    id: int
    title: str
    status: str
    vote_count: int


class RoutingStandard(Output):
    service: str
    version: int
    first_response_hours: int


class RoutingRead(Output):
    idea_id: int
    team: str
    role: Role
    state: RoutingState
    routed_at: datetime
    due_at: datetime
    overdue: bool
    responded_at: datetime | None
    responded_by: str | None
    message: str | None
    position: Literal["confirmed", "disputed"] | None = Field(
        description="A customer team's position on the provider's decision; null: none (yet)."
    )
    position_reason: str | None
    position_asked: Literal["accepted", "planned", "declined", "done"] | None = Field(
        description="What the customer team was asked to confirm: the provider's decision, or that it is done."
    )
    position_due_at: datetime | None
    positioned_at: datetime | None
    standard: RoutingStandard | None = Field(
        description="The service standard (its version) this routing was due under; null: the team's response time."
    )


class InboxItem(RoutingRead):
    idea: IdeaSummary


class InboxQuery(Query):
    role: Role | None = None
    state: RoutingState | None = None
    overdue: bool | None = None
    sort: Literal["support", "due"] = Field(
        "support", description="support: most votes first; due: overdue, then pending by due time, first."
    )
    limit: int = Field(100, ge=1, le=500)


class ReachedTeam(Output):
    team: str
    name: str
    role: Role


class RoutingPreview(Input):
    """What an idea would concern, to see which teams it would reach before posting it."""

    title: str = Field("", max_length=200)
    body: str = Field("", max_length=20000)
    tags: list[str] = Field(default_factory=list, max_length=10)
    services: list[Slug] = Field(default_factory=list, max_length=20)
    teams: list[ConcernedTeam] = Field(default_factory=list, max_length=20)


def _reason_for(choice: str, needing: str, kind: str, message: str) -> Callable[[str, ValidationInfo], str]:
    """A validator of a text that `choice` being `needing` makes required (refused as `kind`)."""

    def check(reason: str, info: ValidationInfo) -> str:
        if info.data.get(choice) == needing and not reason:
            raise refusal(kind, message)
        return reason

    return check


class RoutingResponse(Input):
    """A provider or customer team's answer; a decline needs its reason."""

    decision: Decision
    message: Annotated[str, Trimmed(max_length=5000)] = Field("", validate_default=True)

    _decline_says_why = field_validator("message")(
        _reason_for(
            "decision", "declined", "decline_reason", "a decline needs a reason (a message to the author and voters)"
        )
    )


class PositionWrite(Input):
    """A customer team's position on the provider's decision; a dispute needs its reason."""

    position: Literal["confirmed", "disputed"]
    reason: Annotated[str, Trimmed(max_length=2000)] = Field("", validate_default=True)

    _dispute_says_why = field_validator("reason")(
        _reason_for(
            "position", "disputed", "dispute_reason", "a dispute needs a reason (what the provider's answer misses)"
        )
    )
