"""Votes: cast and withdraw, idempotently, without serialising voters on one row.

Each vote statement writes the vote row, the voter's shard of the idea's counter and the
outbox event together, so vote_count (the sum of the shards) equals the number of vote rows
at every commit.
"""
from __future__ import annotations

import asyncpg

from portal.auth.caller import Caller
from portal.errors import Conflict, NotFound
from portal.ideas.workflow import CLOSED_STATUSES
from portal.votes.schemas import VoteState

SHARDS = 32

CAST_VOTE = """
WITH idea AS (
    SELECT id, status FROM ideas WHERE id = $1
), cast_vote AS (
    INSERT INTO votes (idea_id, employee_id)
    SELECT id, $2 FROM idea WHERE status <> ALL($4::text[])
    ON CONFLICT DO NOTHING
    RETURNING idea_id
), counted AS (
    INSERT INTO idea_vote_shards AS s (idea_id, shard, votes)
    SELECT idea_id, $3, 1 FROM cast_vote
    ON CONFLICT (idea_id, shard) DO UPDATE SET votes = s.votes + 1
), event AS (
    INSERT INTO events (type, subject, data)
    SELECT 'vote.cast', 'ideas/' || idea_id,
           jsonb_build_object('idea_id', idea_id, 'employee_id', $2::bigint, 'team', $5::text)
    FROM cast_vote
)
-- The shard sum is read from the statement's snapshot, before this vote; add it.
SELECT (SELECT status FROM idea) AS status,
       (SELECT coalesce(sum(votes), 0) FROM idea_vote_shards WHERE idea_id = $1)
           + (SELECT count(*) FROM cast_vote) AS vote_count
"""
WITHDRAW_VOTE = """
WITH idea AS (
    SELECT id, status FROM ideas WHERE id = $1
), withdrawn AS (
    DELETE FROM votes
    WHERE idea_id = (SELECT id FROM idea WHERE status <> ALL($5::text[])) AND employee_id = $2
    RETURNING idea_id, employee_id, cast_at
), history AS (
    INSERT INTO vote_withdrawals (idea_id, employee_id, cast_at) SELECT * FROM withdrawn
), counted AS (
    UPDATE idea_vote_shards SET votes = votes - 1
    WHERE idea_id = (SELECT idea_id FROM withdrawn) AND shard = $3
), event AS (
    INSERT INTO events (type, subject, data)
    SELECT 'vote.withdrawn', 'ideas/' || idea_id,
           jsonb_build_object('idea_id', idea_id, 'employee_id', $2::bigint, 'team', $4::text)
    FROM withdrawn
)
SELECT (SELECT status FROM idea) AS status,
       (SELECT coalesce(sum(votes), 0) FROM idea_vote_shards WHERE idea_id = $1)
           - (SELECT count(*) FROM withdrawn) AS vote_count
"""


def shard_of(employee_id: int) -> int:
    return employee_id % SHARDS


def _check(row: asyncpg.Record, idea_id: int) -> None:
    if row["status"] is None:
        raise NotFound(f"no idea {idea_id}")
    if row["status"] in CLOSED_STATUSES:
        raise Conflict(f"the idea is {row['status']}; votes are closed", current_status=row["status"])


async def cast_vote(conn: asyncpg.Connection, caller: Caller, *, idea_id: int) -> VoteState:
    voter = caller.require_employee()
    row = await conn.fetchrow(CAST_VOTE, idea_id, voter.id, shard_of(voter.id),
                              list(CLOSED_STATUSES), voter.team_slug)
    _check(row, idea_id)
    return VoteState(idea_id=idea_id, voted=True, vote_count=row["vote_count"])


async def withdraw_vote(conn: asyncpg.Connection, caller: Caller, *, idea_id: int) -> VoteState:
    voter = caller.require_employee()
    row = await conn.fetchrow(WITHDRAW_VOTE, idea_id, voter.id, shard_of(voter.id), voter.team_slug,
                              list(CLOSED_STATUSES))
    _check(row, idea_id)
    return VoteState(idea_id=idea_id, voted=False, vote_count=row["vote_count"])
