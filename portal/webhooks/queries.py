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

# In feed order, so ids follow the order events happened in. The webhooks' rows are held (KEY
# SHARE) while their deliveries are made: a webhook deleted meanwhile waits, or is left out.
CREATE_FOR_EVENTS = """
INSERT INTO webhook_deliveries (webhook_id, event_id, subject, next_attempt_at)
SELECT w.id, e.id, e.subject, now()
FROM events e JOIN webhooks w ON w.enabled AND (e.type = ANY(w.event_types) OR '*' = ANY(w.event_types))
WHERE e.id = ANY($1::bigint[])
ORDER BY e.feed_position, e.id, w.id
FOR KEY SHARE OF w
ON CONFLICT (webhook_id, event_id) DO NOTHING
RETURNING id
"""

CLAIMED_COLUMNS = """d.id AS delivery_id, d.attempts, w.id AS webhook_id, w.url, w.secret_encrypted,
          e.id, e.type, e.subject, e.data, e.occurred_at"""

# Due deliveries that are first in their line: no earlier delivery of the same webhook about the
# same subject is still pending (in flight or waiting for a retry).
CLAIM = f"""
UPDATE webhook_deliveries d SET lease_until = now() + make_interval(secs => $3)
FROM webhooks w, events e
WHERE d.id IN (
        SELECT c.id FROM webhook_deliveries c
        WHERE c.state = 'pending' AND c.next_attempt_at <= now()
          AND (c.lease_until IS NULL OR c.lease_until < now())
          AND ($1::bigint[] IS NULL OR c.id = ANY($1::bigint[]))
          AND NOT EXISTS (
              SELECT 1 FROM webhook_deliveries p
              WHERE p.webhook_id = c.webhook_id AND p.subject = c.subject AND p.state = 'pending' AND p.id < c.id)
        ORDER BY c.next_attempt_at LIMIT $2 FOR UPDATE OF c SKIP LOCKED)
  AND w.id = d.webhook_id AND e.id = d.event_id
RETURNING {CLAIMED_COLUMNS}
"""


# One attempt and what follows from it, in one statement: $1 the delivery, $2-$5 the attempt, $6
# the delivery's state now ('succeeded', 'pending' for a retry after $7 seconds, or 'failed').
# Once the delivery is done, the next one in its line is leased for $8 seconds and answered (the
# caller sends it next); nothing when the delivery was deleted meanwhile (its webhook was).
RECORD_ATTEMPT = f"""
WITH done AS (
    SELECT id, webhook_id, subject FROM webhook_deliveries WHERE id = $1 FOR NO KEY UPDATE
), attempt AS (
    INSERT INTO webhook_attempts (delivery_id, status_code, error, duration_ms, response_excerpt)
    SELECT id, $2, $3, $4, $5 FROM done
), recorded AS (
    UPDATE webhook_deliveries d
    SET state = $6, attempts = attempts + 1, lease_until = NULL,
        next_attempt_at = CASE WHEN $6 = 'pending' THEN now() + make_interval(secs => $7) END,
        completed_at = CASE WHEN $6 = 'pending' THEN NULL ELSE now() END
    FROM done WHERE d.id = done.id
), hook AS (
    UPDATE webhooks h SET failing_since = CASE WHEN $6 = 'succeeded' THEN NULL ELSE now() END
    FROM done WHERE h.id = done.webhook_id AND (h.failing_since IS NULL) = ($6 <> 'succeeded')
)
UPDATE webhook_deliveries d SET lease_until = now() + make_interval(secs => $8)
FROM done, webhooks w, events e
WHERE $6 <> 'pending'
  AND d.id = (SELECT n.id FROM webhook_deliveries n
              WHERE n.webhook_id = done.webhook_id AND n.subject = done.subject AND n.state = 'pending'
                AND n.id > done.id
              ORDER BY n.id LIMIT 1)
  AND d.next_attempt_at <= now() AND (d.lease_until IS NULL OR d.lease_until < now())
  AND w.id = d.webhook_id AND e.id = d.event_id
RETURNING {CLAIMED_COLUMNS}
"""

RELEASE = "UPDATE webhook_deliveries SET lease_until = NULL WHERE id = $1"

DISABLE_FAILING = """
UPDATE webhooks SET enabled = false, updated_at = now(),
       disabled_reason = 'every delivery failed since ' || failing_since
WHERE enabled AND failing_since < now() - make_interval(secs => $1)
RETURNING id, failing_since
"""

# Due deliveries first in their line (what CLAIM would take).
DUE = """
SELECT c.id FROM webhook_deliveries c
WHERE c.state = 'pending' AND c.next_attempt_at <= now() AND (c.lease_until IS NULL OR c.lease_until < now())
  AND NOT EXISTS (
      SELECT 1 FROM webhook_deliveries p
      WHERE p.webhook_id = c.webhook_id AND p.subject = c.subject AND p.state = 'pending' AND p.id < c.id)
ORDER BY c.next_attempt_at LIMIT $1
"""
