from __future__ import annotations

from portal.http.call import Call, Created
from portal.services import service, standards
from portal.services.schemas import ServiceMap, ServiceRead
from portal.services.standards import StandardRead


async def create_service(call: Call) -> Created:
    created = await service.create_service(call.conn, call.caller, call.body)
    return Created(created, call.url_for("get_service", slug=created.slug))


async def list_services(call: Call) -> list[ServiceRead]:
    return await service.list_services(call.conn)


async def get_service(call: Call) -> ServiceRead:
    return await service.get_service(call.conn, slug=call.path["slug"])


async def update_service(call: Call) -> ServiceRead:
    return await service.update_service(call.conn, call.caller, slug=call.path["slug"], data=call.body)


async def service_map(call: Call) -> ServiceMap:
    return await service.service_map(call.conn)


async def publish_standard(call: Call) -> StandardRead:
    return await standards.publish(call.conn, call.caller, slug=call.path["slug"], data=call.body)


async def current_standard(call: Call) -> StandardRead:
    return await standards.current(call.conn, slug=call.path["slug"])


async def standard_history(call: Call) -> list[StandardRead]:
    return await standards.history(call.conn, slug=call.path["slug"])
