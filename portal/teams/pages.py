"""An employee's own settings (language, time zone) and the language switch."""

from __future__ import annotations

from aiohttp import web

from portal.http.view import View, is_secure
from portal.teams import service
from portal.teams.schemas import Preferences

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
