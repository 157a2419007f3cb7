"""A team lead's inbox (routed ideas, overdue and pending first, with their SLA countdown), and
the admins' routing rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from portal.errors import PortalError
from portal.http.forms import errors_of
from portal.http.view import View
from portal.routing import service
from portal.routing.schemas import InboxItem, InboxQuery, RoutingRuleCreate
from portal.teams import service as teams

INBOX_FILTERS = ("state", "overdue", "role")


@dataclass(frozen=True, slots=True)
class InboxRow:
    """One inbox row as the page shows it, its words and dates made here: the template then only
    reads attributes, several times cheaper per row than calling helpers from Jinja (bench/pages.py)."""

    url: str
    title: str
    status: str
    status_label: str
    role_label: str
    state: str
    state_label: str
    overdue: bool
    pending: bool
    due_in: str
    due_iso: str
    due_at: str
    votes: str


def _rows(view: View, items: list[InboxItem]) -> list[InboxRow]:
    now, fmt = datetime.now(UTC), view.formats
    return [
        InboxRow(
            url=view.url("idea_page", idea_id=item.idea.id) + "#teams",
            title=item.idea.title,
            status=item.idea.status,
            status_label=view.label("status", item.idea.status),
            role_label=view.label("role", item.role),
            state=item.state,
            state_label=view.label("state", item.state),
            overdue=item.overdue,
            pending=item.state == "pending",
            due_in=fmt.relative(item.due_at, now),
            due_iso=fmt.iso(item.due_at),
            due_at=fmt.short(item.due_at),
            votes=fmt.number(item.idea.vote_count),
        )
        for item in items
    ]


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
        team=await teams.get_team(view.conn, slug=view.path["slug"]),
        rows=_rows(view, items[:shown]),
        more=more,
        filters=raw,
        errors=errors,
        active=f"inbox:{view.path['slug']}",
    )


async def admin_rules(
    view: View, *, errors: dict[str, str] | None = None, values: dict[str, Any] | None = None, status: int = 200
) -> web.Response:
    return await view.render(
        "admin/rules.html",
        status=status,
        rules=await service.list_rules(view.conn, view.caller),
        teams=await teams.list_teams(view.conn),
        errors=errors or {},
        values=values or {},
        active="admin",
        section="rules",
    )


async def admin_rule_create(view: View) -> web.Response:
    values = {
        "match_kind": view.field("match_kind"),
        "pattern": view.field("pattern"),
        "team": view.field("team"),
        "role": view.field("role"),
    }
    data, errors = view.validate(RoutingRuleCreate, values)
    if data is None:
        return await admin_rules(view, errors=errors, values=values, status=422)
    try:
        await service.create_rule(view.conn, view.caller, data)
    except PortalError as failure:
        if failure.status >= 500 or failure.status == 403:
            raise
        return await admin_rules(view, errors=errors_of(failure, view.gettext), values=values, status=failure.status)
    return view.redirect(view.url("admin_rules"))


async def admin_rule_delete(view: View) -> web.Response:
    await service.delete_rule(view.conn, view.caller, rule_id=view.path["rule_id"])
    return view.redirect(view.url("admin_rules"))
