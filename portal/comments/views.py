from __future__ import annotations

from portal.comments import service
from portal.comments.schemas import CommentPage, CommentQuery, CommentRead, CommentWrite
from portal.http.call import Call, Created


async def create_comment(call: Call, body: CommentWrite) -> Created[CommentRead]:
    """Comment on an idea (honours Idempotency-Key)"""
    idea_id = call.path["idea_id"]
    comment = await service.create_comment(
        call.conn, call.caller, idea_id=idea_id, data=body, attachments_per_item=call.settings.attachments_per_item
    )
    return Created(comment, call.url_for("get_comment", idea_id=idea_id, comment_id=comment.id))


async def list_comments(call: Call, query: CommentQuery) -> CommentPage:
    """List an idea's comments, oldest first"""
    return await service.list_comments(call.conn, idea_id=call.path["idea_id"], query=query, reader=call.caller)


async def get_comment(call: Call) -> CommentRead:
    """Get a comment"""
    return await service.get_comment(call.conn, **call.path)


async def edit_comment(call: Call, body: CommentWrite) -> CommentRead:
    """Edit your comment"""
    return await service.edit_comment(
        call.conn, call.caller, **call.path, data=body, attachments_per_item=call.settings.attachments_per_item
    )


async def delete_comment(call: Call) -> None:
    """Delete a comment, leaving a tombstone (its author or an admin)"""
    await service.delete_comment(call.conn, call.caller, **call.path)
