"""SQL for this domain, as $n-parameterised constants."""

from __future__ import annotations

# Every team that services, named teams, tags and text reach, and how: the provider and the
# customers of each service, each named team in its role, and the admins' rules (a tag, or a
# keyword in the lower-cased title and body). A team reached by several paths appears once;
# provider wins over customer. $1 service slugs, $2/$3 named teams' slugs and roles, $4 tags,
# $5 lower-cased text.
REACHED_TEAMS = """
WITH reached AS (
    SELECT s.provider_team_id AS team_id, 'provider' AS role FROM services s WHERE s.slug = ANY($1::text[])
    UNION ALL
    SELECT c.team_id, 'customer'
    FROM services s JOIN service_customers c ON c.service_id = s.id WHERE s.slug = ANY($1::text[])
    UNION ALL
    SELECT t.id, named.role FROM unnest($2::text[], $3::text[]) AS named (slug, role) JOIN teams t ON t.slug = named.slug
    UNION ALL
    SELECT r.team_id, r.role FROM routing_rules r
    WHERE (r.match_kind = 'tag' AND r.pattern = ANY($4::text[]))
       OR (r.match_kind = 'keyword' AND strpos($5, r.pattern) > 0)
)
SELECT t.id AS team_id, t.slug AS team, t.name, max(r.role) AS role  -- 'provider' > 'customer'
FROM reached r JOIN teams t ON t.id = r.team_id
GROUP BY t.id, t.slug, t.name
ORDER BY max(r.role) DESC, t.slug
"""

# A routing's customer position, cleared (when it is routed anew or changes role).
CLEAR_POSITION = """position = NULL, position_reason = NULL, position_asked = NULL, position_requested_at = NULL,
       position_due_at = NULL, positioned_at = NULL, positioned_by = NULL"""

