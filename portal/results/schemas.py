from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from portal.schemas import Output


class TeamTally(Output):
    team: str | None = Field(description="The voters' team; null for employees without a team.")
    votes: int


class RoleTally(Output):
    provider: int = Field(description="Votes from the provider teams the idea is routed to.")
    customer: int = Field(description="Votes from the customer teams the idea is routed to.")
    other: int = Field(description="Votes from everyone else.")


class IdeaResults(Output):
    idea_id: int
    vote_count: int
    by_team: list[TeamTally]
    by_role: RoleTally
    compiled_at: datetime | None = Field(description="null until the workers first compile this idea.")


class DigestRead(Output):
    id: int
    team: str
    period_start: datetime
    period_end: datetime
    compiled_at: datetime
    content: dict[str, Any]
