from __future__ import annotations

from aiohttp import web

from portal.db import unit_of_work
from portal.ideas import listing, service
from portal.ideas.schemas import IdeaCreate, IdeaQuery, IdeaUpdate, StatusChange
from portal.web.guard import caller_of
from portal.web.http import json_response, parse_body, parse_query, path_int
from portal.web.idempotent import create_once
from portal.web.keys import POOL


def _viewer(request: web.Request) -> int | None:
    employee = caller_of(request).employee
    return employee.id if employee else None


async def create_idea(request: web.Request) -> web.Response:
    data = await parse_body(request, IdeaCreate)
    caller = caller_of(request)

    async def create(conn):
        idea = await service.create_idea(conn, caller, data)
        return idea, f"/api/v1/ideas/{idea.id}"

    async with unit_of_work(request.app[POOL]) as conn:
        return await create_once(request, conn, create)


async def get_idea(request: web.Request) -> web.Response:
    idea_id = path_int(request, "idea_id")
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.get_idea(conn, idea_id=idea_id, viewer=_viewer(request)))


async def update_idea(request: web.Request) -> web.Response:
    idea_id = path_int(request, "idea_id")
    data = await parse_body(request, IdeaUpdate)
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.update_idea(conn, caller_of(request), idea_id=idea_id, data=data))


async def change_status(request: web.Request) -> web.Response:
    idea_id = path_int(request, "idea_id")
    change = await parse_body(request, StatusChange)
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.change_status(conn, caller_of(request), idea_id=idea_id,
                                                         change=change))


async def list_ideas(request: web.Request) -> web.Response:
    query = parse_query(request, IdeaQuery)
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await listing.list_ideas(conn, viewer=_viewer(request), query=query))
