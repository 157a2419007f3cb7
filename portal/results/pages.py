"""A team's digests, for its leads."""

from __future__ import annotations

from aiohttp import web

from portal.http.view import View
from portal.results import service


async def team_digests(view: View) -> web.Response:
    digests = await service.list_digests(view.conn, view.caller, slug=view.path["slug"], limit=10)
    return await view.render(
        "teams/digests.html", slug=view.path["slug"], digests=digests, active=f"inbox:{view.path['slug']}"
    )


async def digest_compile(view: View) -> web.Response:
    await service.request_digest(
        view.conn, view.caller, slug=view.path["slug"], period_hours=view.settings.digest_period_hours
    )
    return view.redirect(view.url("team_digests", slug=view.path["slug"]))
