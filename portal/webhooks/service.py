"""Webhook subscriptions: created by admins or integrations holding webhooks:manage."""

from __future__ import annotations

from portal.audit import trail as audit
from portal.auth.caller import Caller
from portal.db import Connection, fetch_row
from portal.errors import Forbidden, NotFound, PortalError, ValidationFailed
from portal.events import outbox
from portal.events.types import full_name
from portal.webhooks import queries as q
from portal.webhooks.addresses import AddressPolicy
from portal.webhooks.schemas import (
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)
from portal.webhooks.signing import SecretBox, new_secret
from portal.webhooks.urls import destination_refusal


class NotConfigured(PortalError):
    status, title, slug = 503, "Not configured", "not-configured"


def _require_manager(caller: Caller) -> None:
    if not (caller.is_admin or "webhooks:manage" in caller.scopes):
        raise Forbidden("only admins and API tokens with webhooks:manage manage webhooks")


def secret_box(encryption_key: str | None) -> SecretBox:
    if not encryption_key:
        raise NotConfigured("webhooks need PORTAL_ENCRYPTION_KEY to keep their signing secrets encrypted")
    return SecretBox(encryption_key)


def _require_allowed_destination(url: str | None, policy: AddressPolicy) -> None:
    """Refuses now what delivery would refuse: a private, loopback or otherwise special address."""
    reason = destination_refusal(url, policy) if url is not None else None
    if reason:
        raise ValidationFailed([{"field": "url", "type": "address", "message": reason}])


async def create_webhook(
    conn: Connection, caller: Caller, data: WebhookCreate, *, encryption_key: str | None, policy: AddressPolicy
) -> WebhookCreated:
    _require_manager(caller)
    box = secret_box(encryption_key)
    _require_allowed_destination(data.url, policy)
    secret = new_secret()
    row = await fetch_row(conn, q.INSERT_WEBHOOK, data.url, data.event_types, data.description, box.encrypt(secret))
    # Webhook URLs are for their managers only: events never carry them.
    await outbox.record(
        conn,
        "webhook.created",
        f"webhooks/{row['id']}",
        {"id": row["id"], "event_types": [full_name(t) for t in data.event_types]},
    )
    webhook = WebhookRead.model_validate(dict(row))  # its secret is not for the audit trail
    await audit.act(conn, caller, "webhook.created", f"webhooks/{row['id']}", after=webhook)
    return WebhookCreated.model_validate({**dict(row), "secret": secret})


async def get_webhook(conn: Connection, caller: Caller, *, webhook_id: int) -> WebhookRead:
    _require_manager(caller)
    row = await conn.fetchrow(q.GET_WEBHOOK, webhook_id)
    if row is None:
        raise NotFound(f"no webhook {webhook_id}")
    return WebhookRead.model_validate(dict(row))


async def list_webhooks(conn: Connection, caller: Caller) -> list[WebhookRead]:
    _require_manager(caller)
    return [WebhookRead.model_validate(dict(row)) for row in await conn.fetch(q.LIST_WEBHOOKS)]


async def update_webhook(
    conn: Connection, caller: Caller, *, webhook_id: int, data: WebhookUpdate, policy: AddressPolicy
) -> WebhookRead:
    _require_manager(caller)
    _require_allowed_destination(data.url, policy)
    before = await get_webhook(conn, caller, webhook_id=webhook_id)
    row = await conn.fetchrow(q.UPDATE_WEBHOOK, webhook_id, data.url, data.event_types, data.description, data.enabled)
    if row is None:
        raise NotFound(f"no webhook {webhook_id}")
    await outbox.record(
        conn,
        "webhook.updated",
        f"webhooks/{webhook_id}",
        {"id": webhook_id, **data.model_dump(exclude_none=True, exclude={"url"}), "url_changed": data.url is not None},
    )
    webhook = WebhookRead.model_validate(dict(row))
    await audit.act(conn, caller, "webhook.updated", f"webhooks/{webhook_id}", before=before, after=webhook)
    return webhook


async def delete_webhook(conn: Connection, caller: Caller, *, webhook_id: int) -> None:
    before = await get_webhook(conn, caller, webhook_id=webhook_id)
    if await conn.fetchval(q.DELETE_WEBHOOK, webhook_id) is None:  # deleted meanwhile
        raise NotFound(f"no webhook {webhook_id}")
    await outbox.record(conn, "webhook.deleted", f"webhooks/{webhook_id}", {"id": webhook_id})
    await audit.act(conn, caller, "webhook.deleted", f"webhooks/{webhook_id}", before=before)


async def list_deliveries(conn: Connection, caller: Caller, *, webhook_id: int, limit: int) -> list[DeliveryRead]:
    await get_webhook(conn, caller, webhook_id=webhook_id)
    return [DeliveryRead.model_validate(dict(row)) for row in await conn.fetch(q.LIST_DELIVERIES, webhook_id, limit)]


async def redeliver(conn: Connection, caller: Caller, *, webhook_id: int, delivery_id: int) -> None:
    """Puts a delivery back in line; the scheduler's retry job sends it within seconds."""
    await get_webhook(conn, caller, webhook_id=webhook_id)
    if await conn.fetchval(q.REDELIVER, delivery_id, webhook_id) is None:
        raise NotFound(f"no delivery {delivery_id} for webhook {webhook_id}")
    await audit.act(conn, caller, "webhook.redelivered", f"webhooks/{webhook_id}", after={"delivery": delivery_id})
