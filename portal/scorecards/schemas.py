from __future__ import annotations

from datetime import datetime

from pydantic import Field

from portal.schemas import Output, Query

PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


class ScorecardQuery(Query):
    period: str | None = Field(
        None, pattern=PERIOD_PATTERN, description="A calendar month (UTC), YYYY-MM; default: the current one."
    )


class CustomerTeamPulse(Output):
    team: str
    answers: int
    csat: float
    ces: float


class Measures(Output):
    routed: int = Field(description="Ideas routed to the provider in the period.")
    measured: int = Field(description="Of them, those answered or past due: the base of sla_adherence.")
    answered_in_time: int
    sla_adherence: float | None = Field(description="Share answered within the service standard (or the team's time).")
    median_first_response_hours: float | None
    median_decision_hours: float | None
    accepted: int
    planned: int
    declined: int
    done: int
    thanks_received: int
    csat: float | None = Field(
        None, description="Satisfaction 1-5 from pulse rounds closed in the period (null: none with enough answers)."
    )
    ces: float | None = Field(None, description="Ease 1-5 from the same rounds.")
    solved_rate: float | None = Field(
        None, description='Share of "yes" to "did this solve it?" in rounds closed in the period.'
    )
    csat_distribution: list[int] | None = Field(None, description="Answers scoring 1 to 5.")
    ces_distribution: list[int] | None = Field(None, description="Answers scoring 1 to 5.")
    by_customer_team: list[CustomerTeamPulse] = Field(
        default_factory=list, description="Per customer team, only from rounds where its group was large enough."
    )


class Scorecard(Output):
    team: str
    service: str | None = Field(description="null: the team as a whole.")
    period: str
    compiled_at: datetime | None = Field(description="null: not compiled yet (all zeros).")
    measures: Measures
    trend: list[TrendPoint] = Field(description="The same measures in earlier periods, newest first (up to 12).")


class TrendPoint(Output):
    period: str
    sla_adherence: float | None
    median_first_response_hours: float | None
    routed: int
    done: int


Scorecard.model_rebuild()
