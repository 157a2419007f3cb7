"""Employees as the directory sees them: provisioned (created, or taken over when the portal
already knew their address), changed, moved between teams, deactivated and reactivated. Shared by
SCIM (portal.scim) and org files (orgfile); every change is an event and an audit entry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import asyncpg

from portal.audit import trail as audit
from portal.audit.trail import Actor
from portal.config import Settings
from portal.db import Connection, fetch_row
from portal.directory import leads
from portal.directory import queries as q
from portal.errors import Conflict
from portal.events import outbox
from portal.notifications.emails import drop_for
from portal.sessions.service import end_all as end_sessions

ManagedBy = Literal["scim", "import"]


@dataclass(frozen=True)
class Person:
    """What the directory says about a person, in the portal's terms."""

    email: str
    name: str
    given_name: str = ""
    family_name: str = ""


def snapshot(row: asyncpg.Record | None) -> dict[str, Any] | None:
    """An employee as the audit shows them before or after a change."""
    if row is None:
        return None
    return {key: row[key] for key in ("email", "name", "given_name", "family_name", "active", "team", "is_admin")}


class EmailTaken(Conflict):
    title, slug = "Address already in use", "email-taken"

    def __init__(self, email: str) -> None:
        super().__init__(f"{email} is another employee's address in the directory", email=email)


async def provision(
    conn: Connection, actor: Actor, person: Person, *, managed_by: ManagedBy, active: bool = True
) -> tuple[asyncpg.Record | None, asyncpg.Record, list[audit.Change]]:
    """The employee with this address, kept by the directory from now on: created, or the one the
    portal already knew (their ideas and votes stay theirs). Answers them before (None: new) and
    after, and the audit entries the caller records with its own (one statement for all)."""
    before = await conn.fetchrow(q.PERSON_BY_EMAIL, person.email)
    if before is None:
        after = await fetch_row(
            conn, q.INSERT_PERSON, person.email, person.name, person.given_name, person.family_name, managed_by, active
        )
    else:
        after = await fetch_row(
            conn,
            q.UPDATE_PERSON,
            before["id"],
            person.email,
            person.name,
            person.given_name,
            person.family_name,
            managed_by,
        )
    employee_id = after["id"]
    await outbox.record(
        conn, "employee.provisioned", f"employees/{employee_id}", {"employee_id": employee_id, "source": actor.source}
    )
    if before is not None:
        if before["active"] and not active:
            await deactivate(conn, actor, [employee_id])
        elif not before["active"] and active:
            await reactivate(conn, actor, [employee_id])
    return before, after, [("employee.provisioned", f"employees/{employee_id}", snapshot(before), snapshot(after))]


async def update(conn: Connection, actor: Actor, employee_id: int, person: Person, *, managed_by: ManagedBy) -> None:
    """Changes a directory-kept employee's name or address."""
    before = await fetch_row(conn, q.PERSON_BY_ID, employee_id)
    changed = [field for field, value in asdict(person).items() if before[field] != value]
    if not changed and before["managed_by"] == managed_by:
        return
    try:
        async with conn.transaction():  # a savepoint: an address taken is a 409, not a failed request
            after = await fetch_row(
                conn,
                q.UPDATE_PERSON,
                employee_id,
                person.email,
                person.name,
                person.given_name,
                person.family_name,
                managed_by,
            )
    except asyncpg.UniqueViolationError:
        raise EmailTaken(person.email) from None
    if changed:
        await outbox.record(
            conn, "employee.updated", f"employees/{employee_id}", {"employee_id": employee_id, "fields": changed}
        )
    await audit.record(
        conn, actor, [("employee.updated", f"employees/{employee_id}", snapshot(before), snapshot(after))]
    )


async def deactivate(conn: Connection, actor: Actor, employee_ids: Sequence[int]) -> list[int]:
    """They left: sign-in refused and browser sessions ended at once, lead roles ended (their teams'
    routings escalated if that leaves them without a lead), queued emails dropped; their ideas,
    comments and votes stay. Answers those who were active."""
    left = [row["id"] for row in await conn.fetch(q.DEACTIVATE, sorted(set(employee_ids)))]
    if not left:
        return []
    await end_sessions(conn, left)
    await drop_for(conn, left)
    await leads.end_all(conn, actor, left)
    await _record(conn, actor, "employee.deactivated", left, before={"active": True}, after={"active": False})
    return left


async def reactivate(conn: Connection, actor: Actor, employee_ids: Sequence[int]) -> list[int]:
    """They came back: they may sign in again (lead roles come back only from the directory)."""
    back = [row["id"] for row in await conn.fetch(q.REACTIVATE, sorted(set(employee_ids)))]
    if back:
        await _record(conn, actor, "employee.reactivated", back, before={"active": False}, after={"active": True})
    return back


async def _record(conn: Connection, actor: Actor, type_: str, ids: list[int], *, before: dict, after: dict) -> None:
    await outbox.record_many(
        conn,
        [(type_, f"employees/{i}", {"employee_id": i, "source": actor.source}) for i in ids],
    )
    await audit.record(conn, actor, [(type_, f"employees/{i}", before, after) for i in ids])


async def reconcile_scim(conn: Connection, actor: Actor, settings: Settings, employee_ids: Sequence[int]) -> None:
    """The team, admin and moderator roles of SCIM-kept employees, and the leads of the teams they touch, as
    their groups now say (docs/directory.md: the team is the group named as their department, else
    the one they joined first)."""
    ids = sorted(set(employee_ids))
    if not ids:
        return
    teams_before = await leads.scim_teams_of(conn, settings, ids)
    changed = await conn.fetch(q.RECONCILE_SCIM, ids)
    moves = [row for row in changed if row["from_team_id"] != row["to_team_id"]]
    await record_moves(conn, actor, moves)
    await audit.record(
        conn,
        actor,
        [
            (
                "employee.admin_changed",
                f"employees/{row['id']}",
                {"is_admin": row["was_admin"]},
                {"is_admin": row["is_admin"]},
            )
            for row in changed
            if row["was_admin"] != row["is_admin"]
        ]
        + [
            (
                "employee.moderator_changed",
                f"employees/{row['id']}",
                {"is_moderator": row["was_moderator"]},
                {"is_moderator": row["is_moderator"]},
            )
            for row in changed
            if row["was_moderator"] != row["is_moderator"]
        ],
    )
    await leads.end_on_move(conn, actor, [(row["id"], row["from_team_id"]) for row in moves if row["from_team_id"]])
    await leads.sync_scim(conn, actor, settings, [*teams_before, *await leads.scim_teams_of(conn, settings, ids)])


async def record_moves(conn: Connection, actor: Actor, moves: Sequence[asyncpg.Record]) -> None:
    """Events and audit entries for employees whose team changed (rows: id, from_team, to_team)."""
    await outbox.record_many(
        conn,
        [
            (
                "employee.moved",
                f"employees/{row['id']}",
                {"employee_id": row["id"], "from_team": row["from_team"], "to_team": row["to_team"]},
            )
            for row in moves
        ],
    )
    await audit.record(
        conn,
        actor,
        [
            ("employee.moved", f"employees/{row['id']}", {"team": row["from_team"]}, {"team": row["to_team"]})
            for row in moves
        ],
    )
