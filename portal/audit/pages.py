"""The admins' page of the audit trail, with filters, and the same entries as CSV."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from aiohttp import web

from portal.audit import trail
from portal.http.view import View

AUDIT_PAGE = 100
FILTER_LENGTH = 200


def _day(view: View, name: str) -> date | None:
    try:
        return date.fromisoformat(view.request.query.get(name, ""))
    except ValueError:
        return None


def _filters(view: View) -> tuple[trail.Filters, dict[str, str]]:
    """The filters the query asks for (a day that is not a date is no filter), and the query that
    keeps them on the next page and in the CSV link."""
    text = {name: view.request.query.get(name, "").strip()[:FILTER_LENGTH] for name in ("subject", "who", "action")}
    since, until = _day(view, "since"), _day(view, "until")

    def moment(day: date | None, days: int = 0) -> datetime | None:
        return (
            None
            if day is None
            else datetime.combine(day + timedelta(days=days), datetime.min.time(), view.formats.zone)
        )

    filters = trail.Filters(
        subject=text["subject"] or None,
        who=text["who"] or None,
        action=text["action"] or None,
        since=moment(since),
        until=moment(until, 1),  # the whole of the last day
    )
    kept = {**text, "since": since.isoformat() if since else "", "until": until.isoformat() if until else ""}
    return filters, {name: value for name, value in kept.items() if value}


async def admin_audit(view: View) -> web.Response:
    view.caller.require_admin()
    filters, query = _filters(view)
    before = view.request.query.get("before", "")
    entries = await trail.entries(
        view.conn,
        filters,
        before_id=int(before) if before.isdecimal() and len(before) < 19 else None,
        limit=AUDIT_PAGE + 1,
    )
    older = (
        view.url("admin_audit", query={**query, "before": entries[AUDIT_PAGE - 1].id})
        if len(entries) > AUDIT_PAGE
        else None
    )
    return await view.render(
        "admin/audit.html",
        entries=entries[:AUDIT_PAGE],
        query=query,
        older=older,
        active="admin",
        section="audit",
    )


async def admin_audit_csv(view: View) -> web.Response:
    view.caller.require_admin()
    filters, _ = _filters(view)
    return web.Response(
        text=await trail.as_csv(view.conn, filters),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-trail.csv"'},
    )
