"""Teams, their leads, and employees."""
from __future__ import annotations

import asyncpg

from portal.auth.caller import Caller
from portal.errors import Conflict, Forbidden, NotFound, ValidationFailed
from portal.events import service as events
from portal.teams.schemas import (
    EmployeeCreate,
    EmployeeRead,
    TeamCreate,
    TeamRead,
    TeamUpdate,
)

TEAM_SELECT = """
SELECT t.id, t.slug, t.name, t.response_sla_hours, t.created_at, t.updated_at,
       (SELECT count(*) FROM employees WHERE team_id = t.id) AS member_count,
       coalesce((SELECT json_agg(json_build_object('id', e.id, 'email', e.email, 'name', e.name)
                                 ORDER BY e.email)
                 FROM team_leads l JOIN employees e ON e.id = l.employee_id
                 WHERE l.team_id = t.id), '[]') AS leads
FROM teams t
"""
INSERT_TEAM = """
INSERT INTO teams (slug, name, response_sla_hours) VALUES ($1, $2, $3)
ON CONFLICT (slug) DO NOTHING RETURNING id
"""
UPDATE_TEAM = """
UPDATE teams SET name = coalesce($2, name), response_sla_hours = coalesce($3, response_sla_hours),
                 updated_at = now()
WHERE slug = $1 RETURNING id
"""
TEAM_ID = "SELECT id FROM teams WHERE slug = $1"
LEADS_ANY = """
SELECT EXISTS (SELECT 1 FROM team_leads WHERE employee_id = $1 AND team_id = ANY($2::bigint[]))
"""
PROVISION_BY_EMAIL = """
WITH inserted AS (
    INSERT INTO employees (email, name) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING RETURNING id
)
SELECT id FROM inserted UNION ALL SELECT id FROM employees WHERE email = $1
"""
ADD_LEAD = "INSERT INTO team_leads (team_id, employee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
REMOVE_LEAD = """
DELETE FROM team_leads WHERE team_id = $1
   AND employee_id = (SELECT id FROM employees WHERE email = $2) RETURNING employee_id
"""
EMPLOYEE_SELECT = """
SELECT e.id, e.email, e.name, e.is_admin, e.created_at, e.subject IS NOT NULL AS signed_in,
       t.slug AS team,
       ARRAY(SELECT lt.slug FROM team_leads l JOIN teams lt ON lt.id = l.team_id
             WHERE l.employee_id = e.id ORDER BY lt.slug) AS lead_of
FROM employees e LEFT JOIN teams t ON t.id = e.team_id
"""
INSERT_EMPLOYEE = """
INSERT INTO employees (email, name, team_id) VALUES ($1, $2, $3)
ON CONFLICT (email) DO NOTHING RETURNING id
"""


async def leads_any(conn: asyncpg.Connection, caller: Caller, team_ids: list[int]) -> bool:
    """Whether the caller leads one of these teams, as of this transaction."""
    if caller.employee is None:
        return False
    return await conn.fetchval(LEADS_ANY, caller.employee.id, team_ids)


def _team(row: asyncpg.Record) -> TeamRead:
    return TeamRead.model_validate(dict(row))


async def team_id(conn: asyncpg.Connection, slug: str, *, field: str | None = None) -> int:
    """The team's id; unknown is 404 for a path, 422 naming the body field otherwise."""
    found = await conn.fetchval(TEAM_ID, slug)
    if found is None:
        if field:
            raise ValidationFailed([{"field": field, "message": f"no team {slug!r}", "type": "unknown_team"}])
        raise NotFound(f"no team {slug!r}")
    return found


async def get_team(conn: asyncpg.Connection, *, slug: str) -> TeamRead:
    row = await conn.fetchrow(TEAM_SELECT + " WHERE t.slug = $1", slug)
    if row is None:
        raise NotFound(f"no team {slug!r}")
    return _team(row)


async def list_teams(conn: asyncpg.Connection) -> list[TeamRead]:
    return [_team(row) for row in await conn.fetch(TEAM_SELECT + " ORDER BY t.slug")]


async def create_team(conn: asyncpg.Connection, caller: Caller, data: TeamCreate) -> TeamRead:
    caller.require_admin()
    if await conn.fetchval(INSERT_TEAM, data.slug, data.name, data.response_sla_hours) is None:
        raise Conflict(f"a team {data.slug!r} already exists")
    await events.record(conn, "team.created", f"teams/{data.slug}", data.model_dump())
    return await get_team(conn, slug=data.slug)


async def update_team(conn: asyncpg.Connection, caller: Caller, *, slug: str, data: TeamUpdate) -> TeamRead:
    team = await team_id(conn, slug)
    if not (caller.is_admin or await leads_any(conn, caller, [team])):
        raise Forbidden("only an admin or the team's leads may change it")
    await conn.execute(UPDATE_TEAM, slug, data.name, data.response_sla_hours)
    await events.record(conn, "team.updated", f"teams/{slug}", data.model_dump(exclude_none=True))
    return await get_team(conn, slug=slug)


async def assign_lead(conn: asyncpg.Connection, caller: Caller, *, slug: str, email: str) -> TeamRead:
    caller.require_admin()
    team = await team_id(conn, slug)
    employee = await conn.fetchval(PROVISION_BY_EMAIL, email, "")
    if (await conn.execute(ADD_LEAD, team, employee)).endswith(" 1"):
        await events.record(conn, "team.lead_assigned", f"teams/{slug}", {"team": slug, "email": email})
    return await get_team(conn, slug=slug)


async def remove_lead(conn: asyncpg.Connection, caller: Caller, *, slug: str, email: str) -> TeamRead:
    caller.require_admin()
    team = await team_id(conn, slug)
    if await conn.fetchval(REMOVE_LEAD, team, email) is None:
        raise NotFound(f"{email} is not a lead of {slug!r}")
    await events.record(conn, "team.lead_removed", f"teams/{slug}", {"team": slug, "email": email})
    return await get_team(conn, slug=slug)


async def get_employee(conn: asyncpg.Connection, *, employee_id: int) -> EmployeeRead:
    row = await conn.fetchrow(EMPLOYEE_SELECT + " WHERE e.id = $1", employee_id)
    if row is None:
        raise NotFound("no such employee")
    return EmployeeRead.model_validate(dict(row))


async def list_employees(conn: asyncpg.Connection, *, team: str | None) -> list[EmployeeRead]:
    if team is None:
        rows = await conn.fetch(EMPLOYEE_SELECT + " ORDER BY e.email LIMIT 1000")
    else:
        await team_id(conn, team)
        rows = await conn.fetch(EMPLOYEE_SELECT + " WHERE t.slug = $1 ORDER BY e.email", team)
    return [EmployeeRead.model_validate(dict(row)) for row in rows]


async def create_employee(conn: asyncpg.Connection, caller: Caller, data: EmployeeCreate) -> EmployeeRead:
    caller.require_admin()
    team = await team_id(conn, data.team, field="body.team") if data.team else None
    new_id = await conn.fetchval(INSERT_EMPLOYEE, data.email, data.name, team)
    if new_id is None:
        raise Conflict(f"an employee {data.email} already exists")
    return await get_employee(conn, employee_id=new_id)
