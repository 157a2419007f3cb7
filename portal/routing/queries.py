"""SQL for this domain, as $n-parameterised constants."""

from __future__ import annotations

from portal.votes.queries import VOTE_COUNT

# Every team an idea reaches and how: providers and customers of the services it names, the
# teams it names, and the admins' rules (a tag it carries, a keyword in its title or body).
AFFECTED_TEAMS = """
WITH idea AS (
    SELECT id, tags, lower(title || ' ' || body) AS text FROM ideas WHERE id = $1
), reached AS (
    SELECT s.provider_team_id AS team_id, 'provider' AS role
    FROM idea_services x JOIN services s ON s.id = x.service_id WHERE x.idea_id = $1
    UNION ALL
    SELECT c.team_id, 'customer'
    FROM idea_services x JOIN service_customers c ON c.service_id = x.service_id WHERE x.idea_id = $1
    UNION ALL
    SELECT team_id, role FROM idea_teams WHERE idea_id = $1
    UNION ALL
    SELECT r.team_id, r.role FROM routing_rules r, idea
    WHERE (r.match_kind = 'tag' AND r.pattern = ANY(idea.tags))
       OR (r.match_kind = 'keyword' AND strpos(idea.text, r.pattern) > 0)
)
-- A team reached by several paths gets one routing; provider wins over customer.
SELECT team_id, max(role) AS role FROM reached GROUP BY team_id  -- 'provider' > 'customer'
"""

CURRENT_ROUTINGS = "SELECT team_id, role, state FROM routings WHERE idea_id = $1"


ADD_ROUTING = """
INSERT INTO routings (idea_id, team_id, role, due_at)
SELECT $1, id, $3, now() + make_interval(hours => response_sla_hours) FROM teams WHERE id = $2
ON CONFLICT (idea_id, team_id) DO UPDATE
   SET role = EXCLUDED.role, state = 'pending', routed_at = now(), due_at = EXCLUDED.due_at,
       responded_at = NULL, responded_by = NULL, message = NULL, overdue_notified_at = NULL
RETURNING due_at
"""

CHANGE_ROLE = "UPDATE routings SET role = $3 WHERE idea_id = $1 AND team_id = $2"

WITHDRAW = "UPDATE routings SET state = 'withdrawn' WHERE idea_id = $1 AND team_id = $2"

TEAM_SLUGS = "SELECT id, slug FROM teams WHERE id = ANY($1::bigint[])"

ROUTING_COLUMNS = """
    r.idea_id, t.slug AS team, r.role, r.state, r.routed_at, r.due_at, r.responded_at, r.message,
    (r.state = 'pending' AND r.due_at < now()) AS overdue,
    (SELECT email FROM employees WHERE id = r.responded_by) AS responded_by
"""

IDEA_ROUTINGS = f"""
SELECT {ROUTING_COLUMNS} FROM routings r JOIN teams t ON t.id = r.team_id
WHERE r.idea_id = $1 ORDER BY r.role DESC, t.slug
"""

INBOX = f"""
SELECT {ROUTING_COLUMNS},
       json_build_object('id', i.id, 'title', i.title, 'status', i.status, 'vote_count', support.votes) AS idea
FROM routings r JOIN teams t ON t.id = r.team_id JOIN ideas i ON i.id = r.idea_id,
     LATERAL (SELECT {VOTE_COUNT.format(idea="i.id")} AS votes) support
WHERE r.team_id = $1
  AND ($2::text IS NULL OR r.role = $2)
  AND ($3::text IS NULL OR r.state = $3)
  AND ($4::boolean IS NULL OR (r.state = 'pending' AND r.due_at < now()) = $4)
ORDER BY support.votes DESC, r.routed_at
LIMIT $5
"""

RESPOND = """
UPDATE routings SET state = $3, message = $4, responded_at = now(), responded_by = $5
WHERE idea_id = $1 AND team_id = $2 AND state <> 'withdrawn'
RETURNING state
"""

ROUTING_STATE = "SELECT state FROM routings WHERE idea_id = $1 AND team_id = $2"

MARK_OVERDUE = """
UPDATE routings r SET overdue_notified_at = now()
FROM teams t
WHERE t.id = r.team_id AND r.state = 'pending' AND r.due_at < now() AND r.overdue_notified_at IS NULL
RETURNING r.idea_id, t.slug AS team, r.role, r.due_at
"""

RULE_COLUMNS = "r.id, r.match_kind, r.pattern, t.slug AS team, r.role, r.created_at"

LIST_RULES = f"SELECT {RULE_COLUMNS} FROM routing_rules r JOIN teams t ON t.id = r.team_id ORDER BY r.id"

GET_RULE = f"SELECT {RULE_COLUMNS} FROM routing_rules r JOIN teams t ON t.id = r.team_id WHERE r.id = $1"

INSERT_RULE = """
INSERT INTO routing_rules (match_kind, pattern, team_id, role, created_by) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (match_kind, pattern, team_id) DO NOTHING RETURNING id
"""

DELETE_RULE = "DELETE FROM routing_rules WHERE id = $1 RETURNING id"
