from __future__ import annotations

from aiohttp import web

from portal.http.call import Call
from portal.scorecards import service
from portal.scorecards.schemas import Scorecard, ScorecardQuery


async def team_scorecard(call: Call, query: ScorecardQuery) -> Scorecard:
    """A provider team's scorecard for a month, with its trend (compiled by the worker)"""
    return await service.team_scorecard(call.conn, slug=call.path["slug"], period=query.period)


async def service_scorecard(call: Call, query: ScorecardQuery) -> Scorecard:
    """A service's scorecard for a month, with its trend"""
    return await service.service_scorecard(call.conn, slug=call.path["slug"], period=query.period)


async def company_scorecards(call: Call, query: ScorecardQuery) -> list[Scorecard]:
    """Every provider team's scorecard side by side (admins)"""
    return await service.company_scorecards(call.conn, call.caller, period=query.period)


async def company_csv(call: Call, query: ScorecardQuery) -> web.Response:
    """Every team's and service's scorecard for a month as CSV (admins)"""
    text = await service.company_csv(call.conn, call.caller, period=query.period)
    return web.Response(
        text=text,
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="scorecards-{query.period or "current"}.csv"'},
    )
