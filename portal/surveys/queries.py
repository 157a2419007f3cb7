"""The SQL of surveys."""

from __future__ import annotations

ROUND_COLUMNS = """
r.id, r.kind, s.slug AS service, r.idea_id, i.title AS idea_title, r.opened_at, r.closes_at,
r.closed_at IS NOT NULL AS closed, r.results
"""
ROUND_FROM = "FROM survey_rounds r LEFT JOIN services s ON s.id = r.service_id LEFT JOIN ideas i ON i.id = r.idea_id"

GET_ROUND = f"SELECT {ROUND_COLUMNS} {ROUND_FROM} WHERE r.id = $1"

SERVICE_ROUNDS = f"SELECT {ROUND_COLUMNS} {ROUND_FROM} WHERE s.slug = $1 ORDER BY r.id DESC LIMIT 50"

OPEN_PULSE = """
INSERT INTO survey_rounds (kind, service_id, closes_at)
VALUES ('pulse', $1, now() + make_interval(days => $2))
ON CONFLICT (service_id) WHERE kind = 'pulse' AND closed_at IS NULL DO NOTHING
RETURNING id
"""

OPEN_SOLVED = """
INSERT INTO survey_rounds (kind, idea_id, closes_at)
VALUES ('solved', $1, now() + make_interval(days => $2))
ON CONFLICT (idea_id) WHERE kind = 'solved' AND closed_at IS NULL DO NOTHING
RETURNING id
"""

SET_SCHEDULE = "UPDATE services SET pulse_every_days = $2, pulse_open_days = $3 WHERE id = $1"

# Services on a schedule whose last pulse round opened a period ago or more (or never).
DUE_PULSES = """
SELECT s.id, s.slug, s.pulse_open_days FROM services s
WHERE s.pulse_every_days IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM survey_rounds r WHERE r.service_id = s.id AND r.kind = 'pulse'
                  AND r.opened_at > now() - make_interval(days => s.pulse_every_days))
"""

# The customer team employee $2 answers for in round $1: their team, when the round asks it
# (a pulse: the service's customer teams; solved: the customer teams the idea was routed to).
# No row: they are not asked. A voter outside those teams answers "solved" without a team.
ELIGIBILITY = """
SELECT CASE WHEN r.kind = 'pulse' THEN (
           SELECT c.team_id FROM service_customers c WHERE c.service_id = r.service_id AND c.team_id = e.team_id)
       ELSE (
           SELECT ro.team_id FROM routings ro
           WHERE ro.idea_id = r.idea_id AND ro.role = 'customer' AND ro.state <> 'withdrawn' AND ro.team_id = e.team_id)
       END AS customer_team_id,
       r.kind,
       r.closed_at IS NULL AND r.closes_at > now() AS open,
       r.kind = 'solved' AND EXISTS (SELECT 1 FROM votes v WHERE v.idea_id = r.idea_id AND v.employee_id = e.id) AS voter
FROM survey_rounds r, employees e
WHERE r.id = $1 AND e.id = $2
"""

SAVE_ANSWER = """
INSERT INTO survey_answers (round_id, respondent_id, customer_team_id, csat, ces, improvement, solved, comment)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (round_id, respondent_id) DO UPDATE
SET customer_team_id = $3, csat = $4, ces = $5, improvement = $6, solved = $7, comment = $8
"""

MY_ANSWER = """
SELECT csat, ces, improvement, solved, comment FROM survey_answers WHERE round_id = $1 AND respondent_id = $2
"""

# Open rounds employee $1 is asked in, with their answer.
MY_ROUNDS = f"""
SELECT {ROUND_COLUMNS},
       (SELECT row_to_json(a) FROM (SELECT csat, ces, improvement, solved, comment FROM survey_answers
                                    WHERE round_id = r.id AND respondent_id = $1) a) AS my_answer
{ROUND_FROM}, employees e
WHERE e.id = $1 AND r.closed_at IS NULL AND r.closes_at > now()
  AND ((r.kind = 'pulse' AND EXISTS (SELECT 1 FROM service_customers c WHERE c.service_id = r.service_id
                                     AND c.team_id = e.team_id))
    OR (r.kind = 'solved' AND (EXISTS (SELECT 1 FROM votes v WHERE v.idea_id = r.idea_id AND v.employee_id = e.id)
        OR EXISTS (SELECT 1 FROM routings ro WHERE ro.idea_id = r.idea_id AND ro.role = 'customer'
                   AND ro.state <> 'withdrawn' AND ro.team_id = e.team_id))))
ORDER BY r.closes_at
"""

MARK_REOPENED = """
UPDATE survey_rounds SET reopened_routing = true WHERE id = $1 AND NOT reopened_routing RETURNING idea_id
"""

DUE_ROUNDS = "SELECT id, kind FROM survey_rounds WHERE closed_at IS NULL AND closes_at <= now() ORDER BY id FOR UPDATE SKIP LOCKED"

ANSWERS = """
SELECT a.customer_team_id, t.slug AS team, a.csat, a.ces, a.improvement, a.solved, a.comment
FROM survey_answers a LEFT JOIN teams t ON t.id = a.customer_team_id WHERE a.round_id = $1
"""

# Closing forgets who answered.
CLOSE = """
WITH forgotten AS (UPDATE survey_answers SET respondent_id = NULL WHERE round_id = $1)
UPDATE survey_rounds SET closed_at = now(), results = $2 WHERE id = $1 AND closed_at IS NULL
RETURNING kind, service_id, idea_id
"""

SERVICE_FOR_ROUND = "SELECT slug FROM services WHERE id = $1"
