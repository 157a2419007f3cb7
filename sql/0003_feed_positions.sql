-- portal:replaces 8d7780dbd1f5af00b3e09ec92c542021c328b571fe9c64b028ed7837fd6fcbed
-- The feed's order no longer comes from transaction ids (which compared as text skipped and
-- repeated events, and whose snapshot horizon is server-wide, so any open transaction in any
-- database stalled the feed). A single serialised step (portal.events.feed.sequence, under an
-- advisory lock) gives each committed event the next feed position; positions are dense and
-- only ever appended in commit order, so a reader's cursor never has an event land behind it.
--
-- Online (portal.migrate): the column is added in a moment, existing events are numbered in
-- batches while events go on being written, and the constraints are checked without blocking.
-- Events the batches leave unnumbered (written meanwhile) are numbered by the feed's sequencer.

-- portal:step schema
ALTER TABLE events ADD COLUMN feed_position bigint;

-- portal:step concurrently
CREATE UNIQUE INDEX CONCURRENTLY events_feed_position_key ON events (feed_position);

-- Existing events keep the order they were served in: (txid, id), compared as numbers. Each
-- batch numbers the next events after the last one numbered, under the sequencer's lock.
-- portal:step batches
SELECT pg_advisory_xact_lock(7141592654);
WITH last AS (
    SELECT coalesce(max(feed_position), 0) AS position FROM events
), resume AS (
    SELECT coalesce(e.txid, '0'::xid8) AS txid, coalesce(e.id, 0) AS id
    FROM last LEFT JOIN events e ON e.feed_position = last.position
), next AS (
    SELECT e.id, row_number() OVER (ORDER BY e.txid, e.id) AS n
    FROM resume r, LATERAL (
        SELECT id, txid FROM events
        WHERE (txid, id) > (r.txid, r.id) AND feed_position IS NULL
        ORDER BY txid, id LIMIT $1
    ) e
)
UPDATE events e SET feed_position = last.position + next.n FROM next, last WHERE e.id = next.id;

-- portal:step concurrently
CREATE INDEX CONCURRENTLY events_unsequenced_idx ON events (id) WHERE feed_position IS NULL;

-- portal:step schema
ALTER TABLE events ADD CONSTRAINT events_feed_position_key UNIQUE USING INDEX events_feed_position_key;
ALTER TABLE events ADD CONSTRAINT events_feed_position_positive CHECK (feed_position >= 1) NOT VALID;

-- Cursors handed out before this migration named (txid, id); they are translated through the
-- event id, so the txid column is no longer needed.
-- portal:step concurrently
ALTER TABLE events VALIDATE CONSTRAINT events_feed_position_positive;
DROP INDEX CONCURRENTLY events_feed_idx;

-- portal:step schema
ALTER TABLE events DROP COLUMN txid;