# Brings the routings of ideas $1 in line with what each concerns now, in one statement: the teams
# REACHED_TEAMS's rules reach (read from the ideas as stored) are added, or routed anew when they
# had been withdrawn, change role, or are withdrawn when no longer reached. A provider's routing is
# due within the first response its standard commits to (the current standard of each of the
# idea's services the team provides, the shortest; else the team's response time) and keeps that
# standard's version. Answers each change, in the order its events are recorded: per idea, new routings
# (providers first, then by slug), role changes, withdrawals.
ROUTE_IDEAS = f"""
WITH idea AS (
    SELECT id, tags, lower(title || ' ' || body) AS text, vote_count FROM ideas WHERE id = ANY($1::bigint[])
), reached AS (
    SELECT x.idea_id, s.provider_team_id AS team_id, 'provider' AS role
    FROM idea_services x JOIN services s ON s.id = x.service_id WHERE x.idea_id = ANY($1::bigint[])
    UNION ALL
    SELECT x.idea_id, c.team_id, 'customer'
    FROM idea_services x JOIN service_customers c ON c.service_id = x.service_id WHERE x.idea_id = ANY($1::bigint[])
    UNION ALL
    SELECT it.idea_id, it.team_id, it.role FROM idea_teams it WHERE it.idea_id = ANY($1::bigint[])
    UNION ALL
    SELECT i.id, r.team_id, r.role FROM idea i JOIN routing_rules r
        ON (r.match_kind = 'tag' AND r.pattern = ANY(i.tags)) OR (r.match_kind = 'keyword' AND strpos(i.text, r.pattern) > 0)
), wanted AS (
    SELECT idea_id, team_id, max(role) AS role FROM reached GROUP BY idea_id, team_id  -- 'provider' > 'customer'
), current AS (
    SELECT idea_id, team_id, role, state FROM routings WHERE idea_id = ANY($1::bigint[])
), to_add AS (
    SELECT w.* FROM wanted w LEFT JOIN current c USING (idea_id, team_id) WHERE c.state IS NULL OR c.state = 'withdrawn'
), standard AS (
    SELECT DISTINCT ON (a.idea_id, a.team_id) a.idea_id, a.team_id, st.id, st.first_response_hours
    FROM to_add a
    JOIN idea_services x ON x.idea_id = a.idea_id
    JOIN services s ON s.id = x.service_id AND s.provider_team_id = a.team_id
    JOIN LATERAL (
        SELECT id, first_response_hours FROM service_standards WHERE service_id = s.id ORDER BY version DESC LIMIT 1
    ) st ON true
    WHERE a.role = 'provider'
    ORDER BY a.idea_id, a.team_id, st.first_response_hours, st.id
), added AS (
    INSERT INTO routings (idea_id, team_id, role, due_at, support, standard_id)
    SELECT a.idea_id, a.team_id, a.role,
           now() + make_interval(hours => coalesce(st.first_response_hours, t.response_sla_hours)), i.vote_count, st.id
    FROM to_add a JOIN idea i ON i.id = a.idea_id JOIN teams t ON t.id = a.team_id
    LEFT JOIN standard st ON st.idea_id = a.idea_id AND st.team_id = a.team_id
    ORDER BY a.idea_id, a.team_id
    ON CONFLICT (idea_id, team_id) DO UPDATE
       SET role = EXCLUDED.role, state = 'pending', routed_at = now(), due_at = EXCLUDED.due_at,
           standard_id = EXCLUDED.standard_id, support = EXCLUDED.support,
           responded_at = NULL, responded_by = NULL, message = NULL, overdue_notified_at = NULL, escalated_at = NULL,
           first_responded_at = NULL, decided_at = NULL, {CLEAR_POSITION}
    RETURNING idea_id, team_id, role, due_at
), role_changed AS (
    UPDATE routings r SET role = w.role, {CLEAR_POSITION}
    FROM wanted w JOIN current c USING (idea_id, team_id)
    WHERE r.idea_id = w.idea_id AND r.team_id = w.team_id AND c.state <> 'withdrawn' AND c.role <> w.role
    RETURNING r.idea_id, r.team_id, r.role
), withdrawn AS (
    UPDATE routings r SET state = 'withdrawn'
    FROM current c
    WHERE r.idea_id = c.idea_id AND r.team_id = c.team_id AND c.state <> 'withdrawn'
      AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.idea_id = c.idea_id AND w.team_id = c.team_id)
    RETURNING r.idea_id, r.team_id
)
SELECT x.change, x.idea_id, t.slug AS team, x.role, x.due_at
FROM (
    SELECT 1 AS step, 'routed' AS change, idea_id, team_id, role, due_at FROM added
    UNION ALL SELECT 2, 'role_changed', idea_id, team_id, role, NULL FROM role_changed
    UNION ALL SELECT 3, 'withdrawn', idea_id, team_id, NULL, NULL FROM withdrawn
) x JOIN teams t ON t.id = x.team_id
ORDER BY x.idea_id, x.step, x.role DESC NULLS LAST, t.slug
"""


ROUTING_COLUMNS = """
    r.idea_id, t.slug AS team, r.role, r.state, r.routed_at, r.due_at, r.responded_at, r.message,
    (r.state = 'pending' AND r.due_at < now()) AS overdue,
    (SELECT email FROM employees WHERE id = r.responded_by) AS responded_by,
    r.position, r.position_reason, r.position_asked, r.position_due_at, r.positioned_at,
    (SELECT json_build_object('service', s.slug, 'version', st.version, 'first_response_hours', st.first_response_hours)
     FROM service_standards st JOIN services s ON s.id = st.service_id WHERE st.id = r.standard_id) AS standard
"""

IDEA_ROUTINGS = f"""
SELECT {ROUTING_COLUMNS} FROM routings r JOIN teams t ON t.id = r.team_id
WHERE r.idea_id = $1 ORDER BY r.role DESC, t.slug
"""

