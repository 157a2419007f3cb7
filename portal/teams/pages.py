"""An employee's own settings (language, time zone), the language switch, and the admins' page
of teams and their leads."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from portal.errors import PortalError, ValidationFailed
from portal.http.forms import errors_of
from portal.http.view import View, is_secure
from portal.teams import service
from portal.teams.schemas import EmployeeRead, Preferences, TeamCreate
from portal.vocabulary import _

TIME_ZONES = [
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Shanghai",
    "Asia/Singapore",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "UTC",
]


async def settings_page(view: View) -> web.Response:
    profile = await service.get_employee(view.conn, employee_id=view.employee.id)
    return await view.render(
        "teams/settings.html",
        profile=profile,
        errors={},
        saved="saved" in view.request.query,
        zones=[(zone, zone) for zone in TIME_ZONES],
        default_zone=view.settings.default_time_zone,
    )


async def settings_save(view: View) -> web.Response:
    data, errors = view.validate(
        Preferences, {"locale": view.field("locale") or None, "time_zone": view.field("time_zone") or None}
    )
    if data is None:
        profile = await service.get_employee(view.conn, employee_id=view.employee.id)
        return await view.render(
            "teams/settings.html",
            status=422,
            profile=profile,
            errors=errors,
            saved=False,
            zones=[(zone, zone) for zone in TIME_ZONES],
            default_zone=view.settings.default_time_zone,
        )
    await service.update_preferences(view.conn, view.caller, data)
    return view.redirect(view.url("settings_page", query={"saved": "1"}))


async def set_language(view: View) -> web.Response:
    """The footer's language switch: remembered for a signed-in employee, else in a cookie."""
    locale = view.field("locale") if view.field("locale") in ("en", "ja") else view.settings.default_locale
    target = view.field("next")
    target = target if target.startswith("/") and not target.startswith("//") else "/"
    if view.session is not None:
        await service.update_preferences(view.conn, view.caller, Preferences(locale=locale))  # type: ignore[arg-type]
    response = web.Response(status=303, headers={"Location": target})
    response.set_cookie(
        "portal_locale",
        locale,
        httponly=True,
        samesite="Lax",
        secure=is_secure(view.request),
        path="/",
        max_age=365 * 24 * 3600,
    )
    return response


async def admin_teams(
    view: View,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    lead_choices: dict[str, list[EmployeeRead]] | None = None,
    status: int = 200,
) -> web.Response:
    view.caller.require_admin()
    return await view.render(
        "admin/teams.html",
        status=status,
        teams=await service.list_teams(view.conn),
        errors=errors or {},
        values=values or {},
        lead_choices=lead_choices or {},
        active="admin",
        section="teams",
    )


async def admin_team_create(view: View) -> web.Response:
    values = {
        "slug": view.field("slug").strip(),
        "name": view.field("name"),
        "response_sla_hours": int(view.field("response_sla_hours"))
        if view.field("response_sla_hours").isdecimal()
        else view.field("response_sla_hours"),
    }
    data, errors = view.validate(TeamCreate, values)
    if data is None:
        return await admin_teams(view, errors=errors, values=values, status=422)
    try:
        await service.create_team(view.conn, view.caller, data)
    except PortalError as failure:
        if failure.status >= 500 or failure.status == 403:
            raise
        return await admin_teams(view, errors=errors_of(failure, view.gettext), values=values, status=failure.status)
    return view.redirect(view.url("admin_teams") + f"#team-{data.slug}")


async def people_matches(view: View) -> web.Response:
    """The colleagues matching what was typed so far into a person picker (a fragment for htmx)."""
    query = view.request.query
    field, list_id = query.get("field", ""), query.get("list", "")
    if not (field.isidentifier() and list_id.replace("-", "_").isidentifier()):
        raise ValidationFailed(
            [{"field": "field", "type": "value_error", "message": "not a person picker"}], location="query"
        )
    typed = query.get(field, "")[:100]
    matches = [] if "@" in typed else (await service.find_person(view.conn, typed))[1]
    return await view.render("components/people_matches.html", list_id=list_id, matches=matches)


def picker_refusal(view: View, matches: list[EmployeeRead]) -> str:
    """What a person picker says when the name typed is not one colleague."""
    if matches:
        return view.gettext(_("Several colleagues match: choose one of them"))
    return view.gettext(_("No active colleague matches this name or address"))
