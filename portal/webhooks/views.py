from __future__ import annotations

from portal.http.call import Call, Created
from portal.webhooks import service
from portal.webhooks.addresses import AddressPolicy
from portal.webhooks.schemas import (
    DeliveryQuery,
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)


async def create_webhook(call: Call, body: WebhookCreate) -> Created[WebhookCreated]:
    """Subscribe a URL to events; answers the signing secret once"""
    created = await service.create_webhook(
        call.conn,
        call.caller,
        body,
        encryption_key=call.settings.encryption_key,
        policy=AddressPolicy.from_settings(call.settings),
    )
    return Created(created, call.url_for("get_webhook", webhook_id=created.id))


async def list_webhooks(call: Call) -> list[WebhookRead]:
    """List webhooks"""
    return await service.list_webhooks(call.conn, call.caller)


async def get_webhook(call: Call) -> WebhookRead:
    """Get a webhook"""
    return await service.get_webhook(call.conn, call.caller, webhook_id=call.path["webhook_id"])


async def update_webhook(call: Call, body: WebhookUpdate) -> WebhookRead:
    """Change a webhook (re-enabling clears its failure state)"""
    return await service.update_webhook(
        call.conn,
        call.caller,
        webhook_id=call.path["webhook_id"],
        data=body,
        policy=AddressPolicy.from_settings(call.settings),
    )


async def delete_webhook(call: Call) -> None:
    """Delete a webhook"""
    await service.delete_webhook(call.conn, call.caller, webhook_id=call.path["webhook_id"])


async def list_deliveries(call: Call, query: DeliveryQuery) -> list[DeliveryRead]:
    """Deliveries with their attempts, status codes, timings and next retry"""
    return await service.list_deliveries(call.conn, call.caller, webhook_id=call.path["webhook_id"], limit=query.limit)


async def redeliver(call: Call) -> None:
    """Send a delivery again (same webhook-id)"""
    await service.redeliver(call.conn, call.caller, **call.path)
