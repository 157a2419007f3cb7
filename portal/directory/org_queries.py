"""SQL of the org file (portal.directory.orgfile): its lines in a temporary table, compared with
the employees, teams and leads as they are, and applied set-based (100,000 lines in seconds)."""

from __future__ import annotations

ROWS = """
CREATE TEMPORARY TABLE org_rows (
    line int, email text, name text, team text, team_name text, lead boolean, active boolean
) ON COMMIT DROP
"""
ROW_COLUMNS = ("line", "email", "name", "team", "team_name", "lead", "active")
# Each line with the employee its address names, as they are now.
PEOPLE = """
CREATE TEMPORARY TABLE org_people ON COMMIT DROP AS
SELECT r.line, r.email, r.name, r.team, r.lead, r.active,
       e.id AS employee_id, e.name AS old_name, e.team_id AS old_team_id, ot.slug AS old_team,
       e.active AS was_active, e.managed_by
FROM org_rows r
LEFT JOIN employees e ON e.email = r.email
LEFT JOIN teams ot ON ot.id = e.team_id
"""
INDEX_ROWS = "CREATE INDEX ON org_rows (email); ANALYZE org_rows; ANALYZE org_people"

# What SCIM keeps cannot be changed by a file.
CONFLICTS = """
SELECT line, email || ' is kept by the identity provider (SCIM)' AS message FROM org_people WHERE managed_by = 'scim'
UNION ALL
SELECT min(r.line), 'team ' || r.team || ' is kept by the identity provider (SCIM)'
FROM org_rows r JOIN teams t ON t.slug = r.team AND t.managed_by = 'scim'
GROUP BY r.team
ORDER BY 1 LIMIT $1
"""

# Which lines of org_people (aliased `{p}`) create, change, leave alone or bring back an employee.
CREATED = "{p}employee_id IS NULL"
CHANGED = """{p}employee_id IS NOT NULL AND {p}managed_by IS DISTINCT FROM 'scim'
    AND ({p}managed_by IS NULL OR {p}old_name <> {p}name OR {p}old_team IS DISTINCT FROM {p}team)"""
UNCHANGED = """{p}employee_id IS NOT NULL AND {p}managed_by = 'import' AND {p}old_name = {p}name
    AND {p}old_team IS NOT DISTINCT FROM {p}team AND {p}was_active = {p}active"""
REACTIVATED = "{p}employee_id IS NOT NULL AND {p}managed_by IS DISTINCT FROM 'scim' AND {p}active AND NOT {p}was_active"

# Each kind of change: how many, and the first lines of it ($1 how many to show).
SAMPLE = """
SELECT count(*) OVER () AS total, {columns} FROM org_people WHERE {where} ORDER BY line LIMIT $1
"""
# Who would leave: listed as inactive, or kept by an earlier file and no longer listed.
LEAVING = """
SELECT employee_id AS id, email, old_name AS name, line FROM org_people
WHERE NOT active AND was_active AND managed_by IS DISTINCT FROM 'scim'
UNION ALL
SELECT e.id, e.email, e.name, NULL FROM employees e
WHERE e.managed_by = 'import' AND e.active AND NOT EXISTS (SELECT 1 FROM org_rows r WHERE r.email = e.email)
"""
LEAVING_SAMPLE = f"SELECT count(*) OVER () AS total, id, email, name, line FROM ({LEAVING}) x ORDER BY line NULLS LAST, email LIMIT $1"
ACTIVE_EMPLOYEES = "SELECT count(*) FROM employees WHERE active"

TEAM_LINES = "SELECT DISTINCT ON (team) team, team_name, line FROM org_rows WHERE team IS NOT NULL ORDER BY team, line"
TEAMS_CREATED = f"""
SELECT count(*) OVER () AS total, x.team AS slug, x.team_name AS name
FROM ({TEAM_LINES}) x WHERE NOT EXISTS (SELECT 1 FROM teams t WHERE t.slug = x.team)
ORDER BY x.line LIMIT $1
"""
TEAMS_CHANGED = f"""
SELECT count(*) OVER () AS total, x.team AS slug, t.name AS old_name, x.team_name AS name, t.managed_by
FROM ({TEAM_LINES}) x JOIN teams t ON t.slug = x.team
WHERE t.managed_by IS DISTINCT FROM 'scim' AND (t.managed_by IS NULL OR t.name <> x.team_name)
ORDER BY x.line LIMIT $1
"""

