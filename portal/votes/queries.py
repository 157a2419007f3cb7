"""SQL for votes. Both statements take the same first parameters in the same slots: $1 idea id,
$2 voter's employee id, $3 the voter's counter shard, $4 the statuses in which votes are closed;
casting also takes $5, the voter's team (a vote counts for the team it was cast for, even after
the voter moves on).

They take no lock on the idea's row beyond the one the votes foreign key takes (reading it FOR
KEY SHARE first cost a quarter of the vote rate while the relay updates rankings): a merge holds
votes back with a table lock instead (portal.ideas.merging)."""

from __future__ import annotations

from portal.lookups import VOTE_COUNT

CAST_VOTE = f"""
WITH idea AS (
    SELECT id, status, campaign_id, hidden_at IS NOT NULL AS hidden FROM ideas WHERE id = $1
), cast_vote AS (
    INSERT INTO votes (idea_id, employee_id, team_id)
    SELECT id, $2, $5::bigint FROM idea WHERE status <> ALL($4::text[]) AND NOT hidden
    ON CONFLICT DO NOTHING
    RETURNING idea_id
), counted AS (
    INSERT INTO idea_vote_shards AS s (idea_id, shard, votes)
    SELECT idea_id, $3, 1 FROM cast_vote
    ON CONFLICT (idea_id, shard) DO UPDATE SET votes = s.votes + 1
), event AS (
    INSERT INTO events (type, subject, data)
    SELECT 'vote.cast', 'ideas/' || idea_id,
           jsonb_build_object('idea_id', idea_id, 'employee_id', $2::bigint,
                              'team', (SELECT slug FROM teams WHERE id = $5::bigint))
    FROM cast_vote
)
-- The count is read from the statement's snapshot, before this vote; add it.
SELECT $1::bigint AS idea_id, (SELECT status FROM idea) AS status, (SELECT campaign_id FROM idea) AS campaign_id,
       (SELECT hidden FROM idea) AS hidden, (SELECT count(*) FROM cast_vote)::int AS changed,
       {VOTE_COUNT.format(idea="$1")} + (SELECT count(*) FROM cast_vote)::int AS vote_count
"""

WITHDRAW_VOTE = f"""
WITH idea AS (
    SELECT id, status, campaign_id, hidden_at IS NOT NULL AS hidden FROM ideas WHERE id = $1
), withdrawn AS (
    DELETE FROM votes
    WHERE idea_id = (SELECT id FROM idea WHERE status <> ALL($4::text[]) AND NOT hidden) AND employee_id = $2
    RETURNING idea_id, team_id
), counted AS (
    UPDATE idea_vote_shards SET votes = votes - 1
    WHERE idea_id = (SELECT idea_id FROM withdrawn) AND shard = $3
), event AS (
    INSERT INTO events (type, subject, data)
    SELECT 'vote.withdrawn', 'ideas/' || idea_id,
           jsonb_build_object('idea_id', idea_id, 'employee_id', $2::bigint,
                              'team', (SELECT slug FROM teams WHERE id = withdrawn.team_id))
    FROM withdrawn
)
SELECT $1::bigint AS idea_id, (SELECT status FROM idea) AS status, (SELECT campaign_id FROM idea) AS campaign_id,
       (SELECT hidden FROM idea) AS hidden, (SELECT count(*) FROM withdrawn)::int AS changed,
       {VOTE_COUNT.format(idea="$1")} - (SELECT count(*) FROM withdrawn)::int AS vote_count
"""

COUNTS = f"SELECT id AS idea_id, {VOTE_COUNT.format(idea='id')} AS vote_count FROM unnest($1::bigint[]) AS id"
