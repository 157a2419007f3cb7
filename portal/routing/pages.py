"""A team lead's inbox: routed ideas, overdue and pending first, with their SLA countdown."""

from __future__ import annotations

from aiohttp import web

from portal.http.view import View
from portal.routing import service
from portal.routing.schemas import InboxQuery

INBOX_FILTERS = ("state", "overdue", "role")
PAGE = 50
MOST = 500  # a lead who needs more than this filters instead of scrolling


async def team_inbox(view: View) -> web.Response:
    raw = {name: view.request.query[name] for name in INBOX_FILTERS if view.request.query.get(name)}
    asked = view.request.query.get("shown", "")
    shown = min(int(asked) if asked.isdecimal() and int(asked) > 0 else PAGE, MOST)
    query, errors = view.validate(InboxQuery, {**raw, "sort": "due", "limit": shown + 1})
    items = await service.inbox(view.conn, view.caller, slug=view.path["slug"], query=query) if query else []
    more = (
        view.url("team_inbox", slug=view.path["slug"], query={**raw, "shown": shown + PAGE})
        if len(items) > shown and shown < MOST
        else None
    )
    return await view.render(
        "teams/inbox.html",
        slug=view.path["slug"],
        items=items[:shown],
        more=more,
        filters=raw,
        errors=errors,
        active=f"inbox:{view.path['slug']}",
    )
