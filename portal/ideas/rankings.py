"""Maintained rankings: each idea's vote count and trending score, kept in columns an index
reads in order (sql/0005_rankings.sql) instead of being counted from the votes per request.

The outbox relay refreshes the ideas its vote events name, so the columns are seconds behind
the votes; a periodic job moves the trending window on. Both take the next ranking version and
keep the values they replace, which is what lets a listing rank as of its first page.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from portal.db import Connection, fetch_row
from portal.ideas import queries as q

TRENDING_WINDOW = timedelta(days=7)
# Cursors of `top` and `trending` listings are good for a day; their history a little longer.
LISTING_LIFETIME = timedelta(hours=24)
HISTORY_KEPT = LISTING_LIFETIME + timedelta(hours=1)


def _count(status: str) -> int:
    return int(status.split()[-1])


async def _next_version(conn: Connection) -> tuple[int, datetime, datetime]:
    """The next version, the moment up to which votes have left `trending`, and now."""
    clock = await fetch_row(conn, q.NEXT_RANKING_VERSION)
    return clock["version"], clock["trending_until"], clock["now"]


async def _refresh(conn: Connection, idea_ids: list[int], version: int, now: datetime) -> int:
    return _count(await conn.execute(q.REFRESH_RANKINGS, idea_ids, version, now - TRENDING_WINDOW))


async def refresh(conn: Connection, idea_ids: Iterable[int]) -> int:
    """Recounts these ideas' rankings from their votes; returns how many changed."""
    ids = sorted(set(idea_ids))
    if not ids:
        return 0
    version, _, now = await _next_version(conn)
    return await _refresh(conn, ids, version, now)


async def age_trending(conn: Connection) -> int:
    """Takes the votes that left the trending window since the last run out of their ideas'
    scores, and forgets history no cursor can still ask for; returns the ideas changed."""
    version, aged_until, now = await _next_version(conn)
    until = now - TRENDING_WINDOW
    aged = [row["idea_id"] for row in await conn.fetch(q.AGED_OUT, aged_until, until)]
    await conn.execute(q.ADVANCE_TRENDING_WINDOW, until)
    await conn.execute(q.PRUNE_RANK_HISTORY, now - HISTORY_KEPT)
    return await _refresh(conn, aged, version, now) if aged else 0
