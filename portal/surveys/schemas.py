from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from portal.schemas import Input, Output, Trimmed, refusal

Text = Annotated[str, Trimmed(max_length=2000)]


class PulseSchedule(Input):
    every_days: int | None = Field(
        description="Open a pulse round this often (7-366 days); null: no schedule.", ge=7, le=366
    )
    open_days: int = Field(14, ge=1, le=90, description="How long each round takes answers.")


class RoundOpen(Input):
    open_days: int = Field(14, ge=1, le=90)


class AnswerWrite(Input):
    """A pulse answer (csat and ces, and optionally the one improvement) or a "did this solve it?"
    answer (solved, and optionally a comment), as the round asks."""

    csat: int | None = Field(None, ge=1, le=5, description="How satisfied, 1 (not at all) to 5 (very).")
    ces: int | None = Field(
        None, ge=1, le=5, description="How easy it was to get what you needed, 1 (hard) to 5 (easy)."
    )
    improvement: Text = Field("", description="The one improvement that matters most.")
    solved: Literal["yes", "partly", "no"] | None = None
    comment: Text = ""

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        pulse = self.csat is not None or self.ces is not None
        if pulse and (self.csat is None or self.ces is None):
            raise refusal("pulse_incomplete", "a pulse answer gives both csat and ces")
        if pulse == (self.solved is not None):
            raise refusal("survey_kind", "answer either the pulse (csat, ces) or whether it was solved (solved)")
        return self


class MyAnswer(Output):
    csat: int | None
    ces: int | None
    improvement: str | None
    solved: str | None
    comment: str | None


class RoundRead(Output):
    id: int
    kind: Literal["pulse", "solved"]
    service: str | None
    idea_id: int | None
    idea_title: str | None
    opened_at: datetime
    closes_at: datetime
    closed: bool
    results: dict[str, Any] | None = Field(
        description="Once closed: counts, means and distributions, and the free text without names, for the "
        "round and each customer team, leaving out every group of fewer answers than the minimum."
    )


class MySurvey(RoundRead):
    my_answer: MyAnswer | None
