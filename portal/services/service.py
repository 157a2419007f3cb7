"""The service map: what each provider team delivers to which customer teams."""

from __future__ import annotations

import asyncpg

from portal.audit import trail as audit
from portal.auth.caller import Caller
from portal.db import Connection
from portal.errors import Conflict, Forbidden, NotFound, ValidationFailed
from portal.events import outbox
from portal.lookups import leads_any, team_id_by_slug
from portal.services import queries as q
from portal.services.schemas import (
    ServiceCreate,
    ServiceMap,
    ServiceName,
    ServiceRead,
    ServiceUpdate,
)
from portal.workflow import CLOSED_STATUSES


def _service(row: asyncpg.Record) -> ServiceRead:
    return ServiceRead.model_validate(dict(row))


async def _check_teams(conn: Connection, slugs: list[str], field: str) -> None:
    known = {row["slug"] for row in await conn.fetch(q.KNOWN_TEAMS, slugs)}
    errors = [
        {"field": f"{field}.{index}", "message": f"no team {slug!r}", "type": "unknown_team"}
        for index, slug in enumerate(slugs)
        if slug not in known
    ]
    if errors:
        raise ValidationFailed(errors)


async def _fetch(conn: Connection, slug: str) -> asyncpg.Record:
    row = await conn.fetchrow(q.SERVICE_SELECT + " WHERE s.slug = $1", slug)
    if row is None:
        raise NotFound(f"no service {slug!r}")
    return row


async def get_service(conn: Connection, *, slug: str) -> ServiceRead:
    return _service(await _fetch(conn, slug))


async def list_services(conn: Connection) -> list[ServiceRead]:
    return [_service(row) for row in await conn.fetch(q.SERVICE_SELECT + " ORDER BY s.slug")]


async def create_service(conn: Connection, caller: Caller, data: ServiceCreate) -> ServiceRead:
    provider = await team_id_by_slug(conn, data.provider_team, field="provider_team")
    if not (caller.is_admin or await leads_any(conn, caller, [provider])):
        raise Forbidden("only an admin or a lead of the provider team may add its services")
    await _check_teams(conn, data.customer_teams, "customer_teams")
    service_id = await conn.fetchval(q.INSERT_SERVICE, data.slug, data.name, data.description, provider)
    if service_id is None:
        raise Conflict(f"a service {data.slug!r} already exists")
    await conn.execute(q.ADD_CUSTOMERS, service_id, data.customer_teams)
    await outbox.record(conn, "service.created", f"services/{data.slug}", data.model_dump())
    service = await get_service(conn, slug=data.slug)
    await audit.act(conn, caller, "service.created", f"services/{data.slug}", after=service)
    return service


async def update_service(conn: Connection, caller: Caller, *, slug: str, data: ServiceUpdate) -> ServiceRead:
    current = await _fetch(conn, slug)
    if not (caller.is_admin or await leads_any(conn, caller, [current["provider_team_id"]])):
        raise Forbidden("only an admin or a lead of the provider team may change this service")
    before = _service(current)
    if data.customer_teams is not None:
        if current["provider_team"] in data.customer_teams:
            raise ValidationFailed(
                [
                    {
                        "field": "customer_teams",
                        "type": "value_error",
                        "message": "the provider team cannot be its own customer",
                    }
                ]
            )
        await _check_teams(conn, data.customer_teams, "customer_teams")
        await conn.execute(q.CLEAR_CUSTOMERS, current["id"])
        await conn.execute(q.ADD_CUSTOMERS, current["id"], data.customer_teams)
    await conn.execute(q.UPDATE_SERVICE, current["id"], data.name, data.description)
    await outbox.record(
        conn, "service.updated", f"services/{slug}", {"slug": slug, **data.model_dump(exclude_none=True)}
    )
    service = await get_service(conn, slug=slug)
    await audit.act(conn, caller, "service.updated", f"services/{slug}", before=before, after=service)
    return service


async def service_names(conn: Connection) -> list[ServiceName]:
    """Every service's slug, name and provider (for choosing some), without customers."""
    return [ServiceName.model_validate(dict(row)) for row in await conn.fetch(q.SERVICE_NAMES)]


async def service_map(conn: Connection) -> ServiceMap:
    teams = [dict(row) for row in await conn.fetch(q.SERVICE_MAP_TEAMS)]
    edges = [dict(row) for row in await conn.fetch(q.SERVICE_MAP_EDGES, list(CLOSED_STATUSES))]
    return ServiceMap.model_validate({"teams": teams, "edges": edges})
