-- portal:replaces b2ebd325411c76fa023ca5eece1619a1055ef8325c2ea3f6b1ec3742810dbf88
-- Service standards (portal.services.standards): each service publishes how to request it and
-- what its provider commits to. Versioned: a new standard is a new row; a routing records the
-- version in force when it was routed, and is measured against it.
CREATE TABLE service_standards (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id               bigint NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    version                  integer NOT NULL CHECK (version >= 1),
    how_to_request           text NOT NULL CHECK (char_length(how_to_request) BETWEEN 1 AND 2000),
    first_response_hours     integer NOT NULL CHECK (first_response_hours BETWEEN 1 AND 8760),
    resolution_target_hours  integer CHECK (resolution_target_hours BETWEEN 1 AND 87600),
    hours_of_service         text NOT NULL DEFAULT '' CHECK (char_length(hours_of_service) <= 200),
    contact                  text NOT NULL CHECK (char_length(contact) BETWEEN 1 AND 200),
    published_at             timestamptz NOT NULL DEFAULT now(),
    published_by             bigint REFERENCES employees (id),
    UNIQUE (service_id, version),
    CHECK (resolution_target_hours IS NULL OR resolution_target_hours >= first_response_hours)
);

-- The standard a routing is measured against (NULL: the team's response time applied).
ALTER TABLE routings ADD COLUMN standard_id bigint,
    ADD CONSTRAINT routings_standard_id_fkey FOREIGN KEY (standard_id) REFERENCES service_standards (id) NOT VALID;

-- portal:step concurrently
ALTER TABLE routings VALIDATE CONSTRAINT routings_standard_id_fkey;
