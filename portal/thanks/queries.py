"""The SQL of thanks."""

from __future__ import annotations

# Serialises one sender's thanks, so the daily limit holds under concurrent requests.
LOCK_SENDER = "SELECT pg_advisory_xact_lock(hashtext('thanks'), $1::int)"

SENT_TODAY = "SELECT count(*) FROM thanks WHERE sender_id = $1 AND created_at > now() - interval '1 day'"

OLDEST_TODAY = """
SELECT extract(epoch FROM min(created_at) + interval '1 day' - now())::int FROM thanks
WHERE sender_id = $1 AND created_at > now() - interval '1 day'
"""

INSERT = """
INSERT INTO thanks (sender_id, sender_team_id, to_employee_id, to_team_id, idea_id, service_id, message, public)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING id
"""

EMPLOYEE_BY_EMAIL = "SELECT id, team_id, coalesce(nullif(name, ''), email) AS name FROM employees WHERE email = $1"

SERVICE_ID = "SELECT id FROM services WHERE slug = $1"

COLUMNS = """
t.id, coalesce(nullif(s.name, ''), s.email) AS from_name, st.slug AS from_team, tt.slug AS to_team,
tt.name AS to_team_name,
coalesce(nullif(te.name, ''), te.email) AS to_employee, t.message, t.idea_id, i.title AS idea_title,
sv.slug AS service, t.public, t.created_at
"""

JOINS = """
FROM thanks t
JOIN employees s ON s.id = t.sender_id
LEFT JOIN teams st ON st.id = t.sender_team_id
LEFT JOIN teams tt ON tt.id = t.to_team_id
LEFT JOIN employees te ON te.id = t.to_employee_id
LEFT JOIN ideas i ON i.id = t.idea_id
LEFT JOIN services sv ON sv.id = t.service_id
"""

# What viewer $1 may read (NULL: an API token, public thanks only): public thanks; private ones
# they sent or received, or received by a team they belong to or lead; none a moderator hid.
VISIBLE = """(t.hidden_at IS NULL AND (t.public OR t.sender_id = $1 OR t.to_employee_id = $1
     OR t.to_team_id = (SELECT team_id FROM employees WHERE id = $1)
     OR t.to_team_id IN (SELECT team_id FROM team_leads WHERE employee_id = $1)))"""

GET = f"SELECT {COLUMNS} {JOINS} WHERE t.id = $2 AND {VISIBLE}"

# Filters: $2 team id, $3 employee id, $4 idea id; $5 the cursor (an id), $6 the limit. Newest first.
LIST = f"""
SELECT {COLUMNS} {JOINS}
WHERE {VISIBLE}
  AND ($2::bigint IS NULL OR t.to_team_id = $2)
  AND ($3::bigint IS NULL OR t.to_employee_id = $3)
  AND ($4::bigint IS NULL OR t.idea_id = $4)
  AND ($5::bigint IS NULL OR t.id < $5)
ORDER BY t.id DESC
LIMIT $6
"""
