"""A team lead's inbox: routed ideas, overdue and pending first, with their SLA countdown."""

from __future__ import annotations

from aiohttp import web

from portal.routing import service
from portal.routing.schemas import InboxQuery
from portal.web.pages import View

INBOX_FILTERS = ("state", "overdue", "role")


async def team_inbox(view: View) -> web.Response:
    raw = {name: view.request.query[name] for name in INBOX_FILTERS if view.request.query.get(name)}
    query, errors = view.validate(InboxQuery, {**raw, "sort": "due", "limit": 200})
    items = await service.inbox(view.conn, view.caller, slug=view.path["slug"], query=query) if query else []
    return await view.render(
        "teams/inbox.html",
        slug=view.path["slug"],
        items=items,
        filters=raw,
        errors=errors,
        active=f"inbox:{view.path['slug']}",
    )