# A team's inbox, read in index order. `support`: most votes first (routings.support is the
# idea's maintained vote count). `due`: pending routings by due time (the overdue, whose due time
# has passed, come first), then the answered ones by due time.
_INBOX_FILTERS = """
r.team_id = $1 AND ($2::text IS NULL OR r.role = $2) AND ($3::text IS NULL OR r.state = $3)
AND ($4::boolean IS NULL OR (r.state = 'pending' AND r.due_at < now()) = $4)
"""
_INBOX_ROWS = f"""
SELECT {ROUTING_COLUMNS},
       json_build_object('id', i.id, 'title', i.title, 'status', i.status, 'vote_count', r.support) AS idea
FROM ranked r JOIN teams t ON t.id = r.team_id JOIN ideas i ON i.id = r.idea_id AND i.hidden_at IS NULL
"""
INBOX_BY_SUPPORT = f"""
WITH ranked AS (
    SELECT * FROM routings r WHERE {_INBOX_FILTERS} ORDER BY r.support DESC, r.routed_at LIMIT $5
)
{_INBOX_ROWS} ORDER BY r.support DESC, r.routed_at
"""
INBOX_BY_DUE = f"""
WITH ranked AS (
    (SELECT * FROM routings r WHERE {_INBOX_FILTERS} AND r.state = 'pending' ORDER BY r.due_at LIMIT $5)
    UNION ALL
    (SELECT * FROM routings r WHERE {_INBOX_FILTERS} AND r.state <> 'pending' ORDER BY r.due_at LIMIT $5)
)
{_INBOX_ROWS} ORDER BY r.state = 'pending' DESC, r.due_at, r.support DESC LIMIT $5
"""

RESPOND = """
UPDATE routings SET state = $3, message = $4, responded_at = now(), responded_by = $5,
    first_responded_at = coalesce(first_responded_at, now()),
    decided_at = CASE WHEN $3 IN ('accepted', 'planned', 'declined') THEN coalesce(decided_at, now()) ELSE decided_at END
WHERE idea_id = $1 AND team_id = $2 AND state <> 'withdrawn'
RETURNING state
"""

ROUTING_STATE = "SELECT state FROM routings WHERE idea_id = $1 AND team_id = $2"

# The ideas whose routings MARK_OVERDUE or MARK_ESCALATED would mark: locked first (portal.locks).
OVERDUE_IDEAS = """
SELECT DISTINCT idea_id FROM routings
WHERE state = 'pending' AND due_at < now()
  AND (overdue_notified_at IS NULL
       OR (escalated_at IS NULL AND due_at < now() - greatest(due_at - routed_at, interval '0')))
"""

# Pending routings due within a quarter of their response period (at most $1 seconds) and not
# yet said to be: once each, before they fall due. DUE_SOON_IDEAS are their ideas, locked first.
_DUE_SOON = """r.state = 'pending' AND r.due_soon_at IS NULL AND r.overdue_notified_at IS NULL AND r.due_at > now()
  AND r.due_at - now() <= least(make_interval(secs => $1), (r.due_at - r.routed_at) / 4)"""
DUE_SOON_IDEAS = f"SELECT DISTINCT r.idea_id FROM routings r WHERE {_DUE_SOON}"
MARK_DUE_SOON = f"""
UPDATE routings r SET due_soon_at = now()
FROM teams t
WHERE t.id = r.team_id AND {_DUE_SOON}
RETURNING r.idea_id, t.slug AS team, r.role, r.due_at
"""

MARK_OVERDUE = """
UPDATE routings r SET overdue_notified_at = now()
FROM teams t
WHERE t.id = r.team_id AND r.state = 'pending' AND r.due_at < now() AND r.overdue_notified_at IS NULL
RETURNING r.idea_id, t.slug AS team, r.role, r.due_at
"""

# Still unanswered a second response period (due_at - routed_at) after falling due: once.
MARK_ESCALATED = """
UPDATE routings r SET escalated_at = now()
FROM teams t
WHERE t.id = r.team_id AND r.state = 'pending' AND r.overdue_notified_at IS NOT NULL AND r.escalated_at IS NULL
  AND r.due_at < now() - greatest(r.due_at - r.routed_at, interval '0')
RETURNING r.idea_id, t.slug AS team, r.role, r.due_at
"""

