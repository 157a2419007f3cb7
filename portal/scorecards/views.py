from __future__ import annotations

from aiohttp import web

from portal.http.call import Call
from portal.scorecards import service
from portal.scorecards.schemas import Scorecard


async def team_scorecard(call: Call) -> Scorecard:
    return await service.team_scorecard(call.conn, slug=call.path["slug"], period=call.query.period)


async def service_scorecard(call: Call) -> Scorecard:
    return await service.service_scorecard(call.conn, slug=call.path["slug"], period=call.query.period)


async def company_scorecards(call: Call) -> list[Scorecard]:
    return await service.company_scorecards(call.conn, call.caller, period=call.query.period)


async def company_csv(call: Call) -> web.Response:
    text = await service.company_csv(call.conn, call.caller, period=call.query.period)
    return web.Response(
        text=text,
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="scorecards-{call.query.period or "current"}.csv"'},
    )
