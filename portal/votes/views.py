from __future__ import annotations

from aiohttp import web

from portal.db import unit_of_work
from portal.votes import service
from portal.web.guard import caller_of
from portal.web.http import json_response, path_int
from portal.web.keys import POOL


async def cast_vote(request: web.Request) -> web.Response:
    idea_id = path_int(request, "idea_id")
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.cast_vote(conn, caller_of(request), idea_id=idea_id))


async def withdraw_vote(request: web.Request) -> web.Response:
    idea_id = path_int(request, "idea_id")
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.withdraw_vote(conn, caller_of(request), idea_id=idea_id))