# The ideas whose routings ESCALATE_LEADLESS would mark ($1 teams or NULL, $2 ideas or NULL).
LEADLESS_IDEAS = """
SELECT DISTINCT r.idea_id FROM routings r
WHERE r.state = 'pending' AND r.escalated_at IS NULL
  AND ($1::bigint[] IS NULL OR r.team_id = ANY($1::bigint[]))
  AND ($2::bigint[] IS NULL OR r.idea_id = ANY($2::bigint[]))
  AND NOT EXISTS (SELECT 1 FROM team_leads l WHERE l.team_id = r.team_id)
"""

# Pending routings of teams without a lead, of teams $1 or ideas $2 (NULL: any), not escalated yet:
# escalated to the admins at once, since nobody else would answer them.
ESCALATE_LEADLESS = """
UPDATE routings r SET escalated_at = now()
FROM teams t
WHERE t.id = r.team_id AND r.state = 'pending' AND r.escalated_at IS NULL
  AND ($1::bigint[] IS NULL OR r.team_id = ANY($1::bigint[]))
  AND ($2::bigint[] IS NULL OR r.idea_id = ANY($2::bigint[]))
  AND NOT EXISTS (SELECT 1 FROM team_leads l WHERE l.team_id = r.team_id)
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

# ---- Two-sided decisions (portal.routing.decisions) ----

# Asks the idea's routed customer teams ($1) for their position on $2, due within each team's
# response time; a position they took before is cleared.
ASK_CUSTOMERS = """
UPDATE routings r
SET position = NULL, position_reason = NULL, positioned_at = NULL, positioned_by = NULL,
    position_asked = $2, position_requested_at = now(),
    position_due_at = now() + make_interval(hours => t.response_sla_hours)
FROM teams t
WHERE t.id = r.team_id AND r.idea_id = $1 AND r.role = 'customer' AND r.state <> 'withdrawn'
RETURNING t.slug AS team
"""

# A customer team's position ($3 confirmed | disputed, $4 reason, $5 by), when it was asked.
TAKE_POSITION = """
UPDATE routings SET position = $3, position_reason = $4, positioned_at = now(), positioned_by = $5
WHERE idea_id = $1 AND team_id = $2 AND role = 'customer' AND state <> 'withdrawn' AND position_asked IS NOT NULL
RETURNING position_asked
"""

POSITION_STATE = "SELECT role, state FROM routings WHERE idea_id = $1 AND team_id = $2"

# The provider's answered routings of idea $1, pending again and due within its response time.
REOPEN_PROVIDER = """
UPDATE routings r
SET state = 'pending', responded_at = NULL, responded_by = NULL, overdue_notified_at = NULL, escalated_at = NULL,
    due_at = now() + make_interval(hours => coalesce(
        (SELECT first_response_hours FROM service_standards WHERE id = r.standard_id), t.response_sla_hours))
FROM teams t
WHERE t.id = r.team_id AND r.idea_id = $1 AND r.role = 'provider' AND r.state NOT IN ('pending', 'withdrawn')
RETURNING t.slug AS team, r.due_at
"""

# A done idea whose result is disputed is in progress again ($2 reason, $3 by, $4 the survey round
# when no person did it); answers whether.
REOPEN_DONE_IDEA = """
WITH reopened AS (
    UPDATE ideas SET status = 'in_progress', updated_at = now() WHERE id = $1 AND status = 'done' RETURNING id
), recorded AS (
    INSERT INTO idea_status_changes (idea_id, from_status, to_status, reason, changed_by, survey_round_id)
    SELECT id, 'done', 'in_progress', $2, $3, $4 FROM reopened
)
SELECT EXISTS (SELECT 1 FROM reopened)
"""
