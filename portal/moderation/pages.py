"""The web client's moderation: the report form under an idea, a comment or a thanks; the queue
where moderators hide, dismiss and restore; the author's request for a review; and, for admins,
who the moderators are."""

from __future__ import annotations

from aiohttp import web

from portal.errors import Conflict, NotFound
from portal.http.view import View
from portal.moderation import service
from portal.moderation.schemas import CaseQuery, HideWrite, Kind, ReportCreate


def _back(view: View) -> str:
    """The page the form was on: the idea (at the comment), or the thanks page."""
    path = view.path
    if "idea_id" not in path:
        return view.url("thanks_page")
    anchor = f"#comment-{path['comment_id']}" if "comment_id" in path else ""
    return view.url("idea_page", idea_id=path["idea_id"]) + anchor


async def _report(view: View, kind: Kind, item_id: int) -> web.Response:
    reason = view.field("reason")
    data, _ = view.validate(ReportCreate, {"reason": reason, "note": view.field("note") or None})
    if data is None:  # no reason chosen, or "something else" without saying what
        return view.redirect(_back(view), done="report_note" if reason == "other" else "report_reason")
    try:
        await service.report(
            view.conn,
            view.caller,
            kind=kind,
            item_id=item_id,
            data=data,
            hide_after=view.settings.moderation_hide_after,
        )
    except Conflict:
        return view.redirect(_back(view), done="reported_before")
    return view.redirect(_back(view), done="reported")


async def idea_report(view: View) -> web.Response:
    return await _report(view, "idea", view.path["idea_id"])


async def comment_report(view: View) -> web.Response:
    return await _report(view, "comment", view.path["comment_id"])


async def thanks_report(view: View) -> web.Response:
    return await _report(view, "thanks", view.path["thanks_id"])


async def moderation_page(view: View, *, errors: dict[str, str] | None = None, status: int = 200) -> web.Response:
    view.caller.require_moderator()
    query, _ = view.validate(
        CaseQuery,
        {"state": view.request.query.get("state", "waiting"), "sort": view.request.query.get("sort", "oldest")},
    )
    query = query or CaseQuery()
    return await view.render(
        "moderation/queue.html",
        status=status,
        cases=await service.queue(view.conn, view.caller, query),
        query=query,
        moderators=await service.moderators(view.conn, view.caller) if view.caller.is_admin else None,
        errors=errors or {},
        active="moderation",
    )


async def case_hide(view: View) -> web.Response:
    data, errors = view.validate(HideWrite, {"reason": view.field("reason")})
    if data is None:
        return await moderation_page(
            view, errors={f"reason-{view.path['case_id']}": errors.get("reason", "")}, status=422
        )
    await service.hide(view.conn, view.caller, case_id=view.path["case_id"], data=data)
    return view.redirect(view.url("moderation_page"), done="hidden")


async def case_dismiss(view: View) -> web.Response:
    await service.dismiss(view.conn, view.caller, case_id=view.path["case_id"])
    return view.redirect(view.url("moderation_page"), done="dismissed")


async def case_restore(view: View) -> web.Response:
    await service.restore(view.conn, view.caller, case_id=view.path["case_id"])
    return view.redirect(view.url("moderation_page", query={"state": "hidden"}), done="restored")


async def case_review(view: View) -> web.Response:
    await service.request_review(view.conn, view.caller, case_id=view.path["case_id"])
    next_path = view.field("next")
    return view.redirect(
        next_path if next_path.startswith("/") and not next_path.startswith("//") else "/", done="review"
    )


async def moderator_add(view: View) -> web.Response:
    try:
        await service.set_moderator(view.conn, view.caller, email=view.field("email"), moderator=True)
    except NotFound:
        errors = {"email": view.gettext("Nobody with this email address is in the portal.")}
        return await moderation_page(view, errors=errors, status=422)
    return view.redirect(view.url("moderation_page"), done="moderator_added")


async def moderator_remove(view: View) -> web.Response:
    await service.set_moderator(view.conn, view.caller, email=view.path["email"], moderator=False)
    return view.redirect(view.url("moderation_page"), done="moderator_removed")
