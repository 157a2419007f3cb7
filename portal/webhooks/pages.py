"""The admins' webhook pages: the subscriptions, adding one (its signing secret shown once),
one webhook's deliveries with "send again", turning it off and on, and removing it."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from portal.errors import ValidationFailed
from portal.http.forms import by_field
from portal.http.view import View
from portal.webhooks import service as webhooks
from portal.webhooks.addresses import AddressPolicy
from portal.webhooks.schemas import WebhookCreate, WebhookUpdate


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
        return await admin_webhooks(view, errors=by_field(failed, view.gettext), values=values, status=422)
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
