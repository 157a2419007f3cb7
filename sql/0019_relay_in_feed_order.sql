-- portal:replaces 0d4f9ebac72c5861734f63cd74295094656b3547593c8914418aaf32cfd3824d
-- The relay takes events in feed order (portal.events.relay): an index of the undispatched ones by
-- their feed position replaces the one by id.
-- portal:step concurrently
CREATE INDEX CONCURRENTLY events_undispatched_position_idx ON events (feed_position) WHERE dispatched_at IS NULL;
DROP INDEX CONCURRENTLY events_undispatched_idx;
