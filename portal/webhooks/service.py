"""Webhook subscriptions: created by admins or integrations holding webhooks:manage."""
from __future__ import annotations

import asyncpg

from portal.auth.caller import Caller
from portal.errors import Forbidden, NotFound, PortalError
from portal.events import service as events
from portal.webhooks.schemas import (
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)
from portal.webhooks.signing import SecretBox, new_secret

WEBHOOK_COLUMNS = "id, url, event_types, description, enabled, disabled_reason, failing_since, created_at, updated_at"
INSERT_WEBHOOK = f"""
INSERT INTO webhooks (url, event_types, description, secret_encrypted) VALUES ($1, $2, $3, $4)
RETURNING {WEBHOOK_COLUMNS}
"""
GET_WEBHOOK = f"SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1"
LIST_WEBHOOKS = f"SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY id"
UPDATE_WEBHOOK = f"""
UPDATE webhooks SET url = coalesce($2, url), event_types = coalesce($3, event_types),
       description = coalesce($4, description), enabled = coalesce($5, enabled),
       disabled_reason = CASE WHEN $5 THEN NULL ELSE disabled_reason END,
       failing_since = CASE WHEN $5 THEN NULL ELSE failing_since END,
       updated_at = now()
WHERE id = $1 RETURNING {WEBHOOK_COLUMNS}
"""
DELETE_WEBHOOK = "DELETE FROM webhooks WHERE id = $1 RETURNING id"
LIST_DELIVERIES = """
SELECT d.id, d.event_id, e.type AS event_type, d.state, d.attempts, d.next_attempt_at, d.created_at,
       d.completed_at,
       coalesce((SELECT json_agg(json_build_object(
                    'attempted_at', a.attempted_at, 'status_code', a.status_code, 'error', a.error,
                    'duration_ms', a.duration_ms, 'response_excerpt', a.response_excerpt) ORDER BY a.id)
                 FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]') AS attempt_log
FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
WHERE d.webhook_id = $1 ORDER BY d.id DESC LIMIT $2
"""
REDELIVER = """
UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = now(), lease_until = NULL,
       completed_at = NULL
WHERE id = $1 AND webhook_id = $2 RETURNING id
"""


class NotConfigured(PortalError):
    status, title, slug = 503, "Not configured", "not-configured"


def _require_manager(caller: Caller) -> None:
    if not (caller.is_admin or "webhooks:manage" in caller.scopes):
        raise Forbidden("only admins and API tokens with webhooks:manage manage webhooks")


def secret_box(encryption_key: str | None) -> SecretBox:
    if not encryption_key:
        raise NotConfigured("webhooks need PORTAL_ENCRYPTION_KEY to keep their signing secrets encrypted")
    return SecretBox(encryption_key)


async def create_webhook(conn: asyncpg.Connection, caller: Caller, data: WebhookCreate,
                         *, encryption_key: str | None) -> WebhookCreated:
    _require_manager(caller)
    box = secret_box(encryption_key)
    secret = new_secret()
    row = await conn.fetchrow(INSERT_WEBHOOK, data.url, data.event_types, data.description, box.encrypt(secret))
    # Webhook URLs are for their managers only: events never carry them.
    await events.record(conn, "webhook.created", f"webhooks/{row['id']}",
                        {"id": row["id"], "event_types": data.event_types})
    return WebhookCreated.model_validate({**dict(row), "secret": secret})


async def get_webhook(conn: asyncpg.Connection, caller: Caller, *, webhook_id: int) -> WebhookRead:
    _require_manager(caller)
    row = await conn.fetchrow(GET_WEBHOOK, webhook_id)
    if row is None:
        raise NotFound(f"no webhook {webhook_id}")
    return WebhookRead.model_validate(dict(row))


async def list_webhooks(conn: asyncpg.Connection, caller: Caller) -> list[WebhookRead]:
    _require_manager(caller)
    return [WebhookRead.model_validate(dict(row)) for row in await conn.fetch(LIST_WEBHOOKS)]


async def update_webhook(conn: asyncpg.Connection, caller: Caller, *, webhook_id: int,
                         data: WebhookUpdate) -> WebhookRead:
    _require_manager(caller)
    row = await conn.fetchrow(UPDATE_WEBHOOK, webhook_id, data.url, data.event_types, data.description,
                              data.enabled)
    if row is None:
        raise NotFound(f"no webhook {webhook_id}")
    await events.record(conn, "webhook.updated", f"webhooks/{webhook_id}",
                        {"id": webhook_id, **data.model_dump(exclude_none=True, exclude={"url"}),
                         "url_changed": data.url is not None})
    return WebhookRead.model_validate(dict(row))


async def delete_webhook(conn: asyncpg.Connection, caller: Caller, *, webhook_id: int) -> None:
    _require_manager(caller)
    if await conn.fetchval(DELETE_WEBHOOK, webhook_id) is None:
        raise NotFound(f"no webhook {webhook_id}")
    await events.record(conn, "webhook.deleted", f"webhooks/{webhook_id}", {"id": webhook_id})


async def list_deliveries(conn: asyncpg.Connection, caller: Caller, *, webhook_id: int,
                          limit: int) -> list[DeliveryRead]:
    await get_webhook(conn, caller, webhook_id=webhook_id)
    return [DeliveryRead.model_validate(dict(row)) for row in await conn.fetch(LIST_DELIVERIES, webhook_id, limit)]


async def redeliver(conn: asyncpg.Connection, caller: Caller, *, webhook_id: int, delivery_id: int) -> None:
    """Puts a delivery back in line; the scheduler's retry job sends it within seconds."""
    await get_webhook(conn, caller, webhook_id=webhook_id)
    if await conn.fetchval(REDELIVER, delivery_id, webhook_id) is None:
        raise NotFound(f"no delivery {delivery_id} for webhook {webhook_id}")
