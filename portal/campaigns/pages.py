"""The campaign pages: the campaigns, one campaign, and opening one (admins and team leads)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from portal.campaigns import service
from portal.campaigns.schemas import CampaignCreate, CampaignQuery
from portal.errors import Conflict, ValidationFailed
from portal.http.forms import by_field
from portal.http.view import View
from portal.teams import service as teams


async def _may_open(view: View) -> bool:
    return view.employee.is_admin or bool(view.session and view.session.lead_of)


async def _list(view: View, *, status: int = 200, values: dict[str, Any], errors: dict[str, str]) -> web.Response:
    campaigns = await service.list_campaigns(view.conn, view.caller, CampaignQuery())
    return await view.render(
        "campaigns/list.html",
        status=status,
        campaigns=campaigns,
        may_open=await _may_open(view),
        values=values,
        errors=errors,
        teams=await teams.team_names(view.conn),
        lead_of=view.session.lead_of if view.session else (),
    )


async def campaigns_page(view: View) -> web.Response:
    return await _list(view, values={}, errors={})


async def campaign_page(view: View) -> web.Response:
    campaign = await service.get_campaign(view.conn, view.caller, slug=view.path["slug"])
    return await view.render("campaigns/detail.html", campaign=campaign)


def _deadline(view: View, name: str) -> str | None:
    """A datetime-local field, read in the reader's time zone."""
    value = view.field(name)
    if not value:
        return None
    from datetime import datetime

    try:
        return datetime.fromisoformat(value).replace(tzinfo=view.formats.zone).isoformat()
    except ValueError:
        return value  # the model names it


async def campaign_create(view: View) -> web.Response:
    values = {
        "slug": view.field("slug"),
        "question": view.field("question"),
        "description": view.field("description"),
        "team": view.field("team") or None,
        "services": view.fields("services"),
        "collect_until": _deadline(view, "collect_until"),
        "vote_until": _deadline(view, "vote_until"),
        "decide_until": _deadline(view, "decide_until"),
        "vote_budget": int(view.field("vote_budget")) if view.field("vote_budget").isdecimal() else None,
    }
    data, errors = view.validate(CampaignCreate, values)
    if data is None:
        return await _list(view, status=422, values={**values, **_raw(view)}, errors=errors)
    try:
        campaign = await service.create_campaign(view.conn, view.caller, data)
    except ValidationFailed as failed:
        return await _list(view, status=422, values={**values, **_raw(view)}, errors=by_field(failed, view.gettext))
    except Conflict as taken:
        return await _list(view, status=409, values={**values, **_raw(view)}, errors={"slug": taken.detail})
    return view.redirect(view.url("campaign_page", slug=campaign.slug))


def _raw(view: View) -> dict[str, str]:
    return {name: view.field(name) for name in ("collect_until", "vote_until", "decide_until", "vote_budget")}
