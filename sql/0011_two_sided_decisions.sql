-- Two-sided decisions (portal.routing.decisions): when the provider team answers a routed idea,
-- or marks it done, each customer team it concerns is asked to confirm or dispute that answer
-- within its response time; a dispute reopens the provider's routing.
ALTER TABLE routings
    ADD COLUMN position text CHECK (position IN ('confirmed', 'disputed')),
    ADD COLUMN position_reason text CHECK (char_length(position_reason) <= 2000),
    -- What the customer team is asked about: the provider's decision, or 'done'.
    ADD COLUMN position_asked text CHECK (position_asked IN ('accepted', 'planned', 'declined', 'done')),
    ADD COLUMN position_requested_at timestamptz,
    ADD COLUMN position_due_at timestamptz,
    ADD COLUMN positioned_at timestamptz,
    ADD COLUMN positioned_by bigint REFERENCES employees (id),
    ADD CONSTRAINT routings_position_by_customers CHECK (position_asked IS NULL OR role = 'customer'),
    ADD CONSTRAINT routings_position_when_asked CHECK (position IS NULL OR position_asked IS NOT NULL),
    ADD CONSTRAINT routings_dispute_has_reason CHECK (position IS DISTINCT FROM 'disputed' OR position_reason IS NOT NULL),
    ADD CONSTRAINT routings_position_recorded CHECK ((position IS NULL) = (positioned_at IS NULL));
