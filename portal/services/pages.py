"""The service map's pages: the map drawn, each service, adding one (admins and the provider
team's leads) and changing its customers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from portal.errors import PortalError
from portal.http.forms import errors_of
from portal.http.view import View
from portal.services import service as services
from portal.services.schemas import ServiceCreate, ServiceMap, ServiceUpdate
from portal.teams import service as teams


@dataclass(frozen=True)
class MapPicture:
    """The service map drawn as providers (left) linked to their customers (right)."""

    width: int
    height: int
    left: list[tuple[str, int]]
    right: list[tuple[str, int]]
    lines: list[tuple[int, int]]

    @classmethod
    def of(cls, service_map: ServiceMap) -> MapPicture:
        providers = sorted({edge.provider for edge in service_map.edges})
        customers = sorted({edge.customer for edge in service_map.edges})
        row = 36
        left = [(slug, 24 + i * row) for i, slug in enumerate(providers)]
        right = [(slug, 24 + i * row) for i, slug in enumerate(customers)]
        y_of_left, y_of_right = dict(left), dict(right)
        lines = [(y_of_left[e.provider], y_of_right[e.customer]) for e in service_map.edges]
        return cls(640, 24 + row * max(len(left), len(right), 1), left, right, lines)


async def admin_services(
    view: View, *, errors: dict[str, str] | None = None, values: dict[str, Any] | None = None, status: int = 200
) -> web.Response:
    if not view.caller.is_admin and not await teams.teams_led_by(view.conn, view.caller):
        view.caller.require_admin()
    service_map = await services.service_map(view.conn)
    return await view.render(
        "admin/services.html",
        status=status,
        services=await services.list_services(view.conn),
        teams=await teams.list_teams(view.conn),
        service_map=service_map,
        picture=MapPicture.of(service_map),
        errors=errors or {},
        values=values or {},
        active="admin",
        section="services",
    )


async def admin_service_create(view: View) -> web.Response:
    values = {
        "slug": view.field("slug").strip(),
        "name": view.field("name"),
        "description": view.field("description"),
        "provider_team": view.field("provider_team"),
        "customer_teams": view.fields("customer_teams"),
    }
    data, errors = view.validate(ServiceCreate, values)
    if data is None:
        return await admin_services(view, errors=errors, values=values, status=422)
    try:
        await services.create_service(view.conn, view.caller, data)
    except PortalError as failure:
        if failure.status >= 500 or failure.status == 403:
            raise
        return await admin_services(view, errors=errors_of(failure, view.gettext), values=values, status=failure.status)
    return view.redirect(view.url("admin_services") + f"#service-{data.slug}")


async def admin_service_update(view: View) -> web.Response:
    data, errors = view.validate(ServiceUpdate, {"customer_teams": view.fields("customer_teams")})
    if data is None:
        return await admin_services(view, errors=errors, status=422)
    await services.update_service(view.conn, view.caller, slug=view.path["slug"], data=data)
    return view.redirect(view.url("admin_services") + f"#service-{view.path['slug']}")
