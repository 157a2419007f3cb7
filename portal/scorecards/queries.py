"""The SQL of scorecards: per provider team ($3 'team') or per service it provides ($3 'service'),
over routings routed, decided and done within [$1, $2)."""

from __future__ import annotations

# A provider routing's scope: its team, and each service of the idea that team provides.
_COLUMNS = "r.idea_id, r.state, r.routed_at, r.due_at, r.first_responded_at, r.decided_at"
_SCOPE = f"""
    SELECT r.team_id, NULL::bigint AS service_id, {_COLUMNS} FROM routings r WHERE r.role = 'provider'
    UNION ALL
    SELECT r.team_id, x.service_id, {_COLUMNS} FROM routings r
    JOIN idea_services x ON x.idea_id = r.idea_id
    JOIN services s ON s.id = x.service_id AND s.provider_team_id = r.team_id
    WHERE r.role = 'provider'
"""

# Routed in the period: how many, answered within the standard (or the team's time) of those
# whose answer came or whose due time passed, and the median hours to a first answer and to a
# decision.
ROUTED = f"""
WITH scoped AS ({_SCOPE})
SELECT team_id, service_id,
       count(*)::int AS routed,
       count(*) FILTER (WHERE first_responded_at IS NOT NULL AND first_responded_at <= due_at)::int AS answered_in_time,
       count(*) FILTER (WHERE first_responded_at IS NOT NULL OR due_at < now())::int AS measured,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_responded_at - routed_at))
              FILTER (WHERE first_responded_at IS NOT NULL) / 3600)::numeric, 2)::float8 AS median_first_response_hours,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - routed_at))
              FILTER (WHERE decided_at IS NOT NULL) / 3600)::numeric, 2)::float8 AS median_decision_hours
FROM scoped
WHERE state <> 'withdrawn' AND routed_at >= $1 AND routed_at < $2
GROUP BY team_id, service_id
"""

# Decided in the period, by the decision standing now.
DECIDED = f"""
WITH scoped AS ({_SCOPE})
SELECT team_id, service_id,
       count(*) FILTER (WHERE state = 'accepted')::int AS accepted,
       count(*) FILTER (WHERE state = 'planned')::int AS planned,
       count(*) FILTER (WHERE state = 'declined')::int AS declined
FROM scoped
WHERE state <> 'withdrawn' AND decided_at >= $1 AND decided_at < $2
GROUP BY team_id, service_id
"""

# Ideas the team provides for that were marked done in the period.
DONE = f"""
WITH scoped AS ({_SCOPE})
SELECT s.team_id, s.service_id, count(DISTINCT h.idea_id)::int AS done
FROM scoped s JOIN idea_status_changes h ON h.idea_id = s.idea_id
WHERE s.state <> 'withdrawn' AND h.to_status = 'done' AND h.changed_at >= $1 AND h.changed_at < $2
GROUP BY s.team_id, s.service_id
"""

# Thanks received in the period: by a team, and by a service it provides.
THANKS = """
SELECT to_team_id AS team_id, NULL::bigint AS service_id, count(*)::int AS thanks_received
FROM thanks WHERE to_team_id IS NOT NULL AND created_at >= $1 AND created_at < $2 GROUP BY to_team_id
UNION ALL
SELECT s.provider_team_id, t.service_id, count(*)::int
FROM thanks t JOIN services s ON s.id = t.service_id
WHERE t.created_at >= $1 AND t.created_at < $2 GROUP BY s.provider_team_id, t.service_id
"""

# Survey rounds closed in the period with enough answers to show: pulses (by the service's
# provider and the service) and "did this solve it?" (by the idea's provider).
SURVEYS = """
SELECT s.provider_team_id AS team_id, r.service_id, r.kind, r.results
FROM survey_rounds r JOIN services s ON s.id = r.service_id
WHERE r.kind = 'pulse' AND r.closed_at >= $1 AND r.closed_at < $2 AND (r.results->>'enough_answers')::boolean
UNION ALL
SELECT ro.team_id, NULL::bigint, r.kind, r.results
FROM survey_rounds r JOIN routings ro ON ro.idea_id = r.idea_id AND ro.role = 'provider' AND ro.state <> 'withdrawn'
WHERE r.kind = 'solved' AND r.closed_at >= $1 AND r.closed_at < $2 AND (r.results->>'enough_answers')::boolean
"""

# Every provider team and every service: a scorecard each, even an empty one.
SCOPES = """
SELECT DISTINCT provider_team_id AS team_id, NULL::bigint AS service_id FROM services
UNION SELECT DISTINCT team_id, NULL::bigint FROM routings WHERE role = 'provider'
UNION SELECT provider_team_id, id FROM services
"""

SAVE = """
INSERT INTO scorecards (team_id, service_id, period, content) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::jsonb[])
ON CONFLICT (team_id, service_id, period) DO UPDATE SET content = EXCLUDED.content, compiled_at = now()
"""

# Period $1's scorecards: of team $2 (NULL: every team), of service $3 (NULL: the teams'
# own scorecards), newest compilation.
READ = """
SELECT c.team_id, c.service_id, t.slug AS team, s.slug AS service, c.period, c.content, c.compiled_at
FROM scorecards c JOIN teams t ON t.id = c.team_id LEFT JOIN services s ON s.id = c.service_id
WHERE c.period = $1 AND ($2::bigint IS NULL OR c.team_id = $2) AND c.service_id IS NOT DISTINCT FROM $3
ORDER BY t.slug
"""

# The periods before $1 of one scorecard, for the trend: newest first.
TREND = """
SELECT c.period, c.content FROM scorecards c
WHERE c.team_id = $1 AND c.service_id IS NOT DISTINCT FROM $2 AND c.period < $3
ORDER BY c.period DESC LIMIT 12
"""
