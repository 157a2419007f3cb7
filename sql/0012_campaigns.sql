-- portal:replaces 8a36c48d345474ceafd23a4385d5a8f50959729090085a8826064f115ae73de0
-- Time-boxed campaigns (portal.campaigns): a question, its scope, and phases with deadlines
-- (collect ideas -> vote -> decide -> closed), with an optional vote budget per employee.
CREATE TABLE campaigns (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    question        text NOT NULL CHECK (char_length(question) BETWEEN 5 AND 300),
    description     text NOT NULL DEFAULT '' CHECK (char_length(description) <= 5000),
    -- The team that runs it; NULL: the admins.
    team_id         bigint REFERENCES teams (id),
    created_by      bigint NOT NULL REFERENCES employees (id),
    collect_until   timestamptz NOT NULL,
    vote_until      timestamptz NOT NULL,
    decide_until    timestamptz NOT NULL,
    -- Votes each employee may cast in it; NULL: one per idea, as anywhere.
    vote_budget     integer CHECK (vote_budget BETWEEN 1 AND 100),
    -- The phase the worker last moved it to (each deadline moves it once); the rules go by the
    -- deadlines themselves, so they hold to the second.
    phase           text NOT NULL DEFAULT 'collect' CHECK (phase IN ('collect', 'vote', 'decide', 'closed')),
    phase_changed_at timestamptz,
    results         jsonb,
    results_compiled_at timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (collect_until < vote_until AND vote_until < decide_until)
);
CREATE INDEX campaigns_due_idx ON campaigns (phase, collect_until, vote_until, decide_until) WHERE phase <> 'closed';

CREATE TABLE campaign_services (
    campaign_id  bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    service_id   bigint NOT NULL REFERENCES services (id),
    PRIMARY KEY (campaign_id, service_id)
);

CREATE TABLE campaign_teams (
    campaign_id  bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    team_id      bigint NOT NULL REFERENCES teams (id),
    role         text NOT NULL CHECK (role IN ('provider', 'customer')),
    PRIMARY KEY (campaign_id, team_id)
);

ALTER TABLE ideas ADD COLUMN campaign_id bigint,
    ADD CONSTRAINT ideas_campaign_id_fkey FOREIGN KEY (campaign_id) REFERENCES campaigns (id) NOT VALID;
-- portal:step concurrently
ALTER TABLE ideas VALIDATE CONSTRAINT ideas_campaign_id_fkey;
CREATE INDEX CONCURRENTLY ideas_campaign_idx ON ideas (campaign_id, created_at DESC, id DESC) WHERE campaign_id IS NOT NULL;
