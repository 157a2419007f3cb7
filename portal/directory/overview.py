"""What the admins' directory page shows: where people come from, teams without a lead (their
routed ideas wait for an admin), who left lately, and the org files uploaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.auth.caller import Caller
from portal.db import Connection
from portal.directory import org_queries
from portal.directory import queries as q


@dataclass(frozen=True)
class LeadlessTeam:
    slug: str
    name: str
    managed_by: str | None
    waiting: int


@dataclass(frozen=True)
class Overview:
    status: dict[str, Any]
    leadless: list[LeadlessTeam]
    left: list[dict[str, Any]]
    imports: list[dict[str, Any]]


async def leadless_teams(conn: Connection) -> list[LeadlessTeam]:
    return [LeadlessTeam(**dict(row)) for row in await conn.fetch(q.LEADLESS_TEAMS)]


async def overview(conn: Connection, caller: Caller) -> Overview:
    caller.require_admin()
    return Overview(
        status=dict(await conn.fetchrow(q.STATUS) or {}),
        leadless=await leadless_teams(conn),
        left=[dict(row) for row in await conn.fetch(q.RECENTLY_LEFT, 10)],
        imports=[dict(row) for row in await conn.fetch(org_queries.RECENT_IMPORTS)],
    )
