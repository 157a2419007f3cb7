"""The scorecard pages: a team's month with its trend drawn as SVG, and every team side by side
for admins."""

from __future__ import annotations

from aiohttp import web

from portal.errors import NotFound
from portal.http.view import View
from portal.scorecards import service
from portal.scorecards.schemas import Scorecard, ScorecardQuery
from portal.teams import service as teams

CHART_WIDTH, CHART_HEIGHT, PADDING = 480, 120, 24


def adherence_chart(card: Scorecard) -> dict[str, object]:
    """Points of the SLA-adherence line, oldest month first, in an SVG box (months without a
    measure are left out)."""
    values = [(point.period, point.sla_adherence) for point in reversed(card.trend)]
    values.append((card.period, card.measures.sla_adherence))
    step = (CHART_WIDTH - 2 * PADDING) / max(1, len(values) - 1)
    points = [
        (PADDING + i * step, CHART_HEIGHT - PADDING - value * (CHART_HEIGHT - 2 * PADDING), period, value)
        for i, (period, value) in enumerate(values)
        if value is not None
    ]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "line": " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points),
        "points": points,
        "top": PADDING,
        "bottom": CHART_HEIGHT - PADDING,
    }


async def team_scorecard_page(view: View) -> web.Response:
    query, _ = view.validate(ScorecardQuery, {"period": view.request.query.get("period") or None})
    if query is None:
        raise NotFound("there is no such month")
    card = await service.team_scorecard(view.conn, slug=view.path["slug"], period=query.period)
    team = await teams.get_team(view.conn, slug=view.path["slug"])
    return await view.render(
        "scorecards/team.html", card=card, chart=adherence_chart(card), slug=view.path["slug"], team=team
    )


async def admin_scorecards(view: View) -> web.Response:
    query, _ = view.validate(ScorecardQuery, {"period": view.request.query.get("period") or None})
    if query is None:
        raise NotFound("there is no such month")
    cards = await service.company_scorecards(view.conn, view.caller, period=query.period)
    return await view.render("scorecards/company.html", cards=cards, period=query.period or "")


async def admin_scorecards_csv(view: View) -> web.Response:
    """The same CSV as GET /api/v1/scorecards.csv, under the admin's session (a browser has no token)."""
    query, _ = view.validate(ScorecardQuery, {"period": view.request.query.get("period") or None})
    if query is None:
        raise NotFound("there is no such month")
    return web.Response(
        text=await service.company_csv(view.conn, view.caller, period=query.period),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="scorecards-{query.period or "current"}.csv"'},
    )
