from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from portal.moderation.schemas import HiddenNote
from portal.schemas import TAG_PATTERN, Email, Id, Input, Output, Page, Patch, Query, Role, Slug, Trimmed, refusal
from portal.workflow import Status

# `<as of>_<score>_<idea id>`: see portal.ideas.listing.
CURSOR_PATTERN = r"^[0-9]{1,17}_[0-9]{1,19}_[0-9]{1,19}_[0-9]{1,19}$"

Tag = Annotated[
    str,
    StringConstraints(
        to_lower=True,
        min_length=1,
        max_length=40,
        pattern=TAG_PATTERN,
    ),
]
Title = Annotated[str, Trimmed(min_length=5, max_length=200)]
Body = Annotated[str, StringConstraints(max_length=20000)]


class ConcernedTeam(Input):
    team: Slug
    role: Role


def _distinct_tags(tags: list[str] | None) -> list[str] | None:
    return None if tags is None else list(dict.fromkeys(tags))


def _distinct_teams(teams: list[ConcernedTeam] | None) -> list[ConcernedTeam] | None:
    if teams is not None and len({t.team for t in teams}) != len(teams):
        raise ValueError("name each team once")
    return teams


class IdeaCreate(Input):
    title: Title
    body: Body = ""
    tags: list[Tag] = Field(default_factory=list, max_length=10)
    services: list[Slug] = Field(
        default_factory=list, max_length=20, description="Slugs of the services the idea concerns."
    )
    teams: list[ConcernedTeam] = Field(
        default_factory=list,
        max_length=20,
        description="Teams the idea concerns, with their role; each team once.",
        json_schema_extra={"uniqueItems": True},
    )

    campaign: Slug | None = Field(
        None, description="Post into this campaign (only while it collects ideas); its services and teams are added."
    )

    _tags = field_validator("tags")(_distinct_tags)
    _teams = field_validator("teams")(_distinct_teams)
    _services = field_validator("services")(lambda v: list(dict.fromkeys(v)))


class IdeaUpdate(Patch):
    title: Title | None = None
    body: Body | None = None
    tags: list[Tag] | None = Field(None, max_length=10)
    services: list[Slug] | None = Field(None, max_length=20)
    teams: list[ConcernedTeam] | None = Field(None, max_length=20, json_schema_extra={"uniqueItems": True})

    _tags = field_validator("tags")(_distinct_tags)
    _teams = field_validator("teams")(_distinct_teams)
    _services = field_validator("services")(lambda v: v if v is None else list(dict.fromkeys(v)))


class StatusChange(Input):
    status: Status
    reason: Annotated[str, Trimmed(min_length=1, max_length=2000)]
    duplicate_of: Id | None = None

    @model_validator(mode="after")
    def _duplicate_needs_target(self) -> StatusChange:
        if (self.status == "duplicate") != (self.duplicate_of is not None):
            raise refusal("duplicate_target", "duplicate_of is required with status 'duplicate', and only then")
        return self


FORMER = "True once the employee has left the company; what they wrote stays."


class Author(Output):
    id: int
    name: str
    team: str | None
    former: bool = Field(description=FORMER)


class TeamRole(Output):
    team: str
    role: Role


class StatusChangeRead(Output):
    from_status: str
    to_status: str
    reason: str
    changed_by: str | None = Field(description="Who changed it; null when no person did (a survey round).")
    survey_round_id: int | None = Field(
        description="The 'did this solve it?' round whose answers reopened the idea, when a survey did."
    )
    changed_at: datetime


class IdeaRead(Output):
    id: int
    title: str
    body: str
    tags: list[str]
    status: Status
    duplicate_of: int | None
    vote_count: int
    voted: bool = Field(description="Whether the caller has voted for it.")
    comment_count: int
    attachment_count: int = Field(0, description="Images and files on the idea itself (not its comments).")
    author: Author
    services: list[str]
    teams: list[TeamRole]
    campaign: str | None = Field(description="The campaign it was posted into, if any.")
    outcome_note: str | None = Field(description="Once done: what its provider changed, and what it saved.")
    created_at: datetime
    updated_at: datetime
    edited_at: datetime | None = Field(None, description="When its title, text or tags were last edited (its history).")
    hidden: bool = Field(False, description="Hidden by a moderator: only its author and the moderators see it.")


class IdeaDetail(IdeaRead):
    status_history: list[StatusChangeRead]
    moderation: HiddenNote | None = Field(None, description="Why it is hidden (for its author and the moderators).")


class IdeaPage(Page):
    items: list[IdeaRead]


SortOrder = Literal["top", "new", "trending", "relevance"]


class IdeaQuery(Query):
    status: Status | None = None
    team: Slug | None = None
    service: Slug | None = None
    tag: Tag | None = None
    author: Email | None = Field(None, description="The author's email.")
    q: Annotated[str, Trimmed(min_length=1, max_length=200)] | None = Field(
        None, description="Words to find in the title, body and tags (English or Japanese)."
    )
    sort: SortOrder | None = Field(
        None, description="Default: relevance when q is given, otherwise new. relevance without q is new."
    )
    campaign: Slug | None = Field(None, description="Only ideas posted into this campaign.")
    mine: bool = Field(False, description="Only the caller's own ideas.")
    voted: bool = Field(False, description="Only ideas the caller has voted for.")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(
        None,
        max_length=80,
        pattern=CURSOR_PATTERN,
        description="A `next_cursor`, with the same sort and filters (for `top` and `trending`, within a day).",
    )

    @property
    def order(self) -> SortOrder:
        """The sort in effect: the one asked for, else relevance when q is given, else new.
        Relevance without q has nothing to rank by, so it is new (as the web client's search box
        cleared keeps its order)."""
        order = self.sort or ("relevance" if self.q else "new")
        return "new" if order == "relevance" and not self.q else order


class SimilarQuery(Query):
    title: Annotated[str, Trimmed(min_length=3, max_length=200)] = Field(
        description="What is being typed as a new idea's title."
    )
    limit: int = Field(5, ge=1, le=10)


class SimilarIdea(Output):
    """An existing idea like the one being posted: vote for it rather than post it twice."""

    id: int
    title: str
    status: Status
    vote_count: int


class VersionRead(Output):
    version: int = Field(description="1 is the text as first posted; the last is the current one.")
    title: str | None = Field(description="An idea's title (null for a comment).")
    body: str
    tags: list[str]
    written_at: datetime
    written_by: str | None = Field(description="Who wrote this version: the author, or whoever edited it.")
