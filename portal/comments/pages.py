"""The pages of one comment: editing it and deleting it (posting one is on the idea page,
portal.actions.pages)."""

from __future__ import annotations

from aiohttp import web

from portal.comments import service as comments
from portal.comments.schemas import CommentWrite
from portal.http.view import View


async def comment_edit(view: View) -> web.Response:
    comment = await comments.get_comment(view.conn, **view.path)
    return await view.render("ideas/comment_form.html", comment=comment, value=comment.body or "", errors={})


async def comment_update(view: View) -> web.Response:
    data, errors = view.validate(CommentWrite, {"body": view.field("body")})
    if data is None:
        comment = await comments.get_comment(view.conn, **view.path)
        return await view.render(
            "ideas/comment_form.html", status=422, comment=comment, value=view.field("body"), errors=errors
        )
    comment = await comments.edit_comment(
        view.conn, view.caller, **view.path, data=data, attachments_per_item=view.settings.attachments_per_item
    )
    return view.redirect(view.url("idea_page", idea_id=comment.idea_id) + f"#comment-{comment.id}")


async def comment_delete(view: View) -> web.Response:
    await comments.delete_comment(view.conn, view.caller, **view.path)
    return view.redirect(view.url("idea_page", idea_id=view.path["idea_id"]) + "#comments")
