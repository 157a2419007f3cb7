from __future__ import annotations

from aiohttp import web

from portal.comments import service
from portal.comments.schemas import CommentQuery, CommentWrite
from portal.db import unit_of_work
from portal.web.guard import caller_of
from portal.web.http import json_response, parse_body, parse_query, path_int
from portal.web.idempotent import create_once
from portal.web.keys import POOL


async def create_comment(request: web.Request) -> web.Response:
    idea_id = path_int(request, "idea_id")
    data = await parse_body(request, CommentWrite)
    caller = caller_of(request)

    async def create(conn):
        comment = await service.create_comment(conn, caller, idea_id=idea_id, data=data)
        return comment, f"/api/v1/ideas/{idea_id}/comments/{comment.id}"

    async with unit_of_work(request.app[POOL]) as conn:
        return await create_once(request, conn, create)


async def list_comments(request: web.Request) -> web.Response:
    idea_id = path_int(request, "idea_id")
    query = parse_query(request, CommentQuery)
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.list_comments(conn, idea_id=idea_id, query=query))


async def get_comment(request: web.Request) -> web.Response:
    idea_id, comment_id = path_int(request, "idea_id"), path_int(request, "comment_id")
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.get_comment(conn, idea_id=idea_id, comment_id=comment_id))


async def edit_comment(request: web.Request) -> web.Response:
    idea_id, comment_id = path_int(request, "idea_id"), path_int(request, "comment_id")
    data = await parse_body(request, CommentWrite)
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.edit_comment(conn, caller_of(request), idea_id=idea_id,
                                                        comment_id=comment_id, data=data))


async def delete_comment(request: web.Request) -> web.Response:
    idea_id, comment_id = path_int(request, "idea_id"), path_int(request, "comment_id")
    async with unit_of_work(request.app[POOL]) as conn:
        await service.delete_comment(conn, caller_of(request), idea_id=idea_id, comment_id=comment_id)
    return web.Response(status=204)
