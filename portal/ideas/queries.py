"""SQL for ideas. $1 is always the viewing employee's id (NULL for an API token)."""

from __future__ import annotations

from portal.votes.queries import VOTE_COUNT

IDEA_COLUMNS = f"""
    i.id, i.title, i.body, i.tags, i.status, i.duplicate_of, i.created_at, i.updated_at,
    {VOTE_COUNT.format(idea="i.id")} AS vote_count,
    EXISTS (SELECT 1 FROM votes WHERE idea_id = i.id AND employee_id = $1) AS voted,
    (SELECT count(*) FROM comments WHERE idea_id = i.id AND deleted_at IS NULL)::int AS comment_count,
    json_build_object('id', a.id, 'name', a.name,
                      'team', (SELECT slug FROM teams WHERE id = a.team_id)) AS author,
    ARRAY(SELECT s.slug FROM idea_services x JOIN services s ON s.id = x.service_id
          WHERE x.idea_id = i.id ORDER BY s.slug) AS services,
    coalesce((SELECT json_agg(json_build_object('team', t.slug, 'role', it.role) ORDER BY t.slug)
              FROM idea_teams it JOIN teams t ON t.id = it.team_id WHERE it.idea_id = i.id), '[]')
        AS teams
"""
IDEA_BY_ID = f"SELECT {IDEA_COLUMNS} FROM ideas i JOIN employees a ON a.id = i.author_id WHERE i.id = $2"
STATUS_HISTORY = """
SELECT h.from_status, h.to_status, h.reason, h.changed_at, e.email AS changed_by
FROM idea_status_changes h LEFT JOIN employees e ON e.id = h.changed_by
WHERE h.idea_id = $1 ORDER BY h.id
"""
SERVICES_BY_SLUG = "SELECT slug, id FROM services WHERE slug = ANY($1::text[])"
TEAMS_BY_SLUG = "SELECT slug, id FROM teams WHERE slug = ANY($1::text[])"
INSERT_IDEA = """
INSERT INTO ideas (author_id, title, body, tags) VALUES ($1, $2, $3, $4) RETURNING id
"""
LINK_SERVICES = """
INSERT INTO idea_services (idea_id, service_id) SELECT $1, unnest($2::bigint[])
"""
LINK_TEAMS = """
INSERT INTO idea_teams (idea_id, team_id, role) SELECT $1, unnest($2::bigint[]), unnest($3::text[])
"""
UNLINK_SERVICES = "DELETE FROM idea_services WHERE idea_id = $1"
UNLINK_TEAMS = "DELETE FROM idea_teams WHERE idea_id = $1"
LOCK_IDEA = "SELECT id, author_id, status FROM ideas WHERE id = $1 FOR NO KEY UPDATE"
UPDATE_IDEA = """
UPDATE ideas SET title = coalesce($2, title), body = coalesce($3, body), tags = coalesce($4, tags),
                 updated_at = now()
WHERE id = $1
"""
PROVIDER_TEAMS = """
SELECT team_id FROM idea_teams WHERE idea_id = $1 AND role = 'provider'
UNION
SELECT s.provider_team_id FROM idea_services x JOIN services s ON s.id = x.service_id WHERE x.idea_id = $1
"""
IDEA_EXISTS = "SELECT EXISTS (SELECT 1 FROM ideas WHERE id = $1)"
SET_STATUS = """
UPDATE ideas SET status = $2, duplicate_of = $3, updated_at = now() WHERE id = $1
"""
RECORD_STATUS_CHANGE = """
INSERT INTO idea_status_changes (idea_id, from_status, to_status, reason, changed_by)
VALUES ($1, $2, $3, $4, $5)
"""

# Votes counted as of a moment, with votes withdrawn after it still counted: a ranking that
# holds still while a reader pages through it.
SCORES_AS_OF = """
scores AS (
    SELECT idea_id, count(*)::int AS score FROM (
        SELECT idea_id FROM votes WHERE cast_at <= {as_of} AND cast_at > {since}
        UNION ALL
        SELECT idea_id FROM vote_withdrawals
        WHERE cast_at <= {as_of} AND cast_at > {since} AND withdrawn_at > {as_of}
    ) counted GROUP BY idea_id
)
"""
