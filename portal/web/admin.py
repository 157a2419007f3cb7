"""The admins' pages: teams and leads, the service map, routing rules, webhooks, API tokens.

Each calls the domain function the JSON API calls; the domain refuses non-admins (a provider
team's leads may also manage its services there)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from portal.errors import PortalError, ValidationFailed
from portal.http.forms import by_field
from portal.http.view import View
from portal.routing import service as routing
from portal.routing.schemas import RoutingRuleCreate
from portal.schemas import Email, Input
from portal.services import service as services
from portal.services.schemas import ServiceCreate, ServiceMap, ServiceUpdate
from portal.teams import service as teams
from portal.teams.schemas import TeamCreate
from portal.tokens import service as tokens
from portal.tokens.schemas import TokenCreate
from portal.webhooks import service as webhooks
from portal.webhooks.addresses import AddressPolicy
from portal.webhooks.schemas import WebhookCreate, WebhookUpdate


class LeadEmail(Input):
    email: Email


SCOPES = ["ideas:read", "teams:read", "events:read", "events:voters", "webhooks:manage"]


def _errors(failure: PortalError) -> dict[str, str]:
    if isinstance(failure, ValidationFailed):
        return {e["field"].removeprefix("body.").split(".")[0]: e["message"] for e in failure.extra.get("errors", [])}
    return {"_form": failure.detail}


async def admin_teams(
    view: View, *, errors: dict[str, str] | None = None, values: dict[str, Any] | None = None, status: int = 200
) -> web.Response:
    view.caller.require_admin()
    return await view.render(
        "admin/teams.html",
        status=status,
        teams=await teams.list_teams(view.conn),
        errors=errors or {},
        values=values or {},
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
        await teams.create_team(view.conn, view.caller, data)
    except PortalError as failure:
        if failure.status >= 500 or failure.status == 403:
            raise
        return await admin_teams(view, errors=_errors(failure), values=values, status=failure.status)
    return view.redirect(view.url("admin_teams") + f"#team-{data.slug}")


async def admin_lead_add(view: View) -> web.Response:
    email, errors = view.validate(LeadEmail, {"email": view.field("email")})
    if email is None:
        return await admin_teams(view, errors={f"lead-{view.path['slug']}": errors.get("email", "")}, status=422)
    await teams.assign_lead(view.conn, view.caller, slug=view.path["slug"], email=email.email)
    return view.redirect(view.url("admin_teams") + f"#team-{view.path['slug']}")


async def admin_lead_remove(view: View) -> web.Response:
    await teams.remove_lead(view.conn, view.caller, **view.path)
    return view.redirect(view.url("admin_teams") + f"#team-{view.path['slug']}")


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
        return await admin_services(view, errors=_errors(failure), values=values, status=failure.status)
    return view.redirect(view.url("admin_services") + f"#service-{data.slug}")


async def admin_service_update(view: View) -> web.Response:
    data, errors = view.validate(ServiceUpdate, {"customer_teams": view.fields("customer_teams")})
    if data is None:
        return await admin_services(view, errors=errors, status=422)
    await services.update_service(view.conn, view.caller, slug=view.path["slug"], data=data)
    return view.redirect(view.url("admin_services") + f"#service-{view.path['slug']}")


async def admin_rules(
    view: View, *, errors: dict[str, str] | None = None, values: dict[str, Any] | None = None, status: int = 200
) -> web.Response:
    return await view.render(
        "admin/rules.html",
        status=status,
        rules=await routing.list_rules(view.conn, view.caller),
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
        await routing.create_rule(view.conn, view.caller, data)
    except PortalError as failure:
        if failure.status >= 500 or failure.status == 403:
            raise
        return await admin_rules(view, errors=_errors(failure), values=values, status=failure.status)
    return view.redirect(view.url("admin_rules"))


async def admin_rule_delete(view: View) -> web.Response:
    await routing.delete_rule(view.conn, view.caller, rule_id=view.path["rule_id"])
    return view.redirect(view.url("admin_rules"))


async def admin_webhooks(
    view: View,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    created: Any = None,
    status: int = 200,
) -> web.Response:
    return await view.render(
        "admin/webhooks.html",
        status=status,
        webhooks=await webhooks.list_webhooks(view.conn, view.caller),
        errors=errors or {},
        values=values or {},
        created=created,
        active="admin",
        section="webhooks",
    )


async def admin_webhook_create(view: View) -> web.Response:
    values = {
        "url": view.field("url"),
        "description": view.field("description"),
        "event_types": [t.strip() for t in view.field("event_types").split(",") if t.strip()],
    }
    data, errors = view.validate(WebhookCreate, values)
    if data is None:
        return await admin_webhooks(view, errors=errors, values=values, status=422)
    try:
        created = await webhooks.create_webhook(
            view.conn,
            view.caller,
            data,
            encryption_key=view.settings.encryption_key,
            policy=AddressPolicy.from_settings(view.settings),
        )
    except ValidationFailed as failed:  # an address delivery would refuse
        return await admin_webhooks(view, errors=by_field(failed), values=values, status=422)
    # The secret is shown in this answer only; it is never stored in the clear.
    return await admin_webhooks(view, created=created, status=201)


async def admin_webhook(view: View) -> web.Response:
    webhook_id = view.path["webhook_id"]
    return await view.render(
        "admin/webhook.html",
        webhook=await webhooks.get_webhook(view.conn, view.caller, webhook_id=webhook_id),
        deliveries=await webhooks.list_deliveries(view.conn, view.caller, webhook_id=webhook_id, limit=50),
        active="admin",
        section="webhooks",
    )


async def admin_webhook_toggle(view: View) -> web.Response:
    webhook_id = view.path["webhook_id"]
    await webhooks.update_webhook(
        view.conn,
        view.caller,
        webhook_id=webhook_id,
        data=WebhookUpdate(enabled=view.field("enabled") == "true"),
        policy=AddressPolicy.from_settings(view.settings),
    )
    return view.redirect(view.url("admin_webhook", webhook_id=webhook_id))


async def admin_webhook_delete(view: View) -> web.Response:
    await webhooks.delete_webhook(view.conn, view.caller, webhook_id=view.path["webhook_id"])
    return view.redirect(view.url("admin_webhooks"))


async def admin_redeliver(view: View) -> web.Response:
    await webhooks.redeliver(view.conn, view.caller, **view.path)
    return view.redirect(view.url("admin_webhook", webhook_id=view.path["webhook_id"]) + "#deliveries")


async def admin_tokens(
    view: View, *, errors: dict[str, str] | None = None, created: Any = None, status: int = 200
) -> web.Response:
    return await view.render(
        "admin/tokens.html",
        status=status,
        tokens=await tokens.list_tokens(view.conn, view.caller),
        scopes=SCOPES,
        errors=errors or {},
        created=created,
        active="admin",
        section="tokens",
    )


async def admin_token_create(view: View) -> web.Response:
    data, errors = view.validate(TokenCreate, {"name": view.field("name"), "scopes": view.fields("scopes")})
    if data is None:
        return await admin_tokens(view, errors=errors, status=422)
    created = await tokens.create_token(view.conn, view.caller, data)
    return await admin_tokens(view, created=created, status=201)


async def admin_token_revoke(view: View) -> web.Response:
    await tokens.revoke_token(view.conn, view.caller, token_id=view.path["token_id"])
    return view.redirect(view.url("admin_tokens"))
