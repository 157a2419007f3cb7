-- portal:replaces 51f37173e13c1a9170fb3fc6f20fefc8137cbe2726f5f263b542cd54e462ebb9
-- Scorecards (portal.scorecards): for each provider team, and each service, per calendar month
-- (UTC), compiled by the worker from routings, decisions, done ideas and thanks. The survey
-- measures (satisfaction, effort, "did this solve it") are not collected yet.

-- When a routing was first answered, and first decided (accepted, planned or declined).
ALTER TABLE routings ADD COLUMN first_responded_at timestamptz, ADD COLUMN decided_at timestamptz;
-- portal:step ranges routings.idea_id
UPDATE routings
SET first_responded_at = responded_at,
    decided_at = CASE WHEN state IN ('accepted', 'planned', 'declined') THEN responded_at END
WHERE responded_at IS NOT NULL AND idea_id >= $1 AND idea_id < $2;
-- portal:step concurrently
CREATE INDEX CONCURRENTLY routings_provider_routed_idx ON routings (routed_at) WHERE role = 'provider';
CREATE INDEX CONCURRENTLY routings_decided_idx ON routings (decided_at) WHERE role = 'provider' AND decided_at IS NOT NULL;
CREATE INDEX CONCURRENTLY idea_status_changes_done_idx ON idea_status_changes (changed_at) WHERE to_status = 'done';
-- portal:step schema

CREATE TABLE scorecards (
    team_id      bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    -- NULL: the team as a whole; else one of the services it provides.
    service_id   bigint REFERENCES services (id) ON DELETE CASCADE,
    period       text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    content      jsonb NOT NULL,
    compiled_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (team_id, service_id, period)
);
CREATE INDEX scorecards_period_idx ON scorecards (period);
