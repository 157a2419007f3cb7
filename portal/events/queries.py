"""SQL for this domain, as $n-parameterised constants."""

from __future__ import annotations

RECORD_EVENT = "INSERT INTO events (type, subject, data) VALUES ($1, $2, $3)"

CLAIM_BATCH = """
SELECT id, type, data FROM events WHERE dispatched_at IS NULL
ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
"""

MARK_DISPATCHED = "UPDATE events SET dispatched_at = now() WHERE id = ANY($1::bigint[])"

PENDING = "SELECT EXISTS (SELECT 1 FROM events WHERE dispatched_at IS NULL)"

TRY_LOCK = "SELECT pg_try_advisory_xact_lock($1)"

HAS_UNSEQUENCED = "SELECT EXISTS (SELECT 1 FROM events WHERE feed_position IS NULL)"

# Runs as its own statement after the lock is held, so its snapshot sees every earlier
# sequencing. Rows another transaction has locked (the relay marking them dispatched) are
# skipped and numbered by the next run, rather than waited for.
SEQUENCE = """
WITH next AS (
    SELECT id, row_number() OVER (ORDER BY id) AS n FROM (
        SELECT id FROM events WHERE feed_position IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
    ) unsequenced
)
UPDATE events e SET feed_position = (SELECT coalesce(max(feed_position), 0) FROM events) + next.n
FROM next WHERE e.id = next.id
"""

FEED = """
SELECT id, feed_position, type, subject, data, occurred_at FROM events
WHERE feed_position > $1 AND feed_position <= $2 AND ($3::text[] IS NULL OR type = ANY($3::text[]))
ORDER BY feed_position
LIMIT $4
"""

HEAD = "SELECT coalesce(max(feed_position), 0) FROM events"

POSITION_OF_EVENT = "SELECT coalesce(max(feed_position), 0) FROM events WHERE id <= $1 AND feed_position IS NOT NULL"
