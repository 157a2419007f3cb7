"""The audit trail: every administrative act (the directory's changes, and what admins and leads
do to teams, services, rules, webhooks, tokens, merges, campaigns and channels), with what it was
before and after, who did it (a token or an employee), when and from which address. Append-only:
the table refuses updates and deletes (but the retention job's, portal.retention)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from portal.audit import queries as q
from portal.auth.caller import Caller
from portal.db import Connection
from portal.network import is_ip_address

Source = Literal["scim", "import", "admin", "portal"]
# One change: what was done, to what, and the record before and after (None: did not exist).
Change = tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]
CSV_COLUMNS = ("id", "at", "source", "actor", "actor_name", "address", "action", "subject", "before", "after")


@dataclass(frozen=True)
class Actor:
    """Who acts: the identity provider's token, an admin or a lead, and through what."""

    source: Source
    label: str  # "token:3" or "employee:7"
    name: str  # the token's name or the employee's email address, as it was then
    address: str | None = None  # the network address the request came from

    @classmethod
    def of(cls, source: Source, caller: Caller) -> Actor:
        return cls(source, caller.label, caller.name, caller.address if is_ip_address(caller.address) else None)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    source: str
    actor: str
    actor_name: str
    address: str | None
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
        q.RECORD,
        actor.source,
        actor.label,
        actor.name,
        actor.address,
        list(actions),
        list(subjects),
        [None if value is None else json.dumps(value) for value in befores],
        [None if value is None else json.dumps(value) for value in afters],
    )


async def act(
    conn: Connection, caller: Caller, action: str, subject: str, *, before: Any = None, after: Any = None
) -> None:
    """Records one act done through the portal's API or pages; `before` and `after` are what the
    target was and became (a dict or a pydantic model; None: it did not exist)."""
    await record(conn, Actor.of("portal", caller), [(action, subject, _plain(before), _plain(after))])


def _plain(value: Any) -> dict[str, Any] | None:
    if value is None or isinstance(value, dict):
        return value
    dumped: dict[str, Any] = value.model_dump(mode="json")
    return dumped


@dataclass(frozen=True)
class Filters:
    """Which entries: about a subject, by someone (an actor label or name), an action or a kind
    of action ("webhook."), in a time range; None: any."""

    subject: str | None = None
    who: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    @property
    def values(self) -> tuple[Any, ...]:
        return (self.subject, self.who, self.action, self.since, self.until)


async def entries(
    conn: Connection, filters: Filters = Filters(), *, before_id: int | None = None, limit: int = 100
) -> list[AuditEntry]:
    """The newest entries first, older than `before_id`, those the filters let through."""
    rows = await conn.fetch(q.PAGE, *filters.values, before_id, limit)
    return [AuditEntry(**dict(row)) for row in rows]


def _cell(value: str) -> str:
    """A text cell a spreadsheet shows as text: a leading =, +, -, @, tab or return would make it
    a formula (names come from the identity provider; OWASP's CSV injection advice)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _json(value: dict[str, Any] | None) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


async def as_csv(conn: Connection, filters: Filters = Filters()) -> str:
    """Every entry the filters let through, oldest first, as CSV with a header row. Reads with a
    cursor, so runs inside the caller's transaction."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    async for row in conn.cursor(q.ALL, *filters.values, prefetch=2000):
        writer.writerow(
            [
                row["id"],
                row["at"].isoformat(),
                row["source"],
                row["actor"],
                _cell(row["actor_name"]),
                row["address"] or "",
                row["action"],
                _cell(row["subject"]),
                _json(row["before"]),
                _json(row["after"]),
            ]
        )
    return out.getvalue()
