"""SQL for the audit trail, as $n-parameterised constants."""

from __future__ import annotations

# $1 source, $2 actor, $3 actor's name, $4 address; $5..$8 each change's action, subject, before
# and after (JSON text or NULL), appended in the order given.
RECORD = """
INSERT INTO audit_trail (source, actor, actor_name, address, action, subject, before, after)
SELECT $1, $2, $3, $4::inet, c.action, c.subject, c.before::jsonb, c.after::jsonb
FROM unnest($5::text[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS c (action, subject, before, after, n)
ORDER BY c.n
"""
COLUMNS = "id, at, source, actor, actor_name, host(address) AS address, action, subject, before, after"
# The filters: $1 subject, $2 who (an actor label or name), $3 action (exact, or its kind when it
# ends with a dot: "webhook."), $4 since, $5 until.
FILTERS = """
($1::text IS NULL OR subject = $1)
AND ($2::text IS NULL OR actor = $2 OR actor_name = $2)
AND ($3::text IS NULL OR action = $3 OR (right($3, 1) = '.' AND action LIKE $3 || '%'))
AND ($4::timestamptz IS NULL OR at >= $4)
AND ($5::timestamptz IS NULL OR at < $5)
"""
PAGE = (
    f"SELECT {COLUMNS} FROM audit_trail WHERE ($6::bigint IS NULL OR id < $6) AND {FILTERS} ORDER BY id DESC LIMIT $7"
)
ALL = f"SELECT {COLUMNS} FROM audit_trail WHERE {FILTERS} ORDER BY id"
