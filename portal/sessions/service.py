"""Browser sessions: a random token in an HttpOnly cookie, its SHA-256 in PostgreSQL.

Kept in PostgreSQL beside the employees (not in Redis, not in a signed cookie) so that signing
out ends a session at once, a stolen database copy signs nobody in, and the web client keeps
working through a Redis outage like the API does.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from portal.auth.caller import Employee
from portal.auth.service import employee_from_row
from portal.db import Connection
from portal.sessions import queries as q


@dataclass(frozen=True)
class Session:
    employee: Employee
    csrf_token: str
    locale: str | None
    time_zone: str | None
    lead_of: tuple[str, ...] = ()  # the teams whose inbox this employee may open, for the navigation
    unread: int = 0  # unread notifications when the request began, for the header's badge
    names_version: int | None = None  # teams' and services' names as of this version (portal.lookups)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def start(conn: Connection, *, employee_id: int, max_age_seconds: float) -> str:
    """A new session for the employee; returns the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    await conn.execute(q.CREATE_SESSION, token_hash(token), employee_id, secrets.token_urlsafe(32), max_age_seconds)
    return token


async def load(conn: Connection, token: str) -> Session | None:
    row = await conn.fetchrow(q.LOAD_SESSION, token_hash(token))
    if row is None:
        return None
    return Session(
        employee=employee_from_row(row),
        csrf_token=row["csrf_token"],
        locale=row["locale"],
        time_zone=row["time_zone"],
        lead_of=tuple(row["lead_of"]),
        unread=row["unread"],
        names_version=row["names_version"],
    )


async def end(conn: Connection, token: str) -> None:
    await conn.execute(q.END_SESSION, token_hash(token))


async def end_all(conn: Connection, employee_ids: list[int]) -> int:
    """Ends every open browser session of these employees; answers how many."""
    return int((await conn.execute(q.END_SESSIONS_OF, employee_ids)).split()[-1])
