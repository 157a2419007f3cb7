from __future__ import annotations

from portal.http.call import Call, Created
from portal.webhooks import service
from portal.webhooks.addresses import AddressPolicy
from portal.webhooks.schemas import DeliveryRead, WebhookRead


async def create_webhook(call: Call) -> Created:
    created = await service.create_webhook(
        call.conn,
        call.caller,
        call.body,
        encryption_key=call.settings.encryption_key,
        policy=AddressPolicy.from_settings(call.settings),
    )
    return Created(created, call.url_for("get_webhook", webhook_id=created.id))


async def list_webhooks(call: Call) -> list[WebhookRead]:
    return await service.list_webhooks(call.conn, call.caller)


async def get_webhook(call: Call) -> WebhookRead:
    return await service.get_webhook(call.conn, call.caller, webhook_id=call.path["webhook_id"])


async def update_webhook(call: Call) -> WebhookRead:
    return await service.update_webhook(
        call.conn,
        call.caller,
        webhook_id=call.path["webhook_id"],
        data=call.body,
        policy=AddressPolicy.from_settings(call.settings),
    )


async def delete_webhook(call: Call) -> None:
    await service.delete_webhook(call.conn, call.caller, webhook_id=call.path["webhook_id"])


async def list_deliveries(call: Call) -> list[DeliveryRead]:
    return await service.list_deliveries(
        call.conn, call.caller, webhook_id=call.path["webhook_id"], limit=call.query.limit
    )


async def redeliver(call: Call) -> None:
    await service.redeliver(call.conn, call.caller, **call.path)
