-- The feed's order no longer comes from transaction ids (which compared as text skipped and
-- repeated events, and whose snapshot horizon is server-wide, so any open transaction in any
-- database stalled the feed). A single serialised step (portal.events.feed.sequence, under an
-- advisory lock) gives each committed event the next feed position; positions are dense and
-- only ever appended in commit order, so a reader's cursor never has an event land behind it.

ALTER TABLE events ADD COLUMN feed_position bigint;

-- Existing events keep the order they were served in: (txid, id), compared as numbers.
UPDATE events e SET feed_position = ordered.position
FROM (SELECT id, row_number() OVER (ORDER BY txid, id) AS position FROM events) ordered
WHERE e.id = ordered.id;

ALTER TABLE events ADD CONSTRAINT events_feed_position_key UNIQUE (feed_position);
ALTER TABLE events ADD CONSTRAINT events_feed_position_positive CHECK (feed_position >= 1);
CREATE INDEX events_unsequenced_idx ON events (id) WHERE feed_position IS NULL;

-- Cursors handed out before this migration named (txid, id); they are translated through the
-- event id, so the txid column is no longer needed.
DROP INDEX events_feed_idx;
ALTER TABLE events DROP COLUMN txid;
