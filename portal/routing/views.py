from __future__ import annotations

from aiohttp import web

from portal.db import unit_of_work
from portal.routing import service
from portal.routing.schemas import InboxQuery, RoutingResponse, RoutingRuleCreate
from portal.web.guard import caller_of
from portal.web.http import json_response, parse_body, parse_query, path_int
from portal.web.keys import POOL


async def list_rules(request: web.Request) -> web.Response:
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.list_rules(conn, caller_of(request)))


async def create_rule(request: web.Request) -> web.Response:
    data = await parse_body(request, RoutingRuleCreate)
    async with unit_of_work(request.app[POOL]) as conn:
        rule = await service.create_rule(conn, caller_of(request), data)
    return json_response(rule, status=201, headers={"Location": f"/api/v1/routing-rules/{rule.id}"})


async def delete_rule(request: web.Request) -> web.Response:
    rule_id = path_int(request, "rule_id")
    async with unit_of_work(request.app[POOL]) as conn:
        await service.delete_rule(conn, caller_of(request), rule_id=rule_id)
    return web.Response(status=204)


async def inbox(request: web.Request) -> web.Response:
    query = parse_query(request, InboxQuery)
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.inbox(conn, caller_of(request), slug=request.match_info["slug"],
                                                 query=query))


async def idea_routings(request: web.Request) -> web.Response:
    idea_id = path_int(request, "idea_id")
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.idea_routings(conn, idea_id=idea_id))


async def respond(request: web.Request) -> web.Response:
    idea_id = path_int(request, "idea_id")
    answer = await parse_body(request, RoutingResponse)
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.respond(conn, caller_of(request), idea_id=idea_id,
                                                   slug=request.match_info["team"], answer=answer))
