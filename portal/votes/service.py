"""Votes: cast and withdraw, idempotently, without serialising voters on one row.

Each vote statement writes the vote row, the voter's shard of the idea's counter and the
outbox event together, so vote_count (the sum of the shards) equals the number of vote rows
at every commit.
"""

from __future__ import annotations

import asyncpg

from portal.auth.caller import Caller
from portal.db import Connection, fetch_row
from portal.errors import Conflict, IdeaNotFound
from portal.ideas.workflow import CLOSED_STATUSES
from portal.votes import queries as q
from portal.votes.schemas import VoteState

SHARDS = 32


def shard_of(employee_id: int) -> int:
    return employee_id % SHARDS


def _check(row: asyncpg.Record, idea_id: int) -> None:
    if row["status"] is None:
        raise IdeaNotFound(idea_id)
    if row["status"] in CLOSED_STATUSES:
        raise Conflict(f"the idea is {row['status']}; votes are closed", current_status=row["status"])


async def cast_vote(conn: Connection, caller: Caller, *, idea_id: int) -> VoteState:
    voter = caller.require_employee()
    row = await fetch_row(
        conn, q.CAST_VOTE, idea_id, voter.id, shard_of(voter.id), voter.team_slug, list(CLOSED_STATUSES)
    )
    _check(row, idea_id)
    return VoteState(idea_id=idea_id, voted=True, vote_count=row["vote_count"])


async def withdraw_vote(conn: Connection, caller: Caller, *, idea_id: int) -> VoteState:
    voter = caller.require_employee()
    row = await fetch_row(
        conn, q.WITHDRAW_VOTE, idea_id, voter.id, shard_of(voter.id), voter.team_slug, list(CLOSED_STATUSES)
    )
    _check(row, idea_id)
    return VoteState(idea_id=idea_id, voted=False, vote_count=row["vote_count"])


async def counts(conn: Connection, idea_ids: list[int]) -> dict[int, int]:
    """Current vote counts of several ideas at once."""
    return {row["idea_id"]: row["vote_count"] for row in await conn.fetch(q.COUNTS, idea_ids)}
