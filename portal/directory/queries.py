"""SQL for the directory, as $n-parameterised constants."""

from __future__ import annotations

# ---- People ----

PERSON_COLUMNS = """
    e.id, e.email, e.name, e.given_name, e.family_name, e.active, e.managed_by, e.is_admin,
    (SELECT slug FROM teams WHERE id = e.team_id) AS team
"""
# The employee with this address, held for the change the directory is about to make, and
# whether one of the identity provider's users has it already.
PERSON_BY_EMAIL = f"""
SELECT {PERSON_COLUMNS}, EXISTS (SELECT 1 FROM directory_users WHERE employee_id = e.id) AS in_directory
FROM employees e WHERE e.email = $1 FOR UPDATE
"""
PERSON_BY_ID = f"SELECT {PERSON_COLUMNS} FROM employees e WHERE e.id = $1 FOR UPDATE"

# $1 email, $2 name, $3 given name, $4 family name, $5 who keeps the record, $6 active.
INSERT_PERSON = f"""
INSERT INTO employees AS e (email, name, given_name, family_name, managed_by, active, deactivated_at)
VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6 THEN NULL ELSE now() END)
RETURNING {PERSON_COLUMNS}
"""
UPDATE_PERSON = f"""
UPDATE employees e SET email = $2, name = $3, given_name = $4, family_name = $5, managed_by = $6, updated_at = now()
WHERE e.id = $1
RETURNING {PERSON_COLUMNS}
"""

DEACTIVATE = """
UPDATE employees SET active = false, deactivated_at = now(), updated_at = now()
WHERE id = ANY($1::bigint[]) AND active
RETURNING id
"""
REACTIVATE = """
UPDATE employees SET active = true, deactivated_at = NULL, updated_at = now()
WHERE id = ANY($1::bigint[]) AND NOT active
RETURNING id
"""

# ---- Teams and admins from the identity provider's groups ----

# Each SCIM-kept employee of $1's team and admin role, from their groups: the team group whose
# name (or team slug) is their department, else the one they joined first; admins are the members
# of the admins' group. Answers those that changed, with their team before and after. Set-based
# and materialised step by step: thousands of people at once (a PATCH of a large group) cost a
# join each, whatever the planner's statistics say (inlined, the subqueries of one person ran
# once per row and took 5.5 s for 5,000 people right after a bulk sync).
RECONCILE_SCIM = """
WITH people AS MATERIALIZED (
    SELECT e.id, e.team_id AS from_team_id, e.is_admin AS was_admin, e.is_moderator AS was_moderator,
           lower(u.department) AS department
    FROM unnest($1::bigint[]) AS x (id)
    JOIN employees e ON e.id = x.id AND e.managed_by = 'scim'
    LEFT JOIN directory_users u ON u.employee_id = e.id
), memberships AS MATERIALIZED (
    SELECT p.id, g.kind, g.team_id, g.id AS group_id, m.added_at,
           (p.department IN (lower(g.display_name), t.slug)) IS TRUE AS named_by_department
    FROM people p
    JOIN directory_group_members m ON m.employee_id = p.id
    JOIN directory_groups g ON g.id = m.group_id AND g.kind IN ('team', 'admins', 'moderators')
    LEFT JOIN teams t ON t.id = g.team_id
), team_of AS (
    SELECT DISTINCT ON (id) id, team_id FROM memberships WHERE kind = 'team'
    ORDER BY id, named_by_department DESC, added_at, group_id
), admins AS (
    SELECT DISTINCT id FROM memberships WHERE kind = 'admins'
), moderators AS (
    SELECT DISTINCT id FROM memberships WHERE kind = 'moderators'
), chosen AS MATERIALIZED (
    SELECT p.id, p.from_team_id, p.was_admin, p.was_moderator, t.team_id, a.id IS NOT NULL AS is_admin,
           mo.id IS NOT NULL AS is_moderator
    FROM people p LEFT JOIN team_of t ON t.id = p.id LEFT JOIN admins a ON a.id = p.id
    LEFT JOIN moderators mo ON mo.id = p.id
)
UPDATE employees e SET team_id = c.team_id, is_admin = c.is_admin, is_moderator = c.is_moderator, updated_at = now()
FROM chosen c
WHERE e.id = c.id
  AND (c.from_team_id IS DISTINCT FROM c.team_id OR c.was_admin <> c.is_admin OR c.was_moderator <> c.is_moderator)
RETURNING e.id, c.from_team_id, c.team_id AS to_team_id,
          (SELECT slug FROM teams WHERE id = c.from_team_id) AS from_team,
          (SELECT slug FROM teams WHERE id = c.team_id) AS to_team,
          c.was_admin, c.is_admin, c.was_moderator, c.is_moderator
"""

# ---- Leads ----

