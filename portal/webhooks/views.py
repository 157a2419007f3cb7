from __future__ import annotations

from aiohttp import web

from portal.db import unit_of_work
from portal.web.guard import caller_of
from portal.web.http import json_response, parse_body, parse_query, path_int
from portal.web.keys import POOL, SETTINGS
from portal.webhooks import service
from portal.webhooks.schemas import DeliveryQuery, WebhookCreate, WebhookUpdate


async def create_webhook(request: web.Request) -> web.Response:
    data = await parse_body(request, WebhookCreate)
    async with unit_of_work(request.app[POOL]) as conn:
        created = await service.create_webhook(conn, caller_of(request), data,
                                               encryption_key=request.app[SETTINGS].encryption_key)
    return json_response(created, status=201, headers={"Location": f"/api/v1/webhooks/{created.id}"})


async def list_webhooks(request: web.Request) -> web.Response:
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.list_webhooks(conn, caller_of(request)))


async def get_webhook(request: web.Request) -> web.Response:
    webhook_id = path_int(request, "webhook_id")
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.get_webhook(conn, caller_of(request), webhook_id=webhook_id))


async def update_webhook(request: web.Request) -> web.Response:
    webhook_id = path_int(request, "webhook_id")
    data = await parse_body(request, WebhookUpdate)
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.update_webhook(conn, caller_of(request), webhook_id=webhook_id,
                                                          data=data))


async def delete_webhook(request: web.Request) -> web.Response:
    webhook_id = path_int(request, "webhook_id")
    async with unit_of_work(request.app[POOL]) as conn:
        await service.delete_webhook(conn, caller_of(request), webhook_id=webhook_id)
    return web.Response(status=204)


async def list_deliveries(request: web.Request) -> web.Response:
    webhook_id = path_int(request, "webhook_id")
    query = parse_query(request, DeliveryQuery)
    async with unit_of_work(request.app[POOL]) as conn:
        return json_response(await service.list_deliveries(conn, caller_of(request), webhook_id=webhook_id,
                                                           limit=query.limit))


async def redeliver(request: web.Request) -> web.Response:
    webhook_id, delivery_id = path_int(request, "webhook_id"), path_int(request, "delivery_id")
    async with unit_of_work(request.app[POOL]) as conn:
        await service.redeliver(conn, caller_of(request), webhook_id=webhook_id, delivery_id=delivery_id)
    return web.Response(status=202)
