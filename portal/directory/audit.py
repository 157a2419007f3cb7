"""The directory's audit trail: every change it makes, with what it was before and after, who made
it (a token or an admin) and when. Append-only: the table refuses updates and deletes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from portal.auth.caller import Caller
from portal.db import Connection
from portal.directory import queries as q

Source = Literal["scim", "import", "admin"]
# One change: what was done, to what, and the record before and after (None: did not exist).
Change = tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]
CSV_COLUMNS = ("id", "at", "source", "actor", "actor_name", "action", "subject", "before", "after")


@dataclass(frozen=True)
class Actor:
    """Who makes a directory change: the identity provider's token, an admin, and through what."""

    source: Source
    label: str  # "token:3" or "employee:7"
    name: str  # the token's name or the admin's address, as it was then

    @classmethod
    def of(cls, source: Source, caller: Caller) -> Actor:
        return cls(source, caller.label, caller.name)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    source: str
    actor: str
    actor_name: str
    action: str
    subject: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


async def record(conn: Connection, actor: Actor, changes: Sequence[Change]) -> None:
    """Appends the changes, in order, in one statement."""
    if not changes:
        return
    actions, subjects, befores, afters = zip(*changes)
    await conn.execute(
        q.RECORD_AUDIT,
        actor.source,
        actor.label,
        actor.name,
        list(actions),
        list(subjects),
        [None if value is None else json.dumps(value) for value in befores],
        [None if value is None else json.dumps(value) for value in afters],
    )


async def entries(
    conn: Connection, *, before_id: int | None = None, subject: str | None = None, limit: int = 100
) -> list[AuditEntry]:
    """The newest entries first, older than `before_id`; only those about `subject` when given."""
    rows = await conn.fetch(q.AUDIT_PAGE, before_id, subject, limit)
    return [AuditEntry(**dict(row)) for row in rows]


def _cell(value: str) -> str:
    """A text cell a spreadsheet shows as text: a leading =, +, -, @, tab or return would make it
    a formula (names come from the identity provider; OWASP's CSV injection advice)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _json(value: dict[str, Any] | None) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


async def as_csv(conn: Connection, *, subject: str | None = None) -> str:
    """Every entry (about `subject` when given), oldest first, as CSV with a header row. Reads
    with a cursor, so runs inside the caller's transaction."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    async for row in conn.cursor(q.AUDIT_ALL, subject, prefetch=2000):
        writer.writerow(
            [
                row["id"],
                row["at"].isoformat(),
                row["source"],
                row["actor"],
                _cell(row["actor_name"]),
                row["action"],
                _cell(row["subject"]),
                _json(row["before"]),
                _json(row["after"]),
            ]
        )
    return out.getvalue()
