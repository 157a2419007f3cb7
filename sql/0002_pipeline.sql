-- The event pipeline: routing of ideas to teams, compiled results and digests, webhooks.

CREATE TABLE routing_rules (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    match_kind  text NOT NULL CHECK (match_kind IN ('tag', 'keyword')),
    pattern     text NOT NULL CHECK (char_length(pattern) BETWEEN 1 AND 100 AND pattern = lower(pattern)),
    team_id     bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('provider', 'customer')),
    created_by  bigint REFERENCES employees (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (match_kind, pattern, team_id)
);

CREATE TABLE routings (
    idea_id              bigint NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    team_id              bigint NOT NULL REFERENCES teams (id),
    role                 text NOT NULL CHECK (role IN ('provider', 'customer')),
    state                text NOT NULL DEFAULT 'pending' CHECK (state IN
                             ('pending', 'acknowledged', 'accepted', 'declined', 'planned', 'withdrawn')),
    routed_at            timestamptz NOT NULL DEFAULT now(),
    due_at               timestamptz NOT NULL,
    responded_at         timestamptz,
    responded_by         bigint REFERENCES employees (id),
    message              text CHECK (char_length(message) <= 5000),
    overdue_notified_at  timestamptz,
    PRIMARY KEY (idea_id, team_id),
    CHECK ((responded_at IS NULL) = (responded_by IS NULL))
);
CREATE INDEX routings_inbox_idx ON routings (team_id, state, due_at);
CREATE INDEX routings_overdue_idx ON routings (due_at) WHERE state = 'pending' AND overdue_notified_at IS NULL;

CREATE TABLE idea_results (
    idea_id      bigint PRIMARY KEY REFERENCES ideas (id) ON DELETE CASCADE,
    vote_count   integer NOT NULL CHECK (vote_count >= 0),
    by_team      jsonb NOT NULL,
    by_role      jsonb NOT NULL,
    compiled_at  timestamptz NOT NULL DEFAULT now()
);

-- Ideas whose votes changed since their results were compiled; drained in batches.
CREATE TABLE results_pending (
    idea_id       bigint PRIMARY KEY REFERENCES ideas (id) ON DELETE CASCADE,
    requested_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE team_digests (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    team_id       bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    period_start  timestamptz NOT NULL,
    period_end    timestamptz NOT NULL,
    content       jsonb NOT NULL,
    compiled_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (period_end > period_start)
);
CREATE INDEX team_digests_team_idx ON team_digests (team_id, id DESC);

CREATE TABLE webhooks (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url               text NOT NULL CHECK (url ~ '^https?://' AND char_length(url) <= 2000),
    event_types       text[] NOT NULL CHECK (cardinality(event_types) >= 1),
    description       text NOT NULL DEFAULT '' CHECK (char_length(description) <= 500),
    -- The signing secret, encrypted with PORTAL_ENCRYPTION_KEY (it must be usable to sign).
    secret_encrypted  bytea NOT NULL,
    enabled           boolean NOT NULL DEFAULT true,
    disabled_reason   text,
    failing_since     timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id       bigint NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id         bigint NOT NULL REFERENCES events (id),
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'succeeded', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz,
    lease_until      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    completed_at     timestamptz,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id DESC);

CREATE TABLE webhook_attempts (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id       bigint NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at      timestamptz NOT NULL DEFAULT now(),
    status_code       integer,
    error             text,
    duration_ms       integer NOT NULL,
    response_excerpt  text CHECK (char_length(response_excerpt) <= 1000)
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
