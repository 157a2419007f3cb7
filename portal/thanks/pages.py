"""The thanks page: thank a team or a colleague, and read the thanks one may read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import web

from portal.errors import ValidationFailed
from portal.http.forms import by_field
from portal.http.view import View
from portal.teams import service as teams
from portal.teams.pages import picker_refusal
from portal.thanks import service
from portal.thanks.schemas import ThanksCreate, ThanksQuery


async def _render(
    view: View, *, status: int = 200, form: dict[str, Any], errors: dict[str, str], choices: Sequence[Any] = ()
) -> web.Response:
    received = await service.list_thanks(view.conn, view.caller, ThanksQuery(employee=view.employee.email, limit=20))
    recent = await service.list_thanks(view.conn, view.caller, ThanksQuery(limit=20))
    return await view.render(
        "thanks/page.html",
        status=status,
        form=form,
        errors=errors,
        teams=await teams.team_names(view.conn),
        received=received.items,
        recent=recent.items,
        choices=choices,
    )


async def thanks_page(view: View) -> web.Response:
    query = view.request.query
    form = {
        "to_team": query.get("to_team", ""),
        "to_employee": query.get("to_employee", ""),
        "idea_id": query.get("idea_id", ""),
        "message": "",
        "public": True,
    }
    return await _render(view, form=form, errors={})


async def thanks_send(view: View) -> web.Response:
    form: dict[str, Any] = {
        "to_team": view.field("to_team"),
        "to_employee": view.field("to_employee"),
        "idea_id": view.field("idea_id"),
        "message": view.field("message"),
        "public": view.field("public") == "1",
    }
    idea_id = view.field("idea_id")
    if form["to_employee"]:
        email, matches = await teams.find_person(view.conn, form["to_employee"])
        if email is None:  # a name: several colleagues match (choose one) or none does
            errors = {"to_employee": picker_refusal(view, matches)}
            return await _render(view, status=422, form=form, errors=errors, choices=matches)
        form["to_employee"] = email
    data, errors = view.validate(
        ThanksCreate,
        {
            "to_team": form["to_team"] or None,
            "to_employee": form["to_employee"] or None,
            "message": form["message"],
            "idea_id": int(idea_id) if idea_id.isdecimal() and len(idea_id) < 19 else None,
            "public": form["public"],
        },
    )
    if data is None:
        return await _render(view, status=422, form=form, errors=errors)
    try:
        await service.send_thanks(view.conn, view.caller, data, daily_limit=view.settings.thanks_per_day)
    except ValidationFailed as refused:  # an unknown colleague, oneself, one's own team: the form again
        return await _render(view, status=422, form=form, errors=by_field(refused, view.gettext))
    return view.redirect(view.url("thanks_page"), done="thanked")
