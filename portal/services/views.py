from __future__ import annotations

from aiohttp import web

from portal.db import unit_of_work
from portal.services import service
from portal.services.schemas import ServiceCreate, ServiceUpdate
from portal.web.guard import caller_of
from portal.web.http import json_response, parse_body
from portal.web.keys import POOL


async def create_service(request: web.Request) -> web.Response:
    data = await parse_body(request, ServiceCreate)
    async with unit_of_work(request.app[POOL]) as conn:
        created = await service.create_service(conn, caller_of(request), data)
    return json_response(created, status=201, headers={"Location": f"/api/v1/services/{created.slug}"})


async def list_services(request: web.Request) -> web.Response:
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.list_services(conn))


async def get_service(request: web.Request) -> web.Response:
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.get_service(conn, slug=request.match_info["slug"]))


async def update_service(request: web.Request) -> web.Response:
    data = await parse_body(request, ServiceUpdate)
    async with unit_of_work(request.app[POOL]) as conn:
        updated = await service.update_service(conn, caller_of(request), slug=request.match_info["slug"],
                                                data=data)
    return json_response(updated)


async def service_map(request: web.Request) -> web.Response:
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.service_map(conn))
