"""SQL for this domain, as $n-parameterised constants."""

from __future__ import annotations

from portal.lookups import VOTE_COUNT

REQUEST_COMPILATION = """
INSERT INTO results_pending (idea_id) SELECT unnest($1::bigint[])
ON CONFLICT (idea_id) DO NOTHING
"""

TAKE_PENDING = """
DELETE FROM results_pending WHERE idea_id IN (
    SELECT idea_id FROM results_pending ORDER BY requested_at LIMIT $1 FOR UPDATE SKIP LOCKED
) RETURNING idea_id
"""

# The team each vote was cast for (the voter's then, kept when they move on), and that team's role
# toward the idea as routed (provider, customer, other).
TALLIES = """
SELECT v.idea_id, t.slug AS team, coalesce(r.role, 'other') AS role, count(*)::int AS votes
FROM votes v
LEFT JOIN teams t ON t.id = v.team_id
LEFT JOIN routings r ON r.idea_id = v.idea_id AND r.team_id = v.team_id AND r.state <> 'withdrawn'
WHERE v.idea_id = ANY($1::bigint[])
GROUP BY v.idea_id, t.slug, r.role
"""

# Each idea's results ($1 ids, $2 counts, $3/$4 tallies by team and by role as JSON text), for ideas that still
# exist; answers them in id order with when they were compiled.
SAVE_RESULTS = """
INSERT INTO idea_results (idea_id, vote_count, by_team, by_role, compiled_at)
SELECT r.idea_id, r.vote_count, r.by_team::jsonb, r.by_role::jsonb, now()
FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[]) AS r (idea_id, vote_count, by_team, by_role)
WHERE EXISTS (SELECT 1 FROM ideas WHERE id = r.idea_id)
ORDER BY r.idea_id
ON CONFLICT (idea_id) DO UPDATE
   SET vote_count = EXCLUDED.vote_count, by_team = EXCLUDED.by_team, by_role = EXCLUDED.by_role,
       compiled_at = EXCLUDED.compiled_at
RETURNING idea_id, compiled_at
"""

STORED_RESULTS = "SELECT vote_count, by_team, by_role, compiled_at FROM idea_results WHERE idea_id = $1"

DIGEST_CONTENT = f"""
WITH mine AS (
    SELECT r.*, i.title, i.status,
           {VOTE_COUNT.format(idea="i.id")} AS votes
    FROM routings r JOIN ideas i ON i.id = r.idea_id
    WHERE r.team_id = $1 AND r.state <> 'withdrawn'
)
SELECT
    coalesce((SELECT json_agg(json_build_object('idea_id', idea_id, 'title', title, 'role', role,
                                                'routed_at', routed_at) ORDER BY routed_at)
              FROM mine WHERE routed_at >= $2 AND routed_at < $3), '[]') AS newly_routed,
    coalesce((SELECT json_agg(x) FROM (
                  SELECT idea_id, title, votes, state FROM mine WHERE status <> ALL($4::text[])
                  ORDER BY votes DESC, idea_id LIMIT 5) x), '[]') AS most_supported_open,
    coalesce((SELECT json_agg(json_build_object('idea_id', idea_id, 'title', title, 'due_at', due_at)
                              ORDER BY due_at)
              FROM mine WHERE state = 'pending' AND due_at < $3), '[]') AS overdue,
    coalesce((SELECT json_agg(json_build_object('idea_id', idea_id, 'title', title, 'decision', state,
                                                'message', message, 'responded_at', responded_at)
                              ORDER BY responded_at)
              FROM mine WHERE responded_at >= $2 AND responded_at < $3), '[]') AS decisions,
    (SELECT round(count(*) FILTER (WHERE responded_at IS NOT NULL)::numeric / nullif(count(*), 0), 3)
     FROM mine WHERE routed_at < $3) AS response_rate,
    (SELECT round((percentile_cont(0.5) WITHIN GROUP (
                 ORDER BY extract(epoch FROM responded_at - routed_at)) / 3600)::numeric, 2)
     FROM mine WHERE responded_at IS NOT NULL AND responded_at < $3) AS median_response_hours,
    (SELECT count(*) FROM thanks WHERE to_team_id = $1 AND created_at >= $2 AND created_at < $3) AS thanks_received,
    coalesce((SELECT json_agg(x) FROM (
                  SELECT t.message, coalesce(nullif(e.name, ''), e.email) AS from_name, t.idea_id, t.created_at
                  FROM thanks t JOIN employees e ON e.id = t.sender_id
                  WHERE t.to_team_id = $1 AND t.public AND t.created_at >= $2 AND t.created_at < $3
                  ORDER BY t.id DESC LIMIT 5) x), '[]') AS thanks
"""

INSERT_DIGEST = """
INSERT INTO team_digests (team_id, period_start, period_end, content) VALUES ($1, $2, $3, $4)
RETURNING id
"""

DIGEST_COLUMNS = "d.id, t.slug AS team, d.period_start, d.period_end, d.compiled_at, d.content"

LIST_DIGESTS = f"""
SELECT {DIGEST_COLUMNS} FROM team_digests d JOIN teams t ON t.id = d.team_id
WHERE d.team_id = $1 ORDER BY d.id DESC LIMIT $2
"""

GET_DIGEST = f"""
SELECT {DIGEST_COLUMNS} FROM team_digests d JOIN teams t ON t.id = d.team_id
WHERE d.team_id = $1 AND d.id = $2
"""

ALL_TEAMS = "SELECT id FROM teams ORDER BY id"
