"""The SQL of merging duplicates (portal.ideas.merging)."""

from __future__ import annotations

# Holds every vote back while votes move, after the votes in flight end (a vote statement holds
# ROW EXCLUSIVE on these tables until it commits, and takes its snapshot only once it has them).
# Taken first, before any row lock: a vote waits for nothing else the merge holds, so no deadlock.
LOCK_VOTES = "LOCK TABLE votes, idea_vote_shards IN SHARE ROW EXCLUSIVE MODE"

# Both ideas' rows, in id order (no deadlock between two merges), FOR UPDATE: it waits for every
# vote in flight on either (a vote holds FOR KEY SHARE on its idea's row), and votes arriving
# meanwhile wait for the merge, then see its outcome.
LOCK_PAIR = "SELECT id FROM ideas WHERE id = ANY ($1::bigint[]) ORDER BY id FOR UPDATE"

# The chain from idea $1 through duplicate_of: its ids in order (cut at 100 links).
CHAIN = """
WITH RECURSIVE chain AS (
    SELECT id, duplicate_of, 1 AS depth FROM ideas WHERE id = $1
    UNION ALL
    SELECT i.id, i.duplicate_of, c.depth + 1 FROM ideas i JOIN chain c ON i.id = c.duplicate_of
    WHERE c.depth < 100
) CYCLE id SET looped USING path
SELECT array_agg(id ORDER BY depth) FROM chain WHERE NOT looped
"""

CREATE_MERGE = "INSERT INTO idea_merges (idea_id, into_idea_id, merged_by) VALUES ($1, $2, $3) RETURNING id"

ACTIVE_MERGE = "SELECT id, into_idea_id, routings FROM idea_merges WHERE idea_id = $1 AND undone_at IS NULL"

# Moves duplicate $1's votes to root $2 for merge $3, keeping each vote's time; a voter of both
# counts once. Answers how many votes the duplicate had and how many the root gained.
MOVE_VOTES = """
WITH taken AS (
    DELETE FROM votes WHERE idea_id = $1 RETURNING employee_id, cast_at, team_id
), recorded AS (
    INSERT INTO idea_merge_votes (merge_id, employee_id, cast_at, team_id, moved)
    SELECT $3, t.employee_id, t.cast_at, t.team_id,
           NOT EXISTS (SELECT 1 FROM votes v WHERE v.idea_id = $2 AND v.employee_id = t.employee_id)
    FROM taken t
    ON CONFLICT (merge_id, employee_id) DO NOTHING
), added AS (
    INSERT INTO votes (idea_id, employee_id, cast_at, team_id)
    SELECT $2, employee_id, cast_at, team_id FROM taken
    ON CONFLICT DO NOTHING
    RETURNING employee_id
)
SELECT (SELECT count(*) FROM taken)::int AS had, (SELECT count(*) FROM added)::int AS moved
"""


# Gives the votes back to duplicate $1 from root $2 for merge $3: a moved vote still on the root
# goes back; a voter who withdrew it since stays withdrawn; a voter who also votes for the root
# now (before the merge, or again since) keeps that vote and gets the duplicate's back.
RESTORE_VOTES = """
WITH recorded AS (
    SELECT employee_id, cast_at, team_id, moved FROM idea_merge_votes WHERE merge_id = $3
), taken AS (
    DELETE FROM votes v USING recorded r
    WHERE r.moved AND v.idea_id = $2 AND v.employee_id = r.employee_id AND v.cast_at = r.cast_at
    RETURNING v.employee_id
), restored AS (
    INSERT INTO votes (idea_id, employee_id, cast_at, team_id)
    SELECT $1, r.employee_id, r.cast_at, r.team_id FROM recorded r
    WHERE NOT r.moved
       OR r.employee_id IN (SELECT employee_id FROM taken)
       OR EXISTS (SELECT 1 FROM votes v WHERE v.idea_id = $2 AND v.employee_id = r.employee_id)
    ON CONFLICT DO NOTHING
    RETURNING employee_id
)
SELECT (SELECT count(*) FROM restored)::int AS restored, (SELECT count(*) FROM taken)::int AS taken
"""

# The counter shards of locked ideas $1, rebuilt from their vote rows (two statements: an insert
# cannot reuse keys a delete in the same statement frees).
CLEAR_SHARDS = "DELETE FROM idea_vote_shards WHERE idea_id = ANY ($1::bigint[])"
RECOUNT = """
INSERT INTO idea_vote_shards (idea_id, shard, votes)
SELECT idea_id, (employee_id % $2)::int, count(*) FROM votes WHERE idea_id = ANY ($1::bigint[]) GROUP BY 1, 2
"""

# The duplicate's author, commenters and followers follow root $2 (unless they unfollowed it).
FOLLOW_ROOT = """
WITH followers AS (
    SELECT author_id AS employee_id FROM ideas WHERE id = $1
    UNION SELECT author_id FROM comments WHERE idea_id = $1 AND deleted_at IS NULL
    UNION SELECT employee_id FROM follows WHERE idea_id = $1 AND following
), added AS (
    INSERT INTO follows (employee_id, idea_id)
    SELECT employee_id, $2 FROM followers
    ON CONFLICT (idea_id, employee_id) WHERE idea_id IS NOT NULL DO NOTHING
    RETURNING employee_id
)
INSERT INTO idea_merge_follows (merge_id, employee_id) SELECT $3, employee_id FROM added
"""

UNFOLLOW_ROOT = """
DELETE FROM follows f USING idea_merge_follows m
WHERE m.merge_id = $1 AND f.idea_id = $2 AND f.employee_id = m.employee_id AND f.following
"""

# Withdraws duplicate $1's routings, keeping what they were on merge $2.
WITHDRAW_ROUTINGS = """
WITH previous AS (
    SELECT r.team_id, r.state, t.slug FROM routings r JOIN teams t ON t.id = r.team_id
    WHERE r.idea_id = $1 AND r.state <> 'withdrawn'
), kept AS (
    UPDATE idea_merges SET routings = (
        SELECT coalesce(jsonb_agg(jsonb_build_object('team_id', team_id, 'state', state)), '[]') FROM previous
    ) WHERE id = $2
), withdrawn AS (
    UPDATE routings SET state = 'withdrawn' WHERE idea_id = $1 AND state <> 'withdrawn'
)
SELECT slug FROM previous ORDER BY slug
"""

# Puts back the routings merge $2 withdrew from duplicate $1.
RESTORE_ROUTINGS = """
UPDATE routings r SET state = p.state
FROM idea_merges m, jsonb_to_recordset(m.routings) AS p(team_id bigint, state text)
WHERE m.id = $2 AND r.idea_id = $1 AND r.team_id = p.team_id AND r.state = 'withdrawn'
RETURNING r.team_id
"""

UNDO_MERGE = "UPDATE idea_merges SET undone_at = now(), undone_by = $2 WHERE id = $1"

# The ideas merged into idea $1 (directly), for its page.
MERGED_INTO = """
SELECT i.id, i.title, i.comment_count FROM idea_merges m JOIN ideas i ON i.id = m.idea_id
WHERE m.into_idea_id = $1 AND m.undone_at IS NULL ORDER BY m.id
"""
