"""The identity provider's groups and what they mean to the portal (docs/directory.md): the group
named PORTAL_DIRECTORY_ADMIN_GROUP makes admins; "<team's group><PORTAL_DIRECTORY_LEADS_SUFFIX>"
holds a team's leads; any other group is a team (its slug from its name, else its externalId),
created, or taken over when the portal already has a team of that slug. Members are the identity
provider's users; a change of members moves them between teams and changes leads."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import asyncpg

from portal.audit import trail as audit
from portal.audit.trail import Actor
from portal.config import Settings
from portal.db import Connection
from portal.directory import leads, people
from portal.directory import queries as q
from portal.directory.accounts import Uniqueness
from portal.errors import NotFound, PortalError
from portal.events import outbox

Kind = Literal["team", "leads", "admins", "moderators"]
MAX_SLUG = 63
TEAM_NAME_LENGTH = 200
SLUG_ATTEMPTS = 20


@dataclass(frozen=True)
class StoredGroup:
    id: int
    display_name: str
    external_id: str | None
    kind: Kind
    team_id: int | None  # the team it is (kind "team")
    team: str | None  # that team's slug
    created_at: datetime
    updated_at: datetime


class UnknownGroup(NotFound):
    def __init__(self, group_id: int) -> None:
        super().__init__(f"no group {group_id}")


class UnknownMembers(PortalError):
    status, title, slug = 400, "No such users", "unknown-members"

    def __init__(self, ids: list[int]) -> None:
        shown = ", ".join(str(i) for i in ids[:10]) + (" ..." if len(ids) > 10 else "")
        super().__init__(f"these members are not users of the directory: {shown}", members=ids[:100])


def kind_of(display_name: str, settings: Settings) -> Kind:
    name, suffix = display_name.casefold(), settings.directory_leads_suffix.casefold()
    if name == settings.directory_admin_group.casefold():
        return "admins"
    if name == settings.directory_moderator_group.casefold():
        return "moderators"
    if name.endswith(suffix) and len(name) > len(suffix):
        return "leads"
    return "team"


def slugify(text: str | None) -> str:
    """A team slug from a group's name: ASCII letters and digits, runs of anything else one hyphen."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:MAX_SLUG].rstrip("-")


