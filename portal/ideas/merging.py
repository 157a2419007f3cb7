"""Duplicates, merged: marking an idea a duplicate merges it into the root of its chain, and
moving it back to open undoes the merge.

A merge moves the duplicate's votes to the root (a voter of both counts once), has its author,
commenters and followers follow the root, withdraws its routings, and brings the root's vote
count, ranking and results up to date in the same transaction. Comments stay on the duplicate,
whose page links to the root. Undoing restores the votes as they were, except what voters did
since: a vote cast on the root after the merge stays, and a moved vote withdrawn since stays
withdrawn.

Exact under concurrency, without a lock on the vote path: a merge first locks the vote tables
against writes, which waits for the votes in flight and holds back new ones for the moment the
votes move (merges are rare and quick); a vote held back takes its snapshot after the merge
commits, sees the duplicate status and is cast on the root (tests/test_merges.py votes on both
ideas during a merge, and fails without the table lock).
"""

from __future__ import annotations

from dataclasses import dataclass

from portal import locks
from portal.db import Connection, fetch_row
from portal.errors import ValidationFailed
from portal.events import outbox
from portal.ideas import merge_queries as q
from portal.lookups import SHARDS


@dataclass
class Merged:
    root: int
    had: int  # votes the duplicate had
    moved: int  # of them, voters new to the root


async def lock_pair(conn: Connection, first: int, second: int) -> None:
    """Holds back votes everywhere (for the moment votes move), then the ranking clock (a merge
    refreshes both ideas' rankings), then both ideas: the order of portal.locks."""
    await conn.execute(q.LOCK_VOTES)
    await locks.hold_ranking_clock(conn)
    await conn.execute(q.LOCK_PAIR, sorted({first, second}))


async def root_of(conn: Connection, idea_id: int) -> int:
    """The idea at the end of the duplicate chain starting at idea_id."""
    chain = await conn.fetchval(q.CHAIN, idea_id)
    return chain[-1]


async def resolve_target(conn: Connection, *, idea_id: int, duplicate_of: int) -> int:
    """The root a duplicate would merge into; a chain that leads back to the idea is refused."""
    chain = await conn.fetchval(q.CHAIN, duplicate_of)
    if idea_id in chain:
        raise ValidationFailed(
            [
                {
                    "field": "duplicate_of",
                    "type": "duplicate_cycle",
                    "message": f"idea {duplicate_of} is (a duplicate of) a duplicate of this idea: that would be a cycle",
                }
            ]
        )
    return chain[-1]


async def _recount(conn: Connection, idea_ids: list[int]) -> None:
    await conn.execute(q.CLEAR_SHARDS, idea_ids)
    await conn.execute(q.RECOUNT, idea_ids, SHARDS)


async def merge(conn: Connection, *, idea_id: int, root: int, by: int) -> Merged:
    """Merges idea_id into root; both rows must be locked (lock_pair)."""
    merge_id = await conn.fetchval(q.CREATE_MERGE, idea_id, root, by)
    votes = await fetch_row(conn, q.MOVE_VOTES, idea_id, root, merge_id)
    await _recount(conn, [idea_id, root])
    await conn.execute(q.FOLLOW_ROOT, idea_id, root, merge_id)
    for row in await conn.fetch(q.WITHDRAW_ROUTINGS, idea_id, merge_id):
        await outbox.record(conn, "routing.withdrawn", f"ideas/{idea_id}", {"idea_id": idea_id, "team": row["slug"]})
    merged = Merged(root=root, had=votes["had"], moved=votes["moved"])
    await outbox.record(
        conn,
        "idea.merged",
        f"ideas/{idea_id}",
        {"id": idea_id, "into": root, "votes": merged.had, "votes_new_to_root": merged.moved, "by": by},
    )
    return merged


async def unmerge(conn: Connection, *, idea_id: int, by: int) -> int | None:
    """Undoes the idea's merge, if it has one; answers the idea it was merged into. The caller
    locked the idea and that idea's current root (lock_pair)."""
    active = await conn.fetchrow(q.ACTIVE_MERGE, idea_id)
    if active is None:
        return None
    root = await root_of(conn, active["into_idea_id"])
    votes = await fetch_row(conn, q.RESTORE_VOTES, idea_id, root, active["id"])
    await _recount(conn, [idea_id, root])
    await conn.execute(q.UNFOLLOW_ROOT, active["id"], active["into_idea_id"])
    restored = await conn.fetch(q.RESTORE_ROUTINGS, idea_id, active["id"])
    await conn.execute(q.UNDO_MERGE, active["id"], by)
    await outbox.record(
        conn,
        "idea.unmerged",
        f"ideas/{idea_id}",
        {
            "id": idea_id,
            "from": root,
            "votes_restored": votes["restored"],
            "routings_restored": len(restored),
            "by": by,
        },
    )
    return root


async def merged_into(conn: Connection, idea_id: int) -> list[dict]:
    return [dict(row) for row in await conn.fetch(q.MERGED_INTO, idea_id)]
