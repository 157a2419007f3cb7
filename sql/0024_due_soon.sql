-- portal:replaces 55eb9da1fa0a9f48ed88d40683f0e9598982567723548781521fb9f6a302fcc4
-- A routed idea whose answer falls due soon is said once, before it is overdue (routing.due_soon:
-- the team's chat channels hear of it).
ALTER TABLE routings ADD COLUMN due_soon_at timestamptz;
-- portal:step concurrently
CREATE INDEX CONCURRENTLY routings_due_soon_idx ON routings (due_at)
    WHERE state = 'pending' AND due_soon_at IS NULL AND overdue_notified_at IS NULL;
