-- The relay takes events in feed order (portal.events.relay): an index of the undispatched ones by
-- their feed position replaces the one by id.
CREATE INDEX events_undispatched_position_idx ON events (feed_position) WHERE dispatched_at IS NULL;
DROP INDEX events_undispatched_idx;
