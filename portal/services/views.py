from __future__ import annotations

from portal.http.call import Call, Created
from portal.services import service, standards
from portal.services.schemas import ServiceCreate, ServiceMap, ServiceRead, ServiceUpdate
from portal.services.standards import StandardRead, StandardWrite


async def create_service(call: Call, body: ServiceCreate) -> Created[ServiceRead]:
    """Add a service to the map (admin or a lead of the provider team)"""
    created = await service.create_service(call.conn, call.caller, body)
    return Created(created, call.url_for("get_service", slug=created.slug))


async def list_services(call: Call) -> list[ServiceRead]:
    """List services"""
    return await service.list_services(call.conn)


async def get_service(call: Call) -> ServiceRead:
    """Get a service"""
    return await service.get_service(call.conn, slug=call.path["slug"])


async def update_service(call: Call, body: ServiceUpdate) -> ServiceRead:
    """Change a service (admin or a lead of the provider team)"""
    return await service.update_service(call.conn, call.caller, slug=call.path["slug"], data=body)


async def service_map(call: Call) -> ServiceMap:
    """The service map: provider -> customer edges with their services and open ideas"""
    return await service.service_map(call.conn)


async def publish_standard(call: Call, body: StandardWrite) -> StandardRead:
    """Publish a new version of the service's standard (its provider team's leads, admins)"""
    return await standards.publish(call.conn, call.caller, slug=call.path["slug"], data=body)


async def current_standard(call: Call) -> StandardRead:
    """The service's standard in force: how to request it and what its provider commits to"""
    return await standards.current(call.conn, slug=call.path["slug"])


async def standard_history(call: Call) -> list[StandardRead]:
    """Every version of the service's standard, newest first"""
    return await standards.history(call.conn, slug=call.path["slug"])
