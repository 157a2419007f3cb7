"""SQL for this domain, as $n-parameterised constants."""

from __future__ import annotations

WEBHOOK_COLUMNS = "id, url, event_types, description, enabled, disabled_reason, failing_since, created_at, updated_at"

INSERT_WEBHOOK = f"""
INSERT INTO webhooks (url, event_types, description, secret_encrypted) VALUES ($1, $2, $3, $4)
RETURNING {WEBHOOK_COLUMNS}
"""

GET_WEBHOOK = f"SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1"

LIST_WEBHOOKS = f"SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY id"

UPDATE_WEBHOOK = f"""
UPDATE webhooks SET url = coalesce($2, url), event_types = coalesce($3, event_types),
       description = coalesce($4, description), enabled = coalesce($5, enabled),
       disabled_reason = CASE WHEN $5 THEN NULL ELSE disabled_reason END,
       failing_since = CASE WHEN $5 THEN NULL ELSE failing_since END,
       updated_at = now()
WHERE id = $1 RETURNING {WEBHOOK_COLUMNS}
"""

DELETE_WEBHOOK = "DELETE FROM webhooks WHERE id = $1 RETURNING id"

LIST_DELIVERIES = """
SELECT d.id, d.event_id, e.type AS event_type, d.state, d.attempts, d.next_attempt_at, d.created_at,
       d.completed_at,
       coalesce((SELECT json_agg(json_build_object(
                    'attempted_at', a.attempted_at, 'status_code', a.status_code, 'error', a.error,
                    'duration_ms', a.duration_ms, 'response_excerpt', a.response_excerpt) ORDER BY a.id)
                 FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]') AS attempt_log
FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
WHERE d.webhook_id = $1 ORDER BY d.id DESC LIMIT $2
"""

REDELIVER = """
UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = now(), lease_until = NULL,
       completed_at = NULL
WHERE id = $1 AND webhook_id = $2 RETURNING id
"""

CREATE_FOR_EVENTS = """
INSERT INTO webhook_deliveries (webhook_id, event_id, next_attempt_at)
SELECT w.id, e.id, now()
FROM events e JOIN webhooks w ON w.enabled AND (e.type = ANY(w.event_types) OR '*' = ANY(w.event_types))
WHERE e.id = ANY($1::bigint[])
ON CONFLICT (webhook_id, event_id) DO NOTHING
RETURNING id
"""

CLAIM = """
UPDATE webhook_deliveries d SET lease_until = now() + make_interval(secs => $3)
FROM webhooks w, events e
WHERE d.id IN (
        SELECT id FROM webhook_deliveries
        WHERE state = 'pending' AND next_attempt_at <= now()
          AND (lease_until IS NULL OR lease_until < now())
          AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))
        ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
  AND w.id = d.webhook_id AND e.id = d.event_id
RETURNING d.id AS delivery_id, d.attempts, w.id AS webhook_id, w.url, w.secret_encrypted,
          e.id, e.type, e.subject, e.data, e.occurred_at
"""

RECORD_ATTEMPTS = """
INSERT INTO webhook_attempts (delivery_id, status_code, error, duration_ms, response_excerpt)
SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::int[], $5::text[])
"""

SUCCEEDED = """
UPDATE webhook_deliveries SET state = 'succeeded', attempts = attempts + 1, completed_at = now(),
       lease_until = NULL, next_attempt_at = NULL
WHERE id = ANY($1::bigint[])
"""

RETRY_LATER = """
UPDATE webhook_deliveries d SET attempts = attempts + 1, lease_until = NULL,
       next_attempt_at = now() + make_interval(secs => later.delay)
FROM unnest($1::bigint[], $2::float8[]) AS later (id, delay)
WHERE d.id = later.id
"""

FAILED = """
UPDATE webhook_deliveries SET state = 'failed', attempts = attempts + 1, completed_at = now(),
       lease_until = NULL, next_attempt_at = NULL
WHERE id = ANY($1::bigint[])
"""

WEBHOOK_OK = "UPDATE webhooks SET failing_since = NULL WHERE id = ANY($1::bigint[]) AND failing_since IS NOT NULL"

WEBHOOK_FAILING = "UPDATE webhooks SET failing_since = now() WHERE id = ANY($1::bigint[]) AND failing_since IS NULL"

DISABLE_FAILING = """
UPDATE webhooks SET enabled = false, updated_at = now(),
       disabled_reason = 'every delivery failed since ' || failing_since
WHERE enabled AND failing_since < now() - make_interval(secs => $1)
RETURNING id, failing_since
"""

DUE = """
SELECT id FROM webhook_deliveries
WHERE state = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
ORDER BY next_attempt_at LIMIT $1
"""
