from __future__ import annotations

from portal.comments import service
from portal.comments.schemas import CommentPage, CommentRead
from portal.http.call import Call, Created


async def create_comment(call: Call) -> Created:
    idea_id = call.path["idea_id"]
    comment = await service.create_comment(call.conn, call.caller, idea_id=idea_id, data=call.body)
    return Created(comment, call.url_for("get_comment", idea_id=idea_id, comment_id=comment.id))


async def list_comments(call: Call) -> CommentPage:
    return await service.list_comments(call.conn, idea_id=call.path["idea_id"], query=call.query)


async def get_comment(call: Call) -> CommentRead:
    return await service.get_comment(call.conn, **call.path)


async def edit_comment(call: Call) -> CommentRead:
    return await service.edit_comment(call.conn, call.caller, **call.path, data=call.body)


async def delete_comment(call: Call) -> None:
    await service.delete_comment(call.conn, call.caller, **call.path)
