"""Comments on ideas: posted, edited and deleted (as a tombstone) by their authors."""

from __future__ import annotations

from typing import Any

from portal.attachments import service as attachments
from portal.auth.caller import Caller
from portal.comments import queries as q
from portal.comments.schemas import CommentPage, CommentQuery, CommentRead, CommentWrite
from portal.db import Connection
from portal.errors import Conflict, Forbidden, NotFound
from portal.events import outbox
from portal.ideas import history
from portal.lookups import require_idea
from portal.moderation import service as moderation


async def get_comment(conn: Connection, *, idea_id: int, comment_id: int) -> CommentRead:
    row = await conn.fetchrow(q.COMMENT_BY_ID, comment_id, idea_id)
    if row is None:
        raise NotFound(f"no comment {comment_id} on idea {idea_id}")
    return CommentRead.model_validate(dict(row))


async def _as_read(conn: Connection, row: Any, reader: Caller | None) -> CommentRead:
    """A hidden comment's text and why, only for its author and the moderators."""
    comment = CommentRead.model_validate(dict(row))
    if not comment.hidden:
        return comment
    note = None
    if reader is not None:
        note = await moderation.hidden_note(
            conn, reader, kind="comment", item_id=comment.id, author_id=comment.author.id
        )
    if note is None:
        return comment.model_copy(update={"body": None})
    return comment.model_copy(update={"moderation": note})


async def list_comments(
    conn: Connection, *, idea_id: int, query: CommentQuery, reader: Caller | None = None
) -> CommentPage:
    if reader is None:
        await require_idea(conn, idea_id)
    else:  # also that it exists
        await moderation.require_visible_idea(conn, reader, idea_id)
    rows = await conn.fetch(q.COMMENT_PAGE, idea_id, int(query.cursor or 0), query.limit + 1)
    items = [await _as_read(conn, row, reader) for row in rows[: query.limit]]
    next_cursor = str(items[-1].id) if len(rows) > query.limit else None
    return CommentPage(items=items, next_cursor=next_cursor)


async def create_comment(
    conn: Connection,
    caller: Caller,
    *,
    idea_id: int,
    data: CommentWrite,
    attachments_per_item: int = attachments.PER_ITEM,
) -> CommentRead:
    author = caller.require_employee()
    await moderation.require_visible_idea(conn, caller, idea_id)  # nobody comments on what they cannot see
    comment_id = await conn.fetchval(q.INSERT_COMMENT, idea_id, author.id, data.body)
    await attachments.link(
        conn, text=data.body, editor_id=author.id, comment_id=comment_id, per_item=attachments_per_item
    )
    await outbox.record(
        conn,
        "comment.created",
        f"ideas/{idea_id}",
        {"idea_id": idea_id, "comment_id": comment_id, "author_id": author.id},
    )
    return await get_comment(conn, idea_id=idea_id, comment_id=comment_id)


async def _lock_own(conn: Connection, caller: Caller, idea_id: int, comment_id: int, *, admin_may: bool) -> None:
    employee = caller.require_employee()
    row = await conn.fetchrow(q.LOCK_COMMENT, comment_id, idea_id)
    if row is None:
        raise NotFound(f"no comment {comment_id} on idea {idea_id}")
    if row["author_id"] != employee.id and not (admin_may and employee.is_admin):
        raise Forbidden("only the comment's author may do this")
    if row["deleted_at"] is not None:
        raise Conflict("the comment was deleted")


async def edit_comment(
    conn: Connection,
    caller: Caller,
    *,
    idea_id: int,
    comment_id: int,
    data: CommentWrite,
    attachments_per_item: int = attachments.PER_ITEM,
) -> CommentRead:
    await _lock_own(conn, caller, idea_id, comment_id, admin_may=False)
    changed = await history.revise_comment(conn, comment_id, editor_id=caller.require_employee().id, body=data.body)
    await conn.execute(q.EDIT_COMMENT, comment_id, data.body, changed)
    await attachments.link(
        conn,
        text=data.body,
        editor_id=caller.require_employee().id,
        comment_id=comment_id,
        per_item=attachments_per_item,
    )
    await outbox.record(conn, "comment.updated", f"ideas/{idea_id}", {"idea_id": idea_id, "comment_id": comment_id})
    return await get_comment(conn, idea_id=idea_id, comment_id=comment_id)


async def delete_comment(conn: Connection, caller: Caller, *, idea_id: int, comment_id: int) -> None:
    await _lock_own(conn, caller, idea_id, comment_id, admin_may=True)
    await conn.execute(q.TOMBSTONE_COMMENT, comment_id)
    await history.forget_comment(conn, comment_id)  # a deleted comment's earlier text goes with it
    await attachments.remove_of_comment(conn, comment_id)
    await outbox.record(conn, "comment.deleted", f"ideas/{idea_id}", {"idea_id": idea_id, "comment_id": comment_id})
