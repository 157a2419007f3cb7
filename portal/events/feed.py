"""The pull feed: every event exactly once, in a stable order, from any cursor.

Events are ordered by (txid, id) and only those written by transactions older than every
transaction still running are served (txid < xmin of the current snapshot). A transaction that
commits later has a txid at or above that xmin, so it always sorts after a cursor already
handed out: no event can appear behind a reader's cursor.
"""
from __future__ import annotations

import base64
import re

import asyncpg

from portal.errors import ValidationFailed

FEED = """
SELECT id, txid::text AS txid, type, subject, data, occurred_at FROM events
WHERE (txid, id) > ($1::text::xid8, $2::bigint)
  AND txid < pg_snapshot_xmin(pg_current_snapshot())
  AND ($3::text[] IS NULL OR type = ANY($3::text[]))
ORDER BY txid, id
LIMIT $4
"""
START = ("0", 0)
CURSOR = re.compile(r"^(\d{1,20})\.(\d{1,19})$")


def encode_cursor(txid: str, event_id: int) -> str:
    return base64.urlsafe_b64encode(f"{txid}.{event_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, field: str = "query.after") -> tuple[str, int]:
    if not cursor:
        return START
    try:
        match = CURSOR.match(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (ValueError, UnicodeDecodeError):
        match = None
    if match is None:
        raise ValidationFailed([{"field": field, "message": "not a cursor this API handed out",
                                 "type": "cursor"}])
    return match.group(1), int(match.group(2))


async def read(conn: asyncpg.Connection, *, after: tuple[str, int], types: list[str] | None,
               limit: int) -> tuple[list[asyncpg.Record], tuple[str, int]]:
    """Events after the position, and the position to continue from."""
    rows = await conn.fetch(FEED, after[0], after[1], types, limit)
    position = (rows[-1]["txid"], rows[-1]["id"]) if rows else after
    return rows, position