def from_row(row: asyncpg.Record) -> StoredGroup:
    return StoredGroup(
        id=row["id"],
        display_name=row["display_name"],
        external_id=row["external_id"],
        kind=row["kind"],
        team_id=row["team_id"],
        team=row["team"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _audited(group: StoredGroup) -> dict[str, Any]:
    return {"displayName": group.display_name, "externalId": group.external_id, "kind": group.kind, "team": group.team}


async def get(conn: Connection, group_id: int) -> StoredGroup:
    row = await conn.fetchrow(q.GROUP, group_id)
    if row is None:
        raise UnknownGroup(group_id)
    return from_row(row)


async def member_ids(conn: Connection, group_id: int) -> list[int]:
    return [row["employee_id"] for row in await conn.fetch(q.MEMBER_IDS, group_id)]


async def _team_for(conn: Connection, actor: Actor, display_name: str, external_id: str | None) -> int:
    """The team a team group is: a new one, or the portal's team of that slug no group keeps yet."""
    base = slugify(display_name) or slugify(external_id) or "team"
    name = display_name[:TEAM_NAME_LENGTH]
    for attempt in range(1, SLUG_ATTEMPTS + 1):
        slug = base if attempt == 1 else f"{base[: MAX_SLUG - 4]}-{attempt}"
        row = await conn.fetchrow(q.TEAM_BY_SLUG, slug)
        if row is None:
            team_id = await conn.fetchval(q.INSERT_TEAM, slug, name, "scim")
            if team_id is None:
                continue  # created by another request meanwhile
            await outbox.record(conn, "team.created", f"teams/{slug}", {"slug": slug, "name": name})
            await audit.record(conn, actor, [("team.created", f"teams/{slug}", None, {"name": name})])
            return team_id
        if not row["linked"]:
            await conn.execute(q.KEEP_TEAM, row["id"], name, "scim")
            await outbox.record(conn, "team.updated", f"teams/{slug}", {"name": name})
            await audit.record(
                conn,
                actor,
                [
                    (
                        "team.taken_over",
                        f"teams/{slug}",
                        {"name": row["name"], "managed_by": row["managed_by"]},
                        {"name": name, "managed_by": "scim"},
                    )
                ],
            )
            return row["id"]
    raise Uniqueness(f"no free team slug for the group {display_name!r}")


async def _rename_team(conn: Connection, actor: Actor, team_id: int, display_name: str) -> None:
    name = display_name[:TEAM_NAME_LENGTH]
    slug = await conn.fetchval(q.KEEP_TEAM, team_id, name, "scim")
    await outbox.record(conn, "team.updated", f"teams/{slug}", {"name": name})
    await audit.record(conn, actor, [("team.renamed", f"teams/{slug}", None, {"name": name})])


async def _release_team(conn: Connection, actor: Actor, team_id: int) -> None:
    """The group that kept a team is gone or is no longer a team: the team stays, kept by hand."""
    slug = await conn.fetchval(q.RELEASE_TEAM, team_id)
    await audit.record(conn, actor, [("team.released", f"teams/{slug}", {"managed_by": "scim"}, {"managed_by": None})])


async def _teams_decided_by(conn: Connection, settings: Settings, group: StoredGroup) -> list[int]:
    """The team whose leads this group decides: its own (a team group) or the one it leads."""
    if group.kind == "team" and group.team_id is not None:
        return [group.team_id]
    if group.kind == "leads":
        team_id = await conn.fetchval(q.TEAM_LED_BY, group.display_name, settings.directory_leads_suffix)
        return [team_id] if team_id is not None else []
    return []


async def _check_members(conn: Connection, ids: Sequence[int]) -> list[int]:
    wanted = sorted(set(ids))
    unknown = [row["id"] for row in await conn.fetch(q.UNKNOWN_ACCOUNTS, wanted)]
    if unknown:
        raise UnknownMembers(unknown)
    return wanted


async def _locked(conn: Connection, group_id: int) -> StoredGroup:
    row = await conn.fetchrow(q.GROUP_FOR_UPDATE, group_id)
    if row is None:
        raise UnknownGroup(group_id)
    return from_row(row)


async def _write(conn: Connection, display_name: str, statement: str, *args: Any) -> Any:
    try:
        async with conn.transaction():
            return await conn.fetchval(statement, *args)
    except asyncpg.UniqueViolationError:
        raise Uniqueness(f"another group is named {display_name!r}") from None


async def create(
    conn: Connection,
    actor: Actor,
    settings: Settings,
    *,
    display_name: str,
    external_id: str | None,
    members: Sequence[int],
) -> StoredGroup:
    kind = kind_of(display_name, settings)
    wanted = await _check_members(conn, members)
    team_id = await _team_for(conn, actor, display_name, external_id) if kind == "team" else None
    group_id = await _write(conn, display_name, q.INSERT_GROUP, display_name, external_id, kind, team_id)
    added = [row["employee_id"] for row in await conn.fetch(q.ADD_MEMBERS, group_id, wanted)]
    group = await get(conn, group_id)
    await audit.record(
        conn, actor, [("group.created", f"groups/{group_id}", None, {**_audited(group), "members": added})]
    )
    await people.reconcile_scim(conn, actor, settings, added)
    await leads.sync_scim(conn, actor, settings, await _teams_decided_by(conn, settings, group))
    return group


async def update(
    conn: Connection, actor: Actor, settings: Settings, group_id: int, *, display_name: str, external_id: str | None
) -> StoredGroup:
    """A new name (which may change what the group means) or externalId."""
    before = await _locked(conn, group_id)
    if (before.display_name, before.external_id) == (display_name, external_id):
        return before
    kind = kind_of(display_name, settings)
    teams_before = await _teams_decided_by(conn, settings, before)
    team_id = before.team_id
    if before.kind == "team" and kind != "team" and team_id is not None:
        await _release_team(conn, actor, team_id)
        team_id = None
    elif kind == "team" and team_id is None:
        team_id = await _team_for(conn, actor, display_name, external_id)
    elif kind == "team" and team_id is not None and display_name != before.display_name:
        await _rename_team(conn, actor, team_id, display_name)
    await _write(conn, display_name, q.UPDATE_GROUP, group_id, display_name, external_id, kind, team_id)
    after = await get(conn, group_id)
    await audit.record(conn, actor, [("group.updated", f"groups/{group_id}", _audited(before), _audited(after))])
    if display_name != before.display_name:
        await people.reconcile_scim(conn, actor, settings, await member_ids(conn, group_id))
        await leads.sync_scim(conn, actor, settings, [*teams_before, *await _teams_decided_by(conn, settings, after)])
    return after


async def add_members(conn: Connection, actor: Actor, settings: Settings, group_id: int, ids: Sequence[int]) -> None:
    await _locked(conn, group_id)
    added = [row["employee_id"] for row in await conn.fetch(q.ADD_MEMBERS, group_id, await _check_members(conn, ids))]
    await _members_changed(conn, actor, settings, group_id, added=added, removed=[])


async def remove_members(
    conn: Connection, actor: Actor, settings: Settings, group_id: int, ids: Sequence[int] | None
) -> None:
    """Members `ids` leave the group; None: every member."""
    await _locked(conn, group_id)
    removed = [
        row["employee_id"]
        for row in await conn.fetch(q.REMOVE_MEMBERS, group_id, None if ids is None else sorted(set(ids)))
    ]
    await _members_changed(conn, actor, settings, group_id, added=[], removed=removed)


async def replace_members(
    conn: Connection, actor: Actor, settings: Settings, group_id: int, ids: Sequence[int]
) -> None:
    await _locked(conn, group_id)
    wanted = await _check_members(conn, ids)
    removed = [row["employee_id"] for row in await conn.fetch(q.KEEP_MEMBERS, group_id, wanted)]
    added = [row["employee_id"] for row in await conn.fetch(q.ADD_MEMBERS, group_id, wanted)]
    await _members_changed(conn, actor, settings, group_id, added=added, removed=removed)


async def _members_changed(
    conn: Connection, actor: Actor, settings: Settings, group_id: int, *, added: list[int], removed: list[int]
) -> None:
    if not added and not removed:
        return
    await conn.execute(q.TOUCH_GROUP, group_id)
    changes: list[audit.Change] = []
    if added:
        changes.append(("group.members_added", f"groups/{group_id}", None, {"members": added}))
    if removed:
        changes.append(("group.members_removed", f"groups/{group_id}", {"members": removed}, None))
    await audit.record(conn, actor, changes)
    await people.reconcile_scim(conn, actor, settings, [*added, *removed])


async def delete(conn: Connection, actor: Actor, settings: Settings, group_id: int) -> None:
    """The group is gone: its team (if it was one) stays, kept by hand from now on; its members
    are moved or lose their lead roles as their remaining groups say."""
    group = await _locked(conn, group_id)
    teams = await _teams_decided_by(conn, settings, group)
    members = await member_ids(conn, group_id)
    await conn.execute(q.DELETE_GROUP, group_id)
    if group.kind == "team" and group.team_id is not None:
        await _release_team(conn, actor, group.team_id)
    await audit.record(
        conn, actor, [("group.deleted", f"groups/{group_id}", {**_audited(group), "members": members}, None)]
    )
    await people.reconcile_scim(conn, actor, settings, members)
    await leads.sync_scim(conn, actor, settings, teams)
