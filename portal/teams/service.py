"""Teams, their leads, and employees."""

from __future__ import annotations

import asyncpg

from portal.audit import trail as audit
from portal.auth.caller import Caller
from portal.db import Connection
from portal.errors import Conflict, DirectoryManaged, Forbidden, NotFound
from portal.events import outbox
from portal.lookups import leads_any, team_id_by_slug
from portal.schemas import Named
from portal.teams import queries as q
from portal.teams.schemas import (
    EmployeeCreate,
    EmployeeRead,
    Preferences,
    TeamCreate,
    TeamRead,
    TeamUpdate,
)


async def teams_led_by(conn: Connection, caller: Caller) -> list[str]:
    """The slugs of the teams the caller leads, as of this transaction."""
    if caller.employee is None:
        return []
    return [row["slug"] for row in await conn.fetch(q.LEAD_OF, caller.employee.id)]


def _team(row: asyncpg.Record) -> TeamRead:
    return TeamRead.model_validate(dict(row))


async def get_team(conn: Connection, *, slug: str) -> TeamRead:
    row = await conn.fetchrow(q.TEAM_SELECT + " WHERE t.slug = $1", slug)
    if row is None:
        raise NotFound(f"no team {slug!r}")
    return _team(row)


async def team_names(conn: Connection) -> list[Named]:
    """Every team's slug and name (for choosing one), without the rest of its record."""
    return [Named.model_validate(dict(row)) for row in await conn.fetch(q.TEAM_NAMES)]


async def list_teams(conn: Connection) -> list[TeamRead]:
    return [_team(row) for row in await conn.fetch(q.TEAM_SELECT + " ORDER BY t.slug")]


async def create_team(conn: Connection, caller: Caller, data: TeamCreate) -> TeamRead:
    caller.require_admin()
    if await conn.fetchval(q.INSERT_TEAM, data.slug, data.name, data.response_sla_hours) is None:
        raise Conflict(f"a team {data.slug!r} already exists")
    await outbox.record(conn, "team.created", f"teams/{data.slug}", data.model_dump())
    team = await get_team(conn, slug=data.slug)
    await audit.act(conn, caller, "team.created", f"teams/{data.slug}", after=team)
    return team


async def update_team(conn: Connection, caller: Caller, *, slug: str, data: TeamUpdate) -> TeamRead:
    team_id = await team_id_by_slug(conn, slug)
    if not (caller.is_admin or await leads_any(conn, caller, [team_id])):
        raise Forbidden("only an admin or the team's leads may change it")
    before = await get_team(conn, slug=slug)
    managed_by = await conn.fetchval(q.TEAM_MANAGED_BY, team_id)
    if data.name is not None and managed_by is not None:
        raise DirectoryManaged(slug, managed_by)  # its response time is the portal's own, and stays editable
    await conn.execute(q.UPDATE_TEAM, slug, data.name, data.response_sla_hours)
    await outbox.record(conn, "team.updated", f"teams/{slug}", data.model_dump(exclude_none=True))
    team = await get_team(conn, slug=slug)
    await audit.act(conn, caller, "team.updated", f"teams/{slug}", before=before, after=team)
    return team


async def get_employee(conn: Connection, *, employee_id: int) -> EmployeeRead:
    row = await conn.fetchrow(q.EMPLOYEE_SELECT + " WHERE e.id = $1", employee_id)
    if row is None:
        raise NotFound("no such employee")
    return EmployeeRead.model_validate(dict(row))


async def update_preferences(conn: Connection, caller: Caller, data: Preferences) -> EmployeeRead:
    employee = caller.require_employee()
    fields = data.model_fields_set
    await conn.execute(
        q.UPDATE_PREFERENCES, employee.id, "locale" in fields, data.locale, "time_zone" in fields, data.time_zone
    )
    return await get_employee(conn, employee_id=employee.id)


PICKER_MATCHES = 8  # the choices a person picker offers at once


async def find_person(conn: Connection, text: str) -> tuple[str | None, list[EmployeeRead]]:
    """Who a person typed into a form means: an address as it is; else the one active colleague
    whose name (or address) matches, or (None, the matches) for them to choose from."""
    text = text.strip()
    if "@" in text or not text:
        return text, []
    matches = await list_employees(conn, team=None, search=text, limit=PICKER_MATCHES)
    return (matches[0].email if len(matches) == 1 else None), matches


async def list_employees(
    conn: Connection, *, team: str | None, search: str | None = None, limit: int = 20
) -> list[EmployeeRead]:
    """Employees by address (of a team); or, searching, active people by name (of a team)."""
    if team is not None:
        await team_id_by_slug(conn, team)
    if search is not None:
        return [
            EmployeeRead.model_validate(dict(row)) for row in await conn.fetch(q.EMPLOYEE_SEARCH, search, limit, team)
        ]
    if team is None:
        rows = await conn.fetch(q.EMPLOYEE_SELECT + " ORDER BY e.email LIMIT 1000")
    else:
        rows = await conn.fetch(q.EMPLOYEE_SELECT + " WHERE t.slug = $1 ORDER BY e.email", team)
    return [EmployeeRead.model_validate(dict(row)) for row in rows]


async def create_employee(conn: Connection, caller: Caller, data: EmployeeCreate) -> EmployeeRead:
    caller.require_admin()
    team_id = await team_id_by_slug(conn, data.team, field="team") if data.team else None
    new_id = await conn.fetchval(q.INSERT_EMPLOYEE, data.email, data.name, team_id)
    if new_id is None:
        raise Conflict(f"an employee {data.email} already exists")
    employee = await get_employee(conn, employee_id=new_id)
    await audit.act(conn, caller, "employee.created", f"employees/{new_id}", after=employee)
    return employee
