"""SQL for this domain, as $n-parameterised constants."""

from __future__ import annotations

RECORD_EVENT = "INSERT INTO events (type, subject, data) VALUES ($1, $2, $3)"
# Many events in one statement ($1 types, $2 subjects, $3 data as JSON text), in the order given.
RECORD_EVENTS = """
INSERT INTO events (type, subject, data)
SELECT e.type, e.subject, e.data::jsonb
FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS e (type, subject, data, n)
ORDER BY e.n
"""

# Only events the feed has numbered, in feed order: what reacts to them (webhooks, notifications)
# sees them in the order the feed does, and the relay never holds a row the numbering needs.
CLAIM_BATCH = """
SELECT id, type, data FROM events WHERE dispatched_at IS NULL AND feed_position IS NOT NULL
ORDER BY feed_position LIMIT $1 FOR NO KEY UPDATE
"""

MARK_DISPATCHED = "UPDATE events SET dispatched_at = now() WHERE id = ANY($1::bigint[])"

PENDING = "SELECT EXISTS (SELECT 1 FROM events WHERE dispatched_at IS NULL)"

TRY_LOCK = "SELECT pg_try_advisory_xact_lock($1)"

HAS_UNSEQUENCED = "SELECT EXISTS (SELECT 1 FROM events WHERE feed_position IS NULL)"

# Runs as its own statement after the lock is held, so its snapshot sees every earlier
# sequencing. Nothing else writes an unnumbered event (the relay takes only numbered ones), so no
# row is skipped: events are numbered in the order they committed and, within one commit, of ids.
SEQUENCE = """
WITH next AS (
    SELECT id, row_number() OVER (ORDER BY id) AS n FROM (
        SELECT id FROM events WHERE feed_position IS NULL ORDER BY id LIMIT $1 FOR NO KEY UPDATE
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
