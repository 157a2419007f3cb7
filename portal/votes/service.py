"""Votes: cast and withdraw, idempotently, without serialising voters on one row.

Each vote statement writes the vote row, the voter's shard of the idea's counter and the
outbox event together, so vote_count (the sum of the shards) equals the number of vote rows
at every commit.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from portal.auth.caller import Caller
from portal.db import Connection, fetch_row
from portal.errors import Conflict, IdeaNotFound
from portal.lookups import shard_of
from portal.moderation import service as moderation
from portal.votes import queries as q
from portal.votes.schemas import VoteState
from portal.workflow import CLOSED_STATUSES

# The root of a merged duplicate's chain: the one idea in it that is not a duplicate.
ROOT = """
WITH RECURSIVE chain AS (
    SELECT id, duplicate_of, 1 AS depth FROM ideas WHERE id = $1
    UNION ALL
    SELECT i.id, i.duplicate_of, c.depth + 1 FROM ideas i JOIN chain c ON i.id = c.duplicate_of WHERE c.depth < 100
)
SELECT id FROM chain ORDER BY depth DESC LIMIT 1
"""


def _check(row: asyncpg.Record, idea_id: int) -> None:
    if row["status"] is None:
        raise IdeaNotFound(idea_id)
    if row["status"] in CLOSED_STATUSES:
        raise Conflict(f"the idea is {row['status']}; votes are closed", current_status=row["status"])


# A vote for a duplicate counts for the idea it was merged into; a chain merged meanwhile is
# followed this many times at most.
MAX_REDIRECTS = 5


async def _vote(conn: Connection, caller: Caller, idea_id: int, statement: str, *extra: object) -> asyncpg.Record:
    voter = caller.require_employee()
    for _ in range(MAX_REDIRECTS):
        row = await fetch_row(conn, statement, idea_id, voter.id, shard_of(voter.id), list(CLOSED_STATUSES), *extra)
        if row["hidden"]:  # changed nothing: a moderator hid it
            await moderation.require_visible_idea(conn, caller, idea_id)  # a 404 for whoever may not see it
            raise Conflict(
                "a moderator hid this idea; votes wait until it is shown again", current_status=row["status"]
            )
        if row["status"] != "duplicate":
            _check(row, idea_id)
            return row
        idea_id = await conn.fetchval(ROOT, idea_id)
    raise Conflict("the idea is being merged; try again", current_status="duplicate")


@dataclass(frozen=True)
class Vote:
    """A vote cast or withdrawn: its state, and the campaign whose rules apply (portal.actions.voting)."""

    state: VoteState
    voter_id: int
    campaign_id: int | None
    changed: bool  # False when the vote was already so (a retried request)


def _outcome(row: asyncpg.Record, caller: Caller, voted: bool) -> Vote:
    state = VoteState(idea_id=row["idea_id"], voted=voted, vote_count=row["vote_count"])
    return Vote(state, caller.require_employee().id, row["campaign_id"], row["changed"])


async def cast_vote(conn: Connection, caller: Caller, *, idea_id: int) -> Vote:
    """Votes for the idea, or, for a merged duplicate, for the idea it was merged into."""
    voter = caller.require_employee()
    return _outcome(await _vote(conn, caller, idea_id, q.CAST_VOTE, voter.team_id), caller, voted=True)


async def withdraw_vote(conn: Connection, caller: Caller, *, idea_id: int) -> Vote:
    return _outcome(await _vote(conn, caller, idea_id, q.WITHDRAW_VOTE), caller, voted=False)


async def counts(conn: Connection, idea_ids: list[int]) -> dict[int, int]:
    """Current vote counts of several ideas at once."""
    return {row["idea_id"]: row["vote_count"] for row in await conn.fetch(q.COUNTS, idea_ids)}
