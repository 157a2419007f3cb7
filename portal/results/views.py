from __future__ import annotations

from aiohttp import web

from portal.db import unit_of_work
from portal.results import service
from portal.web.guard import caller_of
from portal.web.http import json_response, path_int
from portal.web.keys import POOL, SETTINGS


async def idea_results(request: web.Request) -> web.Response:
    idea_id = path_int(request, "idea_id")
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.get_results(conn, idea_id=idea_id))


async def request_digest(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    async with unit_of_work(request.app[POOL]) as conn:
        digest = await service.request_digest(conn, caller_of(request), slug=slug,
                                              period_hours=request.app[SETTINGS].digest_period_hours)
    return json_response(digest, status=201, headers={"Location": f"/api/v1/teams/{slug}/digests/latest"})


async def list_digests(request: web.Request) -> web.Response:
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.list_digests(conn, caller_of(request), slug=request.match_info["slug"]))


async def latest_digest(request: web.Request) -> web.Response:
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.latest_digest(conn, caller_of(request), slug=request.match_info["slug"]))