# The SCIM-kept teams whose leads employees $1 may change: the teams of their team groups and of
# their leads groups (the team group named as the leads group without its suffix, $2), and the
# teams they lead. Each part probes an index (members by employee, groups by lower(name)).
SCIM_TEAMS_OF = """
WITH mine AS (
    SELECT g.kind, g.team_id, g.display_name
    FROM directory_group_members m JOIN directory_groups g ON g.id = m.group_id
    WHERE m.employee_id = ANY($1::bigint[]) AND g.kind IN ('team', 'leads')
)
SELECT team_id FROM mine WHERE kind = 'team'
UNION
SELECT t.team_id FROM mine l
JOIN directory_groups t ON t.kind = 'team'
 AND lower(t.display_name) = lower(left(l.display_name, char_length(l.display_name) - char_length($2)))
WHERE l.kind = 'leads'
UNION
SELECT l.team_id FROM team_leads l JOIN teams t ON t.id = l.team_id AND t.managed_by = 'scim'
WHERE l.employee_id = ANY($1::bigint[])
"""

# The leads of SCIM-kept teams $1 brought in line with the directory: the active members of the
# team's leads group ($2 its suffix) who are members of the team's group too. Answers each change.
SYNC_SCIM_LEADS = """
WITH wanted AS (
    SELECT DISTINCT g.team_id, m.employee_id
    FROM directory_groups g
    JOIN directory_groups l ON l.kind = 'leads' AND lower(l.display_name) = lower(g.display_name || $2)
    JOIN directory_group_members m ON m.group_id = l.id
    JOIN directory_group_members tm ON tm.group_id = g.id AND tm.employee_id = m.employee_id
    JOIN employees e ON e.id = m.employee_id AND e.active
    WHERE g.kind = 'team' AND g.team_id = ANY($1::bigint[])
), added AS (
    INSERT INTO team_leads (team_id, employee_id) SELECT team_id, employee_id FROM wanted
    ON CONFLICT DO NOTHING
    RETURNING team_id, employee_id
), removed AS (
    DELETE FROM team_leads l USING teams t
    WHERE t.id = l.team_id AND t.managed_by = 'scim' AND l.team_id = ANY($1::bigint[])
      AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.team_id = l.team_id AND w.employee_id = l.employee_id)
    RETURNING l.team_id, l.employee_id
)
SELECT true AS lead, a.team_id, t.slug AS team, a.employee_id FROM added a JOIN teams t ON t.id = a.team_id
UNION ALL
SELECT false, r.team_id, t.slug, r.employee_id FROM removed r JOIN teams t ON t.id = r.team_id
ORDER BY team, employee_id
"""

# Every lead role of employees $1 (they left).
END_LEADS_OF = """
DELETE FROM team_leads l USING teams t WHERE t.id = l.team_id AND l.employee_id = ANY($1::bigint[])
RETURNING false AS lead, l.team_id, t.slug AS team, l.employee_id
"""

# Employees $1 moved away from teams $2: their lead roles of those teams end (SCIM-kept teams
# follow their groups instead, through SYNC_SCIM_LEADS).
END_LEADS_ON_MOVE = """
DELETE FROM team_leads l USING teams t, unnest($1::bigint[], $2::bigint[]) AS m (employee_id, team_id)
WHERE l.employee_id = m.employee_id AND l.team_id = m.team_id AND t.id = l.team_id
  AND t.managed_by IS DISTINCT FROM 'scim'
RETURNING false AS lead, l.team_id, t.slug AS team, l.employee_id
"""

ADD_LEAD = """
INSERT INTO team_leads (team_id, employee_id) SELECT t.id, $2 FROM teams t WHERE t.id = $1
ON CONFLICT DO NOTHING
RETURNING true AS lead, team_id, (SELECT slug FROM teams WHERE id = $1) AS team, employee_id
"""
REMOVE_LEAD = """
DELETE FROM team_leads WHERE team_id = $1 AND employee_id = $2
RETURNING false AS lead, team_id, (SELECT slug FROM teams WHERE id = $1) AS team, employee_id
"""

TEAM_FOR_LEADS = "SELECT id, slug, managed_by FROM teams WHERE slug = $1"
EMAILS = "SELECT id, email FROM employees WHERE id = ANY($1::bigint[])"
EMPLOYEE_FOR_LEAD = "SELECT id, active FROM employees WHERE email = $1"

# ---- The identity provider's users (SCIM) ----

ACCOUNT_COLUMNS = """
    u.employee_id, u.user_name, u.external_id, u.display_name, u.active, u.manager_id, u.attributes,
    u.created_at, u.updated_at, e.email, e.active AS employee_active
"""
ACCOUNT = (
    f"SELECT {ACCOUNT_COLUMNS} FROM directory_users u JOIN employees e ON e.id = u.employee_id WHERE u.employee_id = $1"
)
ACCOUNT_FOR_UPDATE = ACCOUNT + " FOR UPDATE OF u"
# Whether another of the identity provider's users has this address ($2: the one being written).
ADDRESS_CLAIMED = """
SELECT EXISTS (SELECT 1 FROM employees e JOIN directory_users u ON u.employee_id = e.id
               WHERE e.email = $1 AND e.id IS DISTINCT FROM $2)
"""
ACCOUNT_EXISTS = "SELECT EXISTS (SELECT 1 FROM directory_users WHERE employee_id = $1)"
# Nothing when the userName is taken (or the employee has a user already).
INSERT_ACCOUNT = """
INSERT INTO directory_users (employee_id, user_name, external_id, display_name, active, manager_id, attributes)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT DO NOTHING
RETURNING created_at, updated_at
"""
UPDATE_ACCOUNT = """
UPDATE directory_users
SET user_name = $2, external_id = $3, display_name = $4, active = $5, manager_id = $6, attributes = $7,
    updated_at = now()
WHERE employee_id = $1
RETURNING created_at, updated_at
"""
DELETE_ACCOUNT = "DELETE FROM directory_users WHERE employee_id = $1 RETURNING employee_id"
# Those of $1 that are not the identity provider's users.
UNKNOWN_ACCOUNTS = """
SELECT x.id FROM unnest($1::bigint[]) AS x (id)
WHERE NOT EXISTS (SELECT 1 FROM directory_users WHERE employee_id = x.id)
ORDER BY x.id
"""

