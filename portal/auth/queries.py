"""SQL for this domain, as $n-parameterised constants."""

from __future__ import annotations

EMPLOYEE_COLUMNS = """
    e.id, e.email, e.name, e.team_id, e.is_admin, e.is_moderator, e.subject, e.active, e.managed_by,
    (SELECT slug FROM teams WHERE id = e.team_id) AS team_slug
"""

EMPLOYEE_BY_SUBJECT = f"SELECT {EMPLOYEE_COLUMNS} FROM employees e WHERE e.subject = $1"

EMPLOYEE_BY_EMAIL = f"SELECT {EMPLOYEE_COLUMNS} FROM employees e WHERE e.email = $1"

EMPLOYEE_BY_ID = f"SELECT {EMPLOYEE_COLUMNS} FROM employees e WHERE e.id = $1"

# Claims update only a record the portal keeps itself (managed_by NULL).
UPDATE_BY_SUBJECT = """
UPDATE employees SET email = $2, name = $3, team_id = (SELECT id FROM teams WHERE slug = $4),
       is_admin = $5, updated_at = now()
WHERE subject = $1 AND managed_by IS NULL RETURNING id
"""

# A pre-provisioned employee (subject NULL) is claimed by email at first sign-in; an employee
# who has signed in keeps their subject for good, so another identity with the same email
# cannot take their row (nothing is returned then), and neither can claims take a record the
# directory keeps.
CLAIM_BY_EMAIL = """
INSERT INTO employees (subject, email, name, team_id, is_admin)
VALUES ($1, $2, $3, (SELECT id FROM teams WHERE slug = $4), $5)
ON CONFLICT (email) DO UPDATE
   SET subject = EXCLUDED.subject, name = EXCLUDED.name,
       team_id = coalesce(EXCLUDED.team_id, employees.team_id),
       is_admin = EXCLUDED.is_admin, updated_at = now()
   WHERE (employees.subject IS NULL OR employees.subject = EXCLUDED.subject) AND employees.managed_by IS NULL
RETURNING id
"""

# A directory-kept employee's first sign-in binds their identity to the record.
BIND_SUBJECT = "UPDATE employees SET subject = $2, updated_at = now() WHERE id = $1 AND subject IS NULL RETURNING id"

# last_used_at is refreshed at most once a minute, so a busy integration is not a write per call.
TOKEN_BY_HASH = """
WITH token AS (
    SELECT id, name, scopes, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL
), touched AS (
    UPDATE api_tokens SET last_used_at = now() FROM token
    WHERE api_tokens.id = token.id
      AND (token.last_used_at IS NULL OR token.last_used_at < now() - interval '1 minute')
)
SELECT id, name, scopes FROM token
"""

EMPLOYEES_BY_EMAIL = """
SELECT id, email, name FROM employees WHERE email = ANY($1::text[]) AND active ORDER BY email
"""