# The leads of the file's teams: the active people it marks as leads of them, and nobody else.
WANTED_LEADS = "SELECT team, email FROM org_rows WHERE lead AND active"
CURRENT_LEADS = """
SELECT t.slug AS team, e.email FROM team_leads l JOIN teams t ON t.id = l.team_id JOIN employees e ON e.id = l.employee_id
WHERE t.slug IN (SELECT team FROM org_rows WHERE team IS NOT NULL)
"""
LEADS_ADDED = f"""
SELECT count(*) OVER () AS total, team, email FROM ({WANTED_LEADS} EXCEPT {CURRENT_LEADS}) x ORDER BY team, email LIMIT $1
"""
LEADS_REMOVED = f"""
SELECT count(*) OVER () AS total, team, email FROM ({CURRENT_LEADS} EXCEPT {WANTED_LEADS}) x ORDER BY team, email LIMIT $1
"""

# ---- Applying ----

CREATE_TEAMS = f"""
INSERT INTO teams (slug, name, managed_by)
SELECT x.team, x.team_name, 'import' FROM ({TEAM_LINES}) x
WHERE NOT EXISTS (SELECT 1 FROM teams t WHERE t.slug = x.team)
ORDER BY x.team
RETURNING slug, name
"""
KEEP_TEAMS = f"""
UPDATE teams t SET name = x.team_name, managed_by = 'import', updated_at = now()
FROM ({TEAM_LINES}) x JOIN teams o ON o.slug = x.team
WHERE t.slug = x.team AND o.managed_by IS DISTINCT FROM 'scim' AND (o.managed_by IS NULL OR o.name <> x.team_name)
RETURNING t.slug, o.name AS old_name, t.name, o.managed_by AS old_managed_by
"""
CREATE_PEOPLE = f"""
INSERT INTO employees (email, name, team_id, managed_by, active, deactivated_at)
SELECT p.email, p.name, t.id, 'import', p.active, CASE WHEN p.active THEN NULL ELSE now() END
FROM org_people p LEFT JOIN teams t ON t.slug = p.team
WHERE {CREATED.format(p="p.")}
ORDER BY p.line
RETURNING id, email, name, active, (SELECT slug FROM teams WHERE id = team_id) AS team
"""
KEEP_PEOPLE = f"""
UPDATE employees e SET name = p.name, team_id = t.id, managed_by = 'import', updated_at = now()
FROM org_people p LEFT JOIN teams t ON t.slug = p.team
WHERE e.id = p.employee_id AND {CHANGED.format(p="p.")}
RETURNING e.id, e.email, p.old_name, p.name, p.old_team_id AS from_team_id, p.old_team AS from_team, p.team AS to_team,
          p.managed_by AS old_managed_by
"""
LEAVING_IDS = f"SELECT id FROM ({LEAVING}) x"
RETURNING_IDS = f"SELECT employee_id FROM org_people WHERE {REACTIVATED.format(p='')}"
REMOVE_LEADS = """
DELETE FROM team_leads l USING teams t, employees e
WHERE t.id = l.team_id AND e.id = l.employee_id AND t.slug IN (SELECT team FROM org_rows WHERE team IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM org_rows r WHERE r.team = t.slug AND r.email = e.email AND r.lead AND r.active)
RETURNING false AS lead, l.team_id, t.slug AS team, l.employee_id
"""
ADD_LEADS = """
INSERT INTO team_leads (team_id, employee_id)
SELECT t.id, e.id FROM org_rows r JOIN teams t ON t.slug = r.team JOIN employees e ON e.email = r.email
WHERE r.lead AND r.active
ORDER BY r.line
ON CONFLICT DO NOTHING
RETURNING true AS lead, team_id, (SELECT slug FROM teams WHERE id = team_id) AS team, employee_id
"""

SAVE_IMPORT = """
INSERT INTO org_imports (uploaded_by, file_name, content, summary) VALUES ($1, $2, $3, $4) RETURNING id
"""
IMPORT = "SELECT id, uploaded_by, file_name, content, summary, created_at, applied_at FROM org_imports WHERE id = $1"
IMPORT_FOR_UPDATE = IMPORT + " FOR UPDATE"
RECENT_IMPORTS = """
SELECT i.id, i.file_name, i.summary, i.created_at, i.applied_at, e.email AS uploaded_by
FROM org_imports i JOIN employees e ON e.id = i.uploaded_by ORDER BY i.id DESC LIMIT 10
"""
MARK_APPLIED = "UPDATE org_imports SET applied_at = now(), content = NULL, summary = $2 WHERE id = $1"
