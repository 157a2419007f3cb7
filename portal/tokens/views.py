from __future__ import annotations

from aiohttp import web

from portal.db import unit_of_work
from portal.tokens import service
from portal.tokens.schemas import TokenCreate
from portal.web.guard import caller_of
from portal.web.http import json_response, parse_body, path_int
from portal.web.keys import POOL


async def create_token(request: web.Request) -> web.Response:
    data = await parse_body(request, TokenCreate)
    async with unit_of_work(request.app[POOL]) as conn:
        created = await service.create_token(conn, caller_of(request), data)
    return json_response(created, status=201, headers={"Location": f"/api/v1/tokens/{created.id}"})


async def list_tokens(request: web.Request) -> web.Response:
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.list_tokens(conn, caller_of(request)))


async def revoke_token(request: web.Request) -> web.Response:
    token_id = path_int(request, "token_id")
    async with unit_of_work(request.app[POOL]) as conn:
        await service.revoke_token(conn, caller_of(request), token_id=token_id)
    return web.Response(status=204)
