"""Who leads which team: kept in line with the directory's groups for the teams it keeps, ended
when a lead leaves or moves away, assigned by hand by admins for the teams the portal keeps. A team
left without a lead has its routed ideas escalated to the admins at once."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from portal.audit import trail as audit
from portal.audit.trail import Actor
from portal.auth.caller import Caller
from portal.config import Settings
from portal.db import Connection
from portal.directory import queries as q
from portal.errors import DirectoryManaged, NotFound, ValidationFailed
from portal.events import outbox
from portal.routing.service import escalate_leadless

Change = asyncpg.Record  # lead (bool), team_id, team (slug), employee_id


async def apply(conn: Connection, actor: Actor, changes: Sequence[Change]) -> None:
    """Records lead changes already made (events, audit) and escalates the routings of teams they
    left without a lead."""
    if not changes:
        return
    emails = {row["id"]: row["email"] for row in await conn.fetch(q.EMAILS, [c["employee_id"] for c in changes])}
    await outbox.record_many(
        conn,
        [
            (
                "team.lead_changed",
                f"teams/{c['team']}",
                {"team": c["team"], "employee_id": c["employee_id"], "lead": c["lead"], "source": actor.source},
            )
            for c in changes
        ],
    )
    await audit.record(
        conn,
        actor,
        [
            (
                "team.lead_added" if c["lead"] else "team.lead_removed",
                f"teams/{c['team']}",
                None if c["lead"] else {"employee_id": c["employee_id"], "email": emails.get(c["employee_id"])},
                {"employee_id": c["employee_id"], "email": emails.get(c["employee_id"])} if c["lead"] else None,
            )
            for c in changes
        ],
    )
    await escalate_leadless(conn, team_ids=sorted({c["team_id"] for c in changes if not c["lead"]}))


async def sync_scim(conn: Connection, actor: Actor, settings: Settings, team_ids: Sequence[int]) -> None:
    """The leads of these SCIM-kept teams, as the directory's groups now say."""
    if team_ids:
        await apply(
            conn, actor, await conn.fetch(q.SYNC_SCIM_LEADS, sorted(set(team_ids)), settings.directory_leads_suffix)
        )


async def scim_teams_of(conn: Connection, settings: Settings, employee_ids: Sequence[int]) -> list[int]:
    """The SCIM-kept teams whose leads a change to these employees may affect."""
    rows = await conn.fetch(q.SCIM_TEAMS_OF, list(employee_ids), settings.directory_leads_suffix)
    return [row["team_id"] for row in rows]


async def end_all(conn: Connection, actor: Actor, employee_ids: Sequence[int]) -> None:
    """Employees who left lead nothing."""
    await apply(conn, actor, await conn.fetch(q.END_LEADS_OF, list(employee_ids)))


async def end_on_move(conn: Connection, actor: Actor, moves: Sequence[tuple[int, int]]) -> None:
    """Employees who moved away from a team (employee id, team id) no longer lead it."""
    if moves:
        employees, teams = zip(*moves)
        await apply(conn, actor, await conn.fetch(q.END_LEADS_ON_MOVE, list(employees), list(teams)))


async def _hand_editable_team(conn: Connection, slug: str) -> asyncpg.Record:
    team = await conn.fetchrow(q.TEAM_FOR_LEADS, slug)
    if team is None:
        raise NotFound(f"no team {slug!r}")
    if team["managed_by"] is not None:
        raise DirectoryManaged(slug, team["managed_by"])
    return team


async def assign_by_hand(conn: Connection, caller: Caller, *, slug: str, email: str) -> None:
    """An admin makes an active employee a lead of a team the portal keeps. An address that is not
    an active employee's is refused (422 naming it), never turned into a new person who gets email."""
    caller.require_admin()
    team = await _hand_editable_team(conn, slug)
    employee = await conn.fetchrow(q.EMPLOYEE_FOR_LEAD, email.lower())
    if employee is None or not employee["active"]:
        why = "no employee has this address" if employee is None else "this employee has left (deactivated)"
        raise ValidationFailed(
            [{"field": "email", "message": f"{email}: {why}", "type": "unknown_employee"}], location="path"
        )
    added = await conn.fetch(q.ADD_LEAD, team["id"], employee["id"])
    await apply(conn, Actor.of("admin", caller), added)


async def remove_by_hand(conn: Connection, caller: Caller, *, slug: str, email: str) -> None:
    caller.require_admin()
    team = await _hand_editable_team(conn, slug)
    employee = await conn.fetchrow(q.EMPLOYEE_FOR_LEAD, email.lower())
    removed = await conn.fetch(q.REMOVE_LEAD, team["id"], employee["id"]) if employee else []
    if not removed:
        raise NotFound(f"{email} is not a lead of {slug!r}")
    await apply(conn, Actor.of("admin", caller), removed)
