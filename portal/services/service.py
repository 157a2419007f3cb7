"""The service map: what each provider team delivers to which customer teams."""
from __future__ import annotations

import asyncpg

from portal.auth.caller import Caller
from portal.errors import Conflict, Forbidden, NotFound, ValidationFailed
from portal.events import service as events
from portal.ideas.workflow import CLOSED_STATUSES
from portal.services.schemas import (
    ServiceCreate,
    ServiceMap,
    ServiceRead,
    ServiceUpdate,
)
from portal.teams.service import leads_any, team_id

SERVICE_SELECT = """
SELECT s.id, s.slug, s.name, s.description, s.created_at, s.updated_at, p.slug AS provider_team,
       s.provider_team_id,
       ARRAY(SELECT t.slug FROM service_customers c JOIN teams t ON t.id = c.team_id
             WHERE c.service_id = s.id ORDER BY t.slug) AS customer_teams
FROM services s JOIN teams p ON p.id = s.provider_team_id
"""
INSERT_SERVICE = """
INSERT INTO services (slug, name, description, provider_team_id) VALUES ($1, $2, $3, $4)
ON CONFLICT (slug) DO NOTHING RETURNING id
"""
UPDATE_SERVICE = """
UPDATE services SET name = coalesce($2, name), description = coalesce($3, description),
                    updated_at = now()
WHERE id = $1
"""
CLEAR_CUSTOMERS = "DELETE FROM service_customers WHERE service_id = $1"
ADD_CUSTOMERS = """
INSERT INTO service_customers (service_id, team_id)
SELECT $1, id FROM teams WHERE slug = ANY($2::text[])
"""
KNOWN_TEAMS = "SELECT slug FROM teams WHERE slug = ANY($1::text[])"
SERVICE_MAP_TEAMS = "SELECT slug, name FROM teams ORDER BY slug"
SERVICE_MAP_EDGES = """
SELECT p.slug AS provider, c.slug AS customer,
       array_agg(s.slug ORDER BY s.slug) AS services,
       (SELECT count(DISTINCT i.id) FROM idea_services x JOIN ideas i ON i.id = x.idea_id
        WHERE x.service_id = ANY(array_agg(s.id)) AND i.status <> ALL($1::text[])) AS open_ideas
FROM services s
JOIN teams p ON p.id = s.provider_team_id
JOIN service_customers sc ON sc.service_id = s.id
JOIN teams c ON c.id = sc.team_id
GROUP BY p.slug, c.slug
ORDER BY p.slug, c.slug
"""


def _service(row: asyncpg.Record) -> ServiceRead:
    return ServiceRead.model_validate(dict(row))


async def _check_teams(conn: asyncpg.Connection, slugs: list[str], field: str) -> None:
    known = {row["slug"] for row in await conn.fetch(KNOWN_TEAMS, slugs)}
    errors = [{"field": f"{field}.{index}", "message": f"no team {slug!r}", "type": "unknown_team"}
              for index, slug in enumerate(slugs) if slug not in known]
    if errors:
        raise ValidationFailed(errors)


async def _fetch(conn: asyncpg.Connection, slug: str) -> asyncpg.Record:
    row = await conn.fetchrow(SERVICE_SELECT + " WHERE s.slug = $1", slug)
    if row is None:
        raise NotFound(f"no service {slug!r}")
    return row


async def get_service(conn: asyncpg.Connection, *, slug: str) -> ServiceRead:
    return _service(await _fetch(conn, slug))


async def list_services(conn: asyncpg.Connection) -> list[ServiceRead]:
    return [_service(row) for row in await conn.fetch(SERVICE_SELECT + " ORDER BY s.slug")]


async def create_service(conn: asyncpg.Connection, caller: Caller, data: ServiceCreate) -> ServiceRead:
    provider = await team_id(conn, data.provider_team, field="body.provider_team")
    if not (caller.is_admin or await leads_any(conn, caller, [provider])):
        raise Forbidden("only an admin or a lead of the provider team may add its services")
    await _check_teams(conn, data.customer_teams, "body.customer_teams")
    service_id = await conn.fetchval(INSERT_SERVICE, data.slug, data.name, data.description, provider)
    if service_id is None:
        raise Conflict(f"a service {data.slug!r} already exists")
    await conn.execute(ADD_CUSTOMERS, service_id, data.customer_teams)
    await events.record(conn, "service.created", f"services/{data.slug}", data.model_dump())
    return await get_service(conn, slug=data.slug)


async def update_service(conn: asyncpg.Connection, caller: Caller, *, slug: str,
                         data: ServiceUpdate) -> ServiceRead:
    current = await _fetch(conn, slug)
    if not (caller.is_admin or await leads_any(conn, caller, [current["provider_team_id"]])):
        raise Forbidden("only an admin or a lead of the provider team may change this service")
    if data.customer_teams is not None:
        if current["provider_team"] in data.customer_teams:
            raise ValidationFailed([{"field": "body.customer_teams", "type": "value_error",
                                     "message": "the provider team cannot be its own customer"}])
        await _check_teams(conn, data.customer_teams, "body.customer_teams")
        await conn.execute(CLEAR_CUSTOMERS, current["id"])
        await conn.execute(ADD_CUSTOMERS, current["id"], data.customer_teams)
    await conn.execute(UPDATE_SERVICE, current["id"], data.name, data.description)
    await events.record(conn, "service.updated", f"services/{slug}",
                        {"slug": slug, **data.model_dump(exclude_none=True)})
    return await get_service(conn, slug=slug)


async def service_map(conn: asyncpg.Connection) -> ServiceMap:
    teams = [dict(row) for row in await conn.fetch(SERVICE_MAP_TEAMS)]
    edges = [dict(row) for row in await conn.fetch(SERVICE_MAP_EDGES, list(CLOSED_STATUSES))]
    return ServiceMap.model_validate({"teams": teams, "edges": edges})