# ---- The identity provider's groups ----

GROUP_COLUMNS = "g.id, g.display_name, g.external_id, g.kind, g.team_id, g.created_at, g.updated_at"
GROUP = f"SELECT {GROUP_COLUMNS}, (SELECT slug FROM teams WHERE id = g.team_id) AS team FROM directory_groups g WHERE g.id = $1"
GROUP_FOR_UPDATE = GROUP + " FOR UPDATE OF g"
INSERT_GROUP = """
INSERT INTO directory_groups (display_name, external_id, kind, team_id) VALUES ($1, $2, $3, $4) RETURNING id
"""
UPDATE_GROUP = """
UPDATE directory_groups SET display_name = $2, external_id = $3, kind = $4, team_id = $5, updated_at = now()
WHERE id = $1
"""
TOUCH_GROUP = "UPDATE directory_groups SET updated_at = now() WHERE id = $1"
DELETE_GROUP = "DELETE FROM directory_groups WHERE id = $1"
MEMBER_IDS = "SELECT employee_id FROM directory_group_members WHERE group_id = $1 ORDER BY employee_id"
ADD_MEMBERS = """
INSERT INTO directory_group_members (group_id, employee_id)
SELECT $1, x.id FROM unnest($2::bigint[]) AS x (id) ORDER BY x.id
ON CONFLICT DO NOTHING
RETURNING employee_id
"""
# Members $2 of group $1 (NULL: all of them).
REMOVE_MEMBERS = """
DELETE FROM directory_group_members
WHERE group_id = $1 AND ($2::bigint[] IS NULL OR employee_id = ANY($2::bigint[]))
RETURNING employee_id
"""
# Every member of group $1 but $2.
KEEP_MEMBERS = """
DELETE FROM directory_group_members WHERE group_id = $1 AND employee_id <> ALL($2::bigint[])
RETURNING employee_id
"""
# The team whose leads group is named $1: the team group named $1 without the suffix $2.
TEAM_LED_BY = """
SELECT team_id FROM directory_groups
WHERE kind = 'team' AND lower(display_name) = lower(left($1, char_length($1) - char_length($2)))
"""

TEAM_BY_SLUG = """
SELECT t.id, t.slug, t.name, t.managed_by, EXISTS (SELECT 1 FROM directory_groups g WHERE g.team_id = t.id) AS linked
FROM teams t WHERE t.slug = $1 FOR UPDATE
"""
INSERT_TEAM = """
INSERT INTO teams (slug, name, managed_by) VALUES ($1, $2, $3) ON CONFLICT (slug) DO NOTHING RETURNING id
"""
KEEP_TEAM = "UPDATE teams SET name = $2, managed_by = $3, updated_at = now() WHERE id = $1 RETURNING slug"
RELEASE_TEAM = "UPDATE teams SET managed_by = NULL, updated_at = now() WHERE id = $1 RETURNING slug"

# ---- The admins' overview ----

STATUS = """
SELECT (SELECT count(*) FROM directory_users) AS scim_users,
       (SELECT count(*) FROM directory_groups) AS scim_groups,
       (SELECT count(*) FROM employees WHERE managed_by = 'import' AND active) AS imported,
       (SELECT count(*) FROM employees WHERE active) AS active,
       (SELECT count(*) FROM employees WHERE NOT active) AS departed,
       (SELECT max(at) FROM audit_trail WHERE source = 'scim') AS last_scim,
       (SELECT max(at) FROM audit_trail WHERE source = 'import') AS last_import
"""
# Teams nobody leads, and how many of their routed ideas wait (escalated to the admins).
LEADLESS_TEAMS = """
SELECT t.slug, t.name, t.managed_by,
       (SELECT count(*) FROM routings r WHERE r.team_id = t.id AND r.state = 'pending') AS waiting
FROM teams t WHERE NOT EXISTS (SELECT 1 FROM team_leads l WHERE l.team_id = t.id)
ORDER BY lower(t.name)
"""
RECENTLY_LEFT = """
SELECT id, email, name, managed_by, deactivated_at FROM employees WHERE NOT active ORDER BY deactivated_at DESC, id LIMIT $1
"""
