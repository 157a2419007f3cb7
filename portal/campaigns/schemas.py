from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AwareDatetime, Field, field_validator, model_validator

from portal.ideas.schemas import ConcernedTeam
from portal.schemas import Input, Output, Query, Slug, Trimmed, refusal

Phase = Literal["collect", "vote", "decide", "closed"]
# An RFC 3339 date-time with its offset, as sent in JSON.
Deadline = Annotated[AwareDatetime, Field(strict=False)]


class CampaignCreate(Input):
    slug: Slug
    question: Annotated[str, Trimmed(min_length=5, max_length=300)] = Field(
        description='What the campaign asks, e.g. "How do we cut new-hire laptop set-up to one day?"'
    )
    description: Annotated[str, Trimmed(max_length=5000)] = ""
    team: Slug | None = Field(None, description="The team that runs it (its leads may); omitted: the admins.")
    services: list[Slug] = Field(
        default_factory=list, max_length=20, description="Services it concerns; ideas posted into it concern them too."
    )
    teams: list[ConcernedTeam] = Field(
        default_factory=list, max_length=20, description="Teams it concerns; ideas posted into it reach them too."
    )
    collect_until: Deadline = Field(description="Ideas are posted until then.")
    vote_until: Deadline = Field(description="Then ideas are voted on, until this.")
    decide_until: Deadline = Field(description="Then the teams decide, until this; then it is closed.")
    vote_budget: int | None = Field(
        None, ge=1, le=100, description="Votes each employee may cast in it; omitted: no limit."
    )

    _services = field_validator("services")(lambda v: list(dict.fromkeys(v)))

    @model_validator(mode="after")
    def _phases_in_order(self) -> Self:
        if not self.collect_until < self.vote_until < self.decide_until:
            raise refusal(
                "deadline_order", "the deadlines must come in order: collect_until < vote_until < decide_until"
            )
        return self


class CampaignQuery(Query):
    phase: Phase | None = Field(None, description="Only campaigns in this phase now.")


class CampaignRead(Output):
    slug: str
    question: str
    description: str
    team: str | None
    services: list[str]
    teams: list[dict[str, str]]
    collect_until: datetime
    vote_until: datetime
    decide_until: datetime
    vote_budget: int | None
    phase: Phase = Field(description="The phase now, by its deadlines.")
    idea_count: int
    votes_left: int | None = Field(description="The caller's votes left in it; null: no budget (or an API token).")
    results: dict[str, Any] | None = Field(
        description="Compiled when voting ends and again when it closes: the ideas by votes, voters, votes."
    )
    results_compiled_at: datetime | None
    created_at: datetime
