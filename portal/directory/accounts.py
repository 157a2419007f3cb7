"""The identity provider's users (SCIM): each is an employee the directory keeps. Creating one
takes over the employee the portal already knew by that address; deleting one deactivates the
employee (their ideas, comments and votes stay) and removes the user from every group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from portal.audit import trail as audit
from portal.audit.trail import Actor
from portal.config import Settings
from portal.db import Connection
from portal.directory import leads, people
from portal.directory import queries as q
from portal.directory.people import Person
from portal.errors import Conflict, NotFound, PortalError


@dataclass(frozen=True)
class Account:
    """A user as the identity provider last wrote it."""

    user_name: str
    external_id: str | None
    display_name: str | None
    active: bool | None  # None: not sent (the employee is active)
    manager_id: int | None
    attributes: dict[str, Any]  # what else the portal keeps of the resource (portal.scim.models)


@dataclass(frozen=True)
class StoredAccount:
    employee_id: int
    account: Account
    email: str
    created_at: datetime
    updated_at: datetime


class Uniqueness(Conflict):
    """Another of the identity provider's users has this userName or address (SCIM `uniqueness`)."""

    title, slug = "Already provisioned", "uniqueness"


class UnknownAccount(NotFound):
    def __init__(self, employee_id: int) -> None:
        super().__init__(f"no user {employee_id}")


def from_row(row: asyncpg.Record) -> StoredAccount:
    return StoredAccount(
        employee_id=row["employee_id"],
        account=Account(
            user_name=row["user_name"],
            external_id=row["external_id"],
            display_name=row["display_name"],
            active=row["active"],
            manager_id=row["manager_id"],
            attributes=row["attributes"],
        ),
        email=row["email"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _audited(account: Account, email: str) -> dict[str, Any]:
    return {
        "userName": account.user_name,
        "externalId": account.external_id,
        "displayName": account.display_name,
        "active": account.active,
        "manager": account.manager_id,
        "email": email,
        **account.attributes,
    }


async def get(conn: Connection, employee_id: int) -> StoredAccount:
    row = await conn.fetchrow(q.ACCOUNT, employee_id)
    if row is None:
        raise UnknownAccount(employee_id)
    return from_row(row)


async def _check_manager(conn: Connection, manager_id: int | None) -> None:
    if manager_id is not None and not await conn.fetchval(q.ACCOUNT_EXISTS, manager_id):
        raise UnknownManager(manager_id)


class UnknownManager(PortalError):
    status, title, slug = 400, "No such manager", "unknown-manager"

    def __init__(self, manager_id: int) -> None:
        super().__init__(f"the manager {manager_id} is not a user of the directory")


async def _write(conn: Connection, statement: str, employee_id: int, account: Account) -> asyncpg.Record:
    written = await conn.fetchrow(
        statement,
        employee_id,
        account.user_name,
        account.external_id,
        account.display_name,
        account.active,
        account.manager_id,
        account.attributes,
    )
    if written is None:
        raise Uniqueness(f"another user has the userName {account.user_name!r}")
    return written


async def create(conn: Connection, actor: Actor, settings: Settings, account: Account, person: Person) -> StoredAccount:
    """A new user: the employee with the address, created or taken over, kept by SCIM from now on.
    Someone new belongs to no group yet, so only someone taken over has a team and leads to recompute."""
    await _check_manager(conn, account.manager_id)
    before, after, changes = await people.provision(
        conn, actor, person, managed_by="scim", active=account.active is not False
    )
    if before is not None and before["in_directory"]:
        raise Uniqueness(f"another user has the address {person.email}")
    employee_id = after["id"]
    written = await _write(conn, q.INSERT_ACCOUNT, employee_id, account)
    changes.append(("directory_user.created", f"employees/{employee_id}", None, _audited(account, person.email)))
    await audit.record(conn, actor, changes)
    if before is not None:
        await people.reconcile_scim(conn, actor, settings, [employee_id])
    return StoredAccount(employee_id, account, person.email, written["created_at"], written["updated_at"])


async def replace_account(
    conn: Connection, actor: Actor, settings: Settings, employee_id: int, account: Account, person: Person
) -> StoredAccount:
    """The user as the identity provider now says it is (a PUT, or a PATCH once applied)."""
    row = await conn.fetchrow(q.ACCOUNT_FOR_UPDATE, employee_id)
    if row is None:
        raise UnknownAccount(employee_id)
    before = from_row(row)
    if person.email != before.email and await conn.fetchval(q.ADDRESS_CLAIMED, person.email, employee_id):
        raise Uniqueness(f"another user has the address {person.email}")
    await _check_manager(conn, account.manager_id)
    try:
        async with conn.transaction():  # a savepoint: a taken userName is a 409, not a failed request
            await _write(conn, q.UPDATE_ACCOUNT, employee_id, account)
    except asyncpg.UniqueViolationError:
        raise Uniqueness(f"another user has the userName {account.user_name!r}") from None
    await people.update(conn, actor, employee_id, person, managed_by="scim")
    if (before.account.active is not False) != (account.active is not False):
        if account.active is False:
            await people.deactivate(conn, actor, [employee_id])
        else:
            await people.reactivate(conn, actor, [employee_id])
    if before.account != account:
        await audit.record(
            conn,
            actor,
            [
                (
                    "directory_user.updated",
                    f"employees/{employee_id}",
                    _audited(before.account, before.email),
                    _audited(account, person.email),
                )
            ],
        )
    await people.reconcile_scim(conn, actor, settings, [employee_id])
    return await get(conn, employee_id)


async def delete(conn: Connection, actor: Actor, settings: Settings, employee_id: int) -> None:
    """The user is gone from the directory: the employee is deactivated, out of every group, and
    the SCIM resource no longer exists (a later create with the same address brings them back)."""
    row = await conn.fetchrow(q.ACCOUNT_FOR_UPDATE, employee_id)
    if row is None:
        raise UnknownAccount(employee_id)
    teams = await leads.scim_teams_of(conn, settings, [employee_id])
    await conn.execute(q.DELETE_ACCOUNT, employee_id)
    await audit.record(
        conn,
        actor,
        [("directory_user.deleted", f"employees/{employee_id}", _audited(from_row(row).account, row["email"]), None)],
    )
    await people.deactivate(conn, actor, [employee_id])
    await leads.sync_scim(conn, actor, settings, teams)
