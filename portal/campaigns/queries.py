"""The SQL of campaigns."""

from __future__ import annotations

# The phase a campaign is in now, by its deadlines.
PHASE_NOW = """(CASE WHEN now() < c.collect_until THEN 'collect' WHEN now() < c.vote_until THEN 'vote'
      WHEN now() < c.decide_until THEN 'decide' ELSE 'closed' END)"""

INSERT = """
INSERT INTO campaigns (slug, question, description, team_id, created_by, collect_until, vote_until, decide_until,
                       vote_budget)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (slug) DO NOTHING
RETURNING id
"""
LINK_SERVICES = "INSERT INTO campaign_services (campaign_id, service_id) SELECT $1, unnest($2::bigint[])"
LINK_TEAMS = (
    "INSERT INTO campaign_teams (campaign_id, team_id, role) SELECT $1, unnest($2::bigint[]), unnest($3::text[])"
)

# $1 viewer (NULL: an API token).
COLUMNS = f"""
c.slug, c.question, c.description, t.slug AS team, c.collect_until, c.vote_until, c.decide_until, c.vote_budget,
{PHASE_NOW} AS phase, c.results, c.results_compiled_at, c.created_at,
ARRAY(SELECT s.slug FROM campaign_services x JOIN services s ON s.id = x.service_id
      WHERE x.campaign_id = c.id ORDER BY s.slug) AS services,
coalesce((SELECT json_agg(json_build_object('team', tt.slug, 'role', ct.role) ORDER BY tt.slug)
          FROM campaign_teams ct JOIN teams tt ON tt.id = ct.team_id WHERE ct.campaign_id = c.id), '[]') AS teams,
(SELECT count(*) FROM ideas WHERE campaign_id = c.id)::int AS idea_count,
CASE WHEN c.vote_budget IS NOT NULL AND $1::bigint IS NOT NULL THEN
    c.vote_budget - (SELECT count(*) FROM votes v JOIN ideas i ON i.id = v.idea_id
                     WHERE i.campaign_id = c.id AND v.employee_id = $1)::int
END AS votes_left
"""
FROM = "FROM campaigns c LEFT JOIN teams t ON t.id = c.team_id"

GET = f"SELECT {COLUMNS} {FROM} WHERE c.slug = $2"

LIST = f"""
SELECT {COLUMNS} {FROM}
WHERE $2::text IS NULL OR {PHASE_NOW} = $2
ORDER BY c.collect_until DESC, c.id DESC
LIMIT 200
"""

# For posting an idea into campaign $1: its id, whether it collects ideas now, and its scope.
FOR_POSTING = """
SELECT c.id, now() < c.collect_until AS collecting, c.collect_until,
       ARRAY(SELECT s.slug FROM campaign_services x JOIN services s ON s.id = x.service_id
             WHERE x.campaign_id = c.id) AS services,
       ARRAY(SELECT tt.slug FROM campaign_teams ct JOIN teams tt ON tt.id = ct.team_id
             WHERE ct.campaign_id = c.id ORDER BY tt.slug) AS team_slugs,
       ARRAY(SELECT ct.role FROM campaign_teams ct JOIN teams tt ON tt.id = ct.team_id
             WHERE ct.campaign_id = c.id ORDER BY tt.slug) AS team_roles
FROM campaigns c WHERE c.slug = $1
"""

# Serialises one employee's votes in one campaign, so its budget holds under concurrent votes.
LOCK_VOTER = "SELECT pg_advisory_xact_lock($1::int, $2::int)"

# Whether campaign $1 takes votes now, and employee $2's votes in it (this one included).
VOTING = """
SELECT c.slug, c.vote_budget, c.collect_until, c.vote_until,
       now() >= c.collect_until AND now() < c.vote_until AS voting,
       (SELECT count(*) FROM votes v JOIN ideas i ON i.id = v.idea_id
        WHERE i.campaign_id = c.id AND v.employee_id = $2)::int AS votes
FROM campaigns c WHERE c.id = $1
"""

# Campaigns whose phase by the deadlines is past the one recorded, locked one at a time (another
# scheduler's run skips them, then finds nothing left to do).
DUE = f"""
SELECT c.id, c.slug, c.phase, {PHASE_NOW} AS now_phase FROM campaigns c
WHERE c.phase <> 'closed' AND c.phase <> {PHASE_NOW}
ORDER BY c.id
FOR UPDATE SKIP LOCKED
"""

# Moves campaign $1 from phase $2 to $3, once: a second run finds it moved already.
MOVE = """
UPDATE campaigns SET phase = $3, phase_changed_at = now() WHERE id = $1 AND phase = $2 RETURNING id
"""

# The results: every idea posted into campaign $1 by votes, with the voters and votes in all.
RESULTS = """
SELECT coalesce((SELECT json_agg(x) FROM (
           SELECT i.id, i.title, i.status, count(v.employee_id)::int AS votes
           FROM ideas i LEFT JOIN votes v ON v.idea_id = i.id
           WHERE i.campaign_id = $1 GROUP BY i.id ORDER BY votes DESC, i.id LIMIT 100) x), '[]') AS ideas,
       (SELECT count(*) FROM ideas WHERE campaign_id = $1)::int AS idea_count,
       (SELECT count(DISTINCT v.employee_id) FROM votes v JOIN ideas i ON i.id = v.idea_id
        WHERE i.campaign_id = $1)::int AS voters,
       (SELECT count(*) FROM votes v JOIN ideas i ON i.id = v.idea_id WHERE i.campaign_id = $1)::int AS votes
"""

SAVE_RESULTS = "UPDATE campaigns SET results = $2, results_compiled_at = now() WHERE id = $1"
