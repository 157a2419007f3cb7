"""A team lead's inbox (routed ideas, overdue and pending first, with their SLA countdown), and
the admins' routing rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape as text
from typing import Any

from aiohttp import web
from markupsafe import Markup

from portal.errors import PortalError
from portal.http.forms import errors_of
from portal.http.view import View
from portal.routing import service
from portal.routing.schemas import InboxItem, InboxQuery, RoutingRuleCreate
from portal.teams import service as teams

INBOX_FILTERS = ("state", "overdue", "role")


@dataclass(frozen=True, slots=True)
class InboxHeads:
    """The inbox table's column names, in the reader's language (also each cell's label on a phone)."""

    part: str
    state: str
    due: str
    votes: str


def _heads(view: View) -> InboxHeads:
    gettext = view.gettext
    return InboxHeads(gettext("Your team's part"), gettext("State"), gettext("Answer due"), gettext("Votes"))


def _rows(view: View, items: list[InboxItem], heads: InboxHeads) -> Markup:
    """The table's rows as HTML, made here rather than by a loop in Jinja: fifty rows of a dozen
    values each, where Jinja's attribute lookup and escaping per value cost more than the rest of
    the page (bench/pages.py, profiled)."""
    now, fmt, e = datetime.now(UTC), view.formats, text
    labels: dict[str, dict[str, str]] = {
        kind: {} for kind in ("status", "role", "state")
    }  # each word looked up once per page

    def word(kind: str, value: str) -> str:
        known = labels[kind].get(value)
        if known is None:
            known = labels[kind][value] = e(view.label(kind, value))
        return known

    # status and state are the API's own words (validated), so class names need no escaping
    part, state, due, votes = (e(head) for head in (heads.part, heads.state, heads.due, heads.votes))
    idea_url = view.id_url("idea_page")
    rows = []
    for item in items:
        idea, overdue = item.idea, " overdue" if item.overdue else ""
        if item.state == "pending":
            iso, at = fmt.moment(item.due_at)
            when = (
                f'<span class="countdown{overdue}">{e(fmt.relative(item.due_at, now))}</span>'
                f'<div class="meta"><time datetime="{iso}">{e(at)}</time></div>'
            )
        else:
            when = "—"
        rows.append(
            f'<tr>\n<td><a href="{idea_url(idea_id=idea.id)}#teams">{e(idea.title)}</a><div class="meta">'
            f'<span class="badge {idea.status}">{word("status", idea.status)}</span></div></td>\n'
            f'<td data-label="{part}">{word("role", item.role)}</td>\n'
            f'<td data-label="{state}"><span class="badge {item.state}{overdue}">{word("state", item.state)}</span></td>\n'
            f'<td data-label="{due}">{when}</td>\n'
            f'<td data-label="{votes}">{fmt.number(idea.vote_count)}</td>\n</tr>'
        )
    return Markup("\n".join(rows))


PAGE = 50
MOST = 500  # a lead who needs more than this filters instead of scrolling


async def team_inbox(view: View) -> web.Response:
    slug = view.path["slug"]
    raw = {name: view.request.query[name] for name in INBOX_FILTERS if view.request.query.get(name)}
    asked = view.request.query.get("shown", "")
    shown = min(int(asked) if asked.isdecimal() and int(asked) > 0 else PAGE, MOST)
    query, errors = view.validate(InboxQuery, {**raw, "sort": "due", "limit": shown + 1})
    items = await service.inbox(view.conn, view.caller, slug=slug, query=query) if query else []
    more = (
        view.url("team_inbox", slug=slug, query={**raw, "shown": shown + PAGE})
        if len(items) > shown and shown < MOST
        else None
    )
    heads = _heads(view)
    lead_of = view.session.lead_of if view.session else ()
    return await view.render(
        "teams/inbox.html",
        slug=slug,
        # Read only for the notice a team without a lead shows: a lead reading their own inbox
        # knows it has one (an admin reading another team's does not).
        team=None if slug in lead_of else await teams.get_team(view.conn, slug=slug),
        heads=heads,
        rows=_rows(view, items[:shown], heads) if items else None,
        more=more,
        filters=raw,
        errors=errors,
        active=f"inbox:{slug}",
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
