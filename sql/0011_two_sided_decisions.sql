-- portal:replaces 33b8d38dffccd01b42b81e17c7e4158c94b64f63c8ef7ac382d8056b8d0cc35c
-- Two-sided decisions (portal.routing.decisions): when the provider team answers a routed idea,
-- or marks it done, each customer team it concerns is asked to confirm or dispute that answer
-- within its response time; a dispute reopens the provider's routing.
-- portal:step schema
ALTER TABLE routings
    ADD COLUMN position text,
    ADD COLUMN position_reason text,
    -- What the customer team is asked about: the provider's decision, or 'done'.
    ADD COLUMN position_asked text,
    ADD COLUMN position_requested_at timestamptz,
    ADD COLUMN position_due_at timestamptz,
    ADD COLUMN positioned_at timestamptz,
    ADD COLUMN positioned_by bigint,
    ADD CONSTRAINT routings_position_check CHECK (position IN ('confirmed', 'disputed')) NOT VALID,
    ADD CONSTRAINT routings_position_reason_check CHECK (char_length(position_reason) <= 2000) NOT VALID,
    ADD CONSTRAINT routings_position_asked_check
        CHECK (position_asked IN ('accepted', 'planned', 'declined', 'done')) NOT VALID,
    ADD CONSTRAINT routings_positioned_by_fkey FOREIGN KEY (positioned_by) REFERENCES employees (id) NOT VALID,
    ADD CONSTRAINT routings_position_by_customers CHECK (position_asked IS NULL OR role = 'customer') NOT VALID,
    ADD CONSTRAINT routings_position_when_asked CHECK (position IS NULL OR position_asked IS NOT NULL) NOT VALID,
    ADD CONSTRAINT routings_dispute_has_reason
        CHECK (position IS DISTINCT FROM 'disputed' OR position_reason IS NOT NULL) NOT VALID,
    ADD CONSTRAINT routings_position_recorded CHECK ((position IS NULL) = (positioned_at IS NULL)) NOT VALID;

-- portal:step concurrently
ALTER TABLE routings VALIDATE CONSTRAINT routings_position_check;
ALTER TABLE routings VALIDATE CONSTRAINT routings_position_reason_check;
ALTER TABLE routings VALIDATE CONSTRAINT routings_position_asked_check;
ALTER TABLE routings VALIDATE CONSTRAINT routings_positioned_by_fkey;
ALTER TABLE routings VALIDATE CONSTRAINT routings_position_by_customers;
ALTER TABLE routings VALIDATE CONSTRAINT routings_position_when_asked;
ALTER TABLE routings VALIDATE CONSTRAINT routings_dispute_has_reason;
ALTER TABLE routings VALIDATE CONSTRAINT routings_position_recorded;
