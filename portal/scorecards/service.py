"""Scorecards: how each provider team, and each service, serves its internal customers, per
calendar month (UTC), compiled by the worker (a request reads a stored row).

Measured now: ideas routed, the share answered within the service standard in force when routed
(else the team's response time), median hours to a first answer and to a decision, decisions,
ideas done, thanks received. Satisfaction, effort and "did this solve it?" need the surveys, which
are not built yet: they read null.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from portal.auth.caller import Caller
from portal.db import Connection
from portal.errors import NotFound
from portal.events import outbox
from portal.lookups import team_id_by_slug
from portal.scorecards import queries as q
from portal.scorecards.schemas import Measures, Scorecard, TrendPoint

EMPTY: dict[str, Any] = {
    "routed": 0, "measured": 0, "answered_in_time": 0, "median_first_response_hours": None,
    "median_decision_hours": None, "accepted": 0, "planned": 0, "declined": 0, "done": 0, "thanks_received": 0,
}  # fmt: skip


SERVICE = """
SELECT s.id, t.id AS team_id, t.slug AS team FROM services s JOIN teams t ON t.id = s.provider_team_id WHERE s.slug = $1
"""


def period_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def bounds(period: str) -> tuple[datetime, datetime]:
    year, month = (int(part) for part in period.split("-"))
    start = datetime(year, month, 1, tzinfo=UTC)
    stop = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return start, stop


async def compile_period(conn: Connection, period: str) -> int:
    """Compiles every provider team's and service's scorecard for the period; answers how many."""
    start, stop = bounds(period)
    cards: dict[tuple[int, int | None], dict[str, Any]] = {
        (row["team_id"], row["service_id"]): dict(EMPTY) for row in await conn.fetch(q.SCOPES)
    }
    for query in (q.ROUTED, q.DECIDED, q.DONE, q.THANKS):
        for row in await conn.fetch(query, start, stop):
            values = dict(row)
            key = (values.pop("team_id"), values.pop("service_id"))
            cards.setdefault(key, dict(EMPTY)).update(values)
    await _add_surveys(conn, cards, start, stop)
    for content in cards.values():
        measured = content["measured"]
        content["sla_adherence"] = round(content["answered_in_time"] / measured, 4) if measured else None
    keys = list(cards)
    await conn.execute(
        q.SAVE,
        [team for team, _ in keys],
        [service for _, service in keys],
        [period] * len(keys),
        [cards[key] for key in keys],
    )
    await outbox.record(conn, "scorecard.compiled", f"scorecards/{period}", {"period": period, "scorecards": len(keys)})
    return len(keys)


class _Pulse:
    """Pulse results added up over rounds: answers, sums and distributions (of groups already
    shown, so every part is at least the minimum)."""

    def __init__(self) -> None:
        self.answers = 0
        self.sums = {"csat": 0.0, "ces": 0.0}
        self.distributions = {"csat": [0] * 5, "ces": [0] * 5}

    def add(self, figures: dict[str, Any]) -> None:
        self.answers += figures["answers"]
        for scale in ("csat", "ces"):
            self.sums[scale] += figures[scale]["mean"] * figures["answers"]
            distribution = figures[scale].get("distribution") or [0] * 5
            self.distributions[scale] = [a + b for a, b in zip(self.distributions[scale], distribution, strict=True)]

    def mean(self, scale: str) -> float:
        return round(self.sums[scale] / self.answers, 2)


async def _add_surveys(conn: Connection, cards: dict, start: datetime, stop: datetime) -> None:
    """CSAT and CES (means weighted by answers, distributions, and by customer team where every
    round shown for it had enough answers) and the solved rate, from rounds that closed in the
    period with enough answers to show."""
    pulses: dict[tuple[int, int | None], _Pulse] = {}
    teams: dict[tuple[int, int | None], dict[str, _Pulse]] = {}
    solved: dict[tuple[int, int | None], list[int]] = {}
    for row in await conn.fetch(q.SURVEYS, start, stop):
        results = row["results"]
        keys = [(row["team_id"], None)] + ([(row["team_id"], row["service_id"])] if row["service_id"] else [])
        for key in keys:
            if row["kind"] == "pulse":
                pulses.setdefault(key, _Pulse()).add(results)
                for group in results.get("by_team", []):
                    teams.setdefault(key, {}).setdefault(group["team"], _Pulse()).add(group)
            else:
                total = solved.setdefault(key, [0, 0])
                total[0] += results["answers"]
                total[1] += results["yes"]
    for key, pulse in pulses.items():
        card = cards.setdefault(key, dict(EMPTY))
        card.update(
            csat=pulse.mean("csat"),
            ces=pulse.mean("ces"),
            csat_distribution=pulse.distributions["csat"],
            ces_distribution=pulse.distributions["ces"],
            by_customer_team=[
                {"team": team, "answers": group.answers, "csat": group.mean("csat"), "ces": group.mean("ces")}
                for team, group in sorted(teams.get(key, {}).items())
            ],
        )
    for key, (answers, yes) in solved.items():
        cards.setdefault(key, dict(EMPTY))["solved_rate"] = round(yes / answers, 4)


def _card(row: Any, trend: list[Any]) -> Scorecard:
    return Scorecard(
        team=row["team"],
        service=row["service"],
        period=row["period"],
        compiled_at=row["compiled_at"],
        measures=Measures.model_validate({**EMPTY, "sla_adherence": None, **row["content"]}),
        trend=[
            TrendPoint.model_validate({"period": t["period"], **{**EMPTY, "sla_adherence": None, **t["content"]}})
            for t in trend
        ],
    )


def _empty(team: str, service: str | None, period: str) -> Scorecard:
    """A scorecard not compiled yet: nothing measured."""
    measures = Measures.model_validate({**EMPTY, "sla_adherence": None})
    return Scorecard(team=team, service=service, period=period, compiled_at=None, measures=measures, trend=[])


async def _read(conn: Connection, period: str, team_id: int | None, service_id: int | None) -> list[Scorecard]:
    cards = []
    for row in await conn.fetch(q.READ, period, team_id, service_id):
        trend = await conn.fetch(q.TREND, row["team_id"], row["service_id"], period)
        cards.append(_card(row, trend))
    return cards


async def _period(conn: Connection, period: str | None) -> str:
    return period or period_of(await conn.fetchval("SELECT now()"))


COMPARED = (
    "routed",
    "sla_adherence",
    "median_first_response_hours",
    "done",
    "thanks_received",
    "csat",
    "ces",
    "solved_rate",
)
TEAM_CARD = "SELECT content FROM scorecards WHERE team_id = $1 AND service_id IS NULL AND period = $2"


async def change_since_last_period(conn: Connection, *, team_id: int, at: datetime) -> dict[str, Any] | None:
    """For the lead's digest: the team's scorecard this month beside last month's, measure by
    measure (as last compiled); None before any was compiled."""
    period = period_of(at)
    previous = period_of(bounds(period)[0] - timedelta(days=1))
    now = await conn.fetchval(TEAM_CARD, team_id, period)
    before = await conn.fetchval(TEAM_CARD, team_id, previous)
    if now is None:
        return None
    return {
        "period": period,
        "previous_period": previous,
        "measures": [
            {"measure": name, "now": now.get(name), "before": before.get(name) if before else None} for name in COMPARED
        ],
    }


async def team_scorecard(conn: Connection, *, slug: str, period: str | None) -> Scorecard:
    period = await _period(conn, period)
    team_id = await team_id_by_slug(conn, slug)
    found = await _read(conn, period, team_id, None)
    if found:
        return found[0]
    return Scorecard(
        team=slug,
        service=None,
        period=period,
        compiled_at=None,
        measures=Measures(**EMPTY, sla_adherence=None),
        trend=[],
    )


async def service_scorecard(conn: Connection, *, slug: str, period: str | None) -> Scorecard:

    period = await _period(conn, period)
    service = await conn.fetchrow(
        "SELECT s.id, t.id AS team_id, t.slug AS team FROM services s JOIN teams t ON t.id = s.provider_team_id WHERE s.slug = $1",
        slug,
    )
    if service is None:
        raise NotFound(f"no service {slug!r}")
    found = await _read(conn, period, service["team_id"], service["id"])
    if found:
        return found[0]
    return Scorecard(
        team=service["team"],
        service=slug,
        period=period,
        compiled_at=None,
        measures=Measures(**EMPTY, sla_adherence=None),
        trend=[],
    )


async def company_scorecards(conn: Connection, caller: Caller, *, period: str | None) -> list[Scorecard]:
    """Every provider team side by side (admins)."""
    caller.require_admin()
    return await _read(conn, await _period(conn, period), None, None)


CSV_COLUMNS = ["team", "service", "period", *EMPTY, "sla_adherence", "csat", "ces", "solved_rate"]


async def company_csv(conn: Connection, caller: Caller, *, period: str | None) -> str:
    """Every team's and service's scorecard for the period, one row each (admins)."""
    caller.require_admin()
    period = await _period(conn, period)
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    rows = await conn.fetch(
        "SELECT t.slug AS team, s.slug AS service, c.period, c.content FROM scorecards c "
        "JOIN teams t ON t.id = c.team_id LEFT JOIN services s ON s.id = c.service_id "
        "WHERE c.period = $1 ORDER BY t.slug, s.slug NULLS FIRST",
        period,
    )
    for row in rows:
        writer.writerow(
            {"team": row["team"], "service": row["service"] or "", "period": row["period"], **row["content"]}
        )
    return out.getvalue()
