"""Org files uploaded on the admins' page: checked when uploaded (the dry run is kept with the
file), applied later by id, when the admin has read what it will do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.audit.trail import Actor
from portal.auth.caller import Caller
from portal.config import Settings
from portal.db import Connection
from portal.directory import org_queries as q
from portal.directory import orgfile
from portal.errors import Conflict, NotFound


@dataclass(frozen=True)
class StoredImport:
    id: int
    file_name: str
    content: str | None
    summary: dict[str, Any]
    created_at: datetime
    applied_at: datetime | None


async def check(conn: Connection, caller: Caller, settings: Settings, *, file_name: str, content: bytes) -> int:
    """Keeps the file with its dry run; answers its id."""
    admin = caller.require_admin()
    plan = await orgfile.plan(conn, content)
    text = content.decode("utf-8-sig", errors="replace")
    return await conn.fetchval(q.SAVE_IMPORT, admin.id, file_name[:255], text, plan.as_json(settings))


async def get(conn: Connection, caller: Caller, import_id: int, *, for_update: bool = False) -> StoredImport:
    caller.require_admin()
    row = await conn.fetchrow(q.IMPORT_FOR_UPDATE if for_update else q.IMPORT, import_id)
    if row is None:
        raise NotFound(f"no org file {import_id}")
    return StoredImport(**{key: row[key] for key in StoredImport.__dataclass_fields__})


async def apply(conn: Connection, caller: Caller, settings: Settings, import_id: int, *, confirmed: bool) -> None:
    """Applies an uploaded file, once."""
    stored = await get(conn, caller, import_id, for_update=True)  # applied once, even if sent twice at once
    if stored.applied_at is not None or stored.content is None:
        raise Conflict("this file was applied already; upload it again to apply it again")
    plan = await orgfile.apply(conn, Actor.of("import", caller), settings, stored.content.encode(), confirmed=confirmed)
    await conn.execute(q.MARK_APPLIED, import_id, {**plan.as_json(settings), "applied_by": caller.name})
