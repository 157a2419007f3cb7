"""SQL for this domain, as $n-parameterised constants."""

from __future__ import annotations

TEAM_SELECT = """
SELECT t.id, t.slug, t.name, t.response_sla_hours, t.created_at, t.updated_at, t.managed_by AS directory,
       (SELECT count(*) FROM employees WHERE team_id = t.id AND active) AS member_count,
       coalesce((SELECT json_agg(json_build_object('id', e.id, 'email', e.email, 'name', e.name)
                                 ORDER BY e.email)
                 FROM team_leads l JOIN employees e ON e.id = l.employee_id
                 WHERE l.team_id = t.id), '[]') AS leads
FROM teams t
"""

INSERT_TEAM = """
INSERT INTO teams (slug, name, response_sla_hours) VALUES ($1, $2, $3)
ON CONFLICT (slug) DO NOTHING RETURNING id
"""

UPDATE_TEAM = """
UPDATE teams SET name = coalesce($2, name), response_sla_hours = coalesce($3, response_sla_hours),
                 updated_at = now()
WHERE slug = $1 RETURNING id
"""

TEAM_ID = "SELECT id FROM teams WHERE slug = $1"

LEADS_ANY = """
SELECT EXISTS (SELECT 1 FROM team_leads WHERE employee_id = $1 AND team_id = ANY($2::bigint[]))
"""

TEAM_MANAGED_BY = "SELECT managed_by FROM teams WHERE id = $1"

EMPLOYEE_SELECT = """
SELECT e.id, e.email, e.name, e.is_admin, e.created_at, e.subject IS NOT NULL AS signed_in, e.locale, e.time_zone,
       e.active, e.managed_by AS directory, t.slug AS team,
       ARRAY(SELECT lt.slug FROM team_leads l JOIN teams lt ON lt.id = l.team_id
             WHERE l.employee_id = e.id ORDER BY lt.slug) AS lead_of
FROM employees e LEFT JOIN teams t ON t.id = e.team_id
"""

INSERT_EMPLOYEE = """
INSERT INTO employees (email, name, team_id) VALUES ($1, $2, $3)
ON CONFLICT (email) DO NOTHING RETURNING id
"""

LEAD_OF = """
SELECT t.slug FROM team_leads l JOIN teams t ON t.id = l.team_id WHERE l.employee_id = $1 ORDER BY t.slug
"""

UPDATE_PREFERENCES = """
UPDATE employees SET locale = CASE WHEN $2 THEN $3 ELSE locale END,
                     time_zone = CASE WHEN $4 THEN $5 ELSE time_zone END, updated_at = now()
WHERE id = $1
"""

# Active people whose name, given or family name, or address has a word starting with each word
# of $1 (sql/0021_directory.sql: person_search_document), of team $3 (NULL: any), by name; at most $2.
EMPLOYEE_SEARCH = f"""
WITH hits AS (
    SELECT id, name, email FROM employees
    WHERE active AND search @@ person_search_query($1)
      AND ($3::text IS NULL OR team_id = (SELECT id FROM teams WHERE slug = $3))
    ORDER BY lower(name), email LIMIT $2
)
{EMPLOYEE_SELECT} JOIN hits ON hits.id = e.id ORDER BY lower(hits.name), hits.email
"""

TEAM_NAMES = "SELECT slug, name FROM teams ORDER BY slug"
