"""The pull feed: every event exactly once, in one stable order, from any cursor.

Events get their feed position from `sequence`, a single serialised step (a transaction-level
advisory lock): it numbers committed, not yet numbered events after the highest position given
so far. A sequencing transaction can only start once the previous one has committed (PostgreSQL
releases the lock after the commit is visible), so the positions any reader can see always form
an unbroken run 1..n. Nothing can later appear behind a cursor already handed out, and no other
transaction on the server, in this database or another, holds the feed back.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import asyncpg

from portal.auth.caller import Caller
from portal.db import Connection
from portal.errors import Forbidden, ValidationFailed
from portal.events import queries as q
from portal.events.cloudevents import VOTER_SCOPE

SEQUENCE_LOCK_ID = 7_141_592_654
RELAY_LOCK_ID = 7_141_592_655  # workers.relay: one relay at a time

START = 0
# A cursor is a feed position, "p" and its number: any such position is a place in the feed
# (one past the end reads nothing yet), so every cursor the OpenAPI pattern allows is accepted.
CURSOR_PATTERN = r"^(p[0-9]{1,18})?$"  # empty, like leaving it out: from the beginning
CURSOR = re.compile(r"^p([0-9]{1,18})$")
# Still accepted, for integrations holding them: the same base64-encoded (handed out before
# 2026-11-29), and "<txid>.<event id>" base64-encoded (before feed positions existed).
LEGACY_CURSOR = re.compile(r"^(\d{1,20})\.(\d{1,18})$")


@dataclass(frozen=True)
class Cursor:
    position: int | None = START
    legacy_event_id: int | None = None


def encode_cursor(position: int) -> str:
    return f"p{position}"


def decode_cursor(cursor: str | None, field: str = "after", location: str = "query") -> Cursor:
    if not cursor:
        return Cursor()
    if match := CURSOR.match(cursor):
        return Cursor(position=int(match.group(1)))
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        text = ""
    if match := CURSOR.match(text):
        return Cursor(position=int(match.group(1)))
    if match := LEGACY_CURSOR.match(text):
        return Cursor(position=None, legacy_event_id=int(match.group(2)))
    error = {"field": field, "message": "not a cursor this API handed out", "type": "cursor"}
    raise ValidationFailed([error], location=location)


async def resolve(conn: Connection, cursor: Cursor) -> int:
    """The feed position a cursor stands for."""
    if cursor.position is not None:
        return cursor.position
    # Migration 0003 numbered the old events in the order old cursors walked them.
    return await conn.fetchval(q.POSITION_OF_EVENT, cursor.legacy_event_id)


async def sequence(conn: Connection, *, limit: int = 5000) -> int:
    """Numbers up to `limit` unnumbered events and commits; 0 when there were none or another
    process was sequencing at that moment. Needs a connection outside any transaction."""
    if conn.is_in_transaction():
        raise RuntimeError("feed positions must be committed on their own, not inside another transaction")
    if not await conn.fetchval(q.HAS_UNSEQUENCED):
        return 0
    async with conn.transaction():
        if not await conn.fetchval(q.TRY_LOCK, SEQUENCE_LOCK_ID):
            return 0
        status = await conn.execute(q.SEQUENCE, limit)
    return int(status.split()[-1])


async def read(
    conn: Connection, *, after: int, types: list[str] | None, limit: int
) -> tuple[list[asyncpg.Record], int]:
    """Events after the position, and the position to continue from. A page shorter than `limit`
    covered everything numbered so far, so a filtered reader skips past what it does not want."""
    top = await head(conn)  # first: anything numbered after this read is left for the next page
    rows = await conn.fetch(q.FEED, after, top, types, limit)
    if len(rows) == limit:
        return rows, rows[-1]["feed_position"]
    return rows, max(after, top)


async def head(conn: Connection) -> int:
    """The highest position given so far."""
    return await conn.fetchval(q.HEAD)


def require_reader(caller: Caller) -> bool:
    """The raw feed is for integrations (API tokens with events:read, checked by the route) and
    admins; employees read ideas through the ideas API. True when voter identities may be shown."""
    if caller.employee is not None and not caller.employee.is_admin:
        raise Forbidden("the event feed is for integrations and admins")
    return VOTER_SCOPE in caller.scopes
