"""The order every transaction takes its locks in, so no two of them wait for each other.

1. Table locks: a merge holds back votes (LOCK TABLE votes, idea_vote_shards) before anything else.
2. The ranking clock (`ranking_clock`'s one row), by any transaction that will take it at all:
   the outbox relay for its whole batch, a merge, the trending job. Only these take the ideas'
   rows FOR UPDATE or hold many at once, so with the clock first none of them waits for another
   while holding rows.
3. Ideas' rows, in ascending id, before anything about them: a transaction that writes an idea's
   routings (an answer, a position, a reopening, an overdue mark, the relay's routing and ranking)
   holds the idea's row first, so routings are never locked in two orders.
4. Everything else (routings, results, notifications, deliveries, events).

Votes stay outside: a vote writes its vote row and counter shard only (the foreign key's KEY SHARE
on its idea conflicts with none of the above but a merge's FOR UPDATE, which waits at step 1).
What still meets a deadlock or a serialization failure is retried by `portal.db.transaction`.
"""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from portal.db import Connection
from portal.errors import IdeaNotFound

HOLD_RANKING_CLOCK = "SELECT version FROM ranking_clock FOR UPDATE"
LOCK_IDEA = "SELECT id, author_id, status FROM ideas WHERE id = $1 FOR NO KEY UPDATE"
LOCK_IDEAS = "SELECT id FROM ideas WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE"


async def hold_ranking_clock(conn: Connection) -> None:
    """Step 2: the ranking clock, until the transaction ends."""
    await conn.execute(HOLD_RANKING_CLOCK)


async def lock_idea(conn: Connection, idea_id: int) -> asyncpg.Record:
    """Step 3 for one idea: its row (id, author_id, status), locked against concurrent changes."""
    row = await conn.fetchrow(LOCK_IDEA, idea_id)
    if row is None:
        raise IdeaNotFound(idea_id)
    return row


async def lock_ideas(conn: Connection, idea_ids: Iterable[int]) -> None:
    """Step 3 for many ideas at once, in ascending id (ideas that no longer exist are skipped)."""
    ids = sorted(set(idea_ids))
    if ids:
        await conn.execute(LOCK_IDEAS, ids)
