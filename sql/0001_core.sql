-- Teams, employees, the service map, ideas, votes, comments, tokens, idempotency and the
-- event outbox. The database, not Python, holds the invariants.

CREATE TABLE teams (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug                text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name                text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    response_sla_hours  integer NOT NULL DEFAULT 72 CHECK (response_sla_hours BETWEEN 1 AND 8760),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE employees (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- NULL until the employee first signs in (pre-provisioned by an admin or as a lead).
    subject     text UNIQUE,
    email       text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    name        text NOT NULL DEFAULT '' CHECK (char_length(name) <= 200),
    team_id     bigint REFERENCES teams (id) ON DELETE SET NULL,
    is_admin    boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (email)
);
CREATE INDEX employees_team_idx ON employees (team_id);

CREATE TABLE team_leads (
    team_id      bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    employee_id  bigint NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    assigned_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, employee_id)
);
CREATE INDEX team_leads_employee_idx ON team_leads (employee_id);

CREATE TABLE services (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug              text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name              text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    description       text NOT NULL DEFAULT '' CHECK (char_length(description) <= 5000),
    provider_team_id  bigint NOT NULL REFERENCES teams (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX services_provider_idx ON services (provider_team_id);

CREATE TABLE service_customers (
    service_id  bigint NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    team_id     bigint NOT NULL REFERENCES teams (id),
    PRIMARY KEY (service_id, team_id)
);
CREATE INDEX service_customers_team_idx ON service_customers (team_id);

-- Search: English words through the english configuration; CJK text (which neither
-- configuration splits) as overlapping character bigrams plus each run's last character,
-- stored verbatim as lexemes so no locale or parser decides what a "word" is.
CREATE FUNCTION cjk_grams(doc text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT gram), '{}')
    FROM regexp_matches(coalesce(doc, ''),
             '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\uac00-\ud7af]+',
             'g') AS m(parts),
         LATERAL (
             SELECT substr(parts[1], i, 2) AS gram
             FROM generate_series(1, char_length(parts[1])) AS i
         ) grams
$$;

CREATE FUNCTION idea_search_document(title text, body text, tags text[]) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(array_to_tsvector(cjk_grams(title)), 'A')
        || setweight(to_tsvector('english', coalesce(array_to_string(tags, ' '), '')), 'B')
        || setweight(array_to_tsvector(cjk_grams(array_to_string(tags, ' '))), 'B')
        || setweight(to_tsvector('english', coalesce(body, '')), 'C')
        || setweight(array_to_tsvector(cjk_grams(body)), 'C')
$$;

-- The query side: English words as a web-search query, each CJK run as the AND of its
-- bigrams (a single character becomes a prefix match on the stored grams). NULL when
-- the text holds nothing to search for.
CREATE FUNCTION idea_search_query(q text) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    cjk constant text :=
        '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\uac00-\ud7af]+';
    rest constant text := regexp_replace(q, cjk, ' ', 'g');
    result tsquery;
    run text;
    part tsquery;
BEGIN
    IF rest ~ '[[:alnum:]]' THEN
        result := websearch_to_tsquery('english', rest);
    END IF;
    FOR run IN SELECT (regexp_matches(q, cjk, 'g'))[1] LOOP
        IF char_length(run) = 1 THEN
            part := (quote_literal(run) || ':*')::tsquery;
        ELSE
            SELECT string_agg(quote_literal(substr(run, i, 2)), ' & ')::tsquery INTO part
            FROM generate_series(1, char_length(run) - 1) AS i;
        END IF;
        result := CASE WHEN result IS NULL OR numnode(result) = 0 THEN part ELSE result && part END;
    END LOOP;
    RETURN result;
END
$$;

CREATE TABLE ideas (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id     bigint NOT NULL REFERENCES employees (id),
    title         text NOT NULL CHECK (char_length(title) BETWEEN 5 AND 200),
    body          text NOT NULL DEFAULT '' CHECK (char_length(body) <= 20000),
    tags          text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 10),
    status        text NOT NULL DEFAULT 'open' CHECK (status IN
                      ('open', 'under_review', 'planned', 'in_progress', 'done', 'declined', 'duplicate')),
    duplicate_of  bigint REFERENCES ideas (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    search        tsvector GENERATED ALWAYS AS (idea_search_document(title, body, tags)) STORED,
    CHECK ((status = 'duplicate') = (duplicate_of IS NOT NULL)),
    CHECK (duplicate_of IS DISTINCT FROM id)
);
CREATE INDEX ideas_search_idx ON ideas USING gin (search);
CREATE INDEX ideas_tags_idx ON ideas USING gin (tags);
CREATE INDEX ideas_author_idx ON ideas (author_id);
CREATE INDEX ideas_status_idx ON ideas (status, id DESC);
CREATE INDEX ideas_new_idx ON ideas (created_at DESC, id DESC);

CREATE TABLE idea_services (
    idea_id     bigint NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    service_id  bigint NOT NULL REFERENCES services (id),
    PRIMARY KEY (idea_id, service_id)
);
CREATE INDEX idea_services_service_idx ON idea_services (service_id);

CREATE TABLE idea_teams (
    idea_id  bigint NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    team_id  bigint NOT NULL REFERENCES teams (id),
    role     text NOT NULL CHECK (role IN ('provider', 'customer')),
    PRIMARY KEY (idea_id, team_id)
);
CREATE INDEX idea_teams_team_idx ON idea_teams (team_id);

CREATE TABLE votes (
    idea_id      bigint NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    employee_id  bigint NOT NULL REFERENCES employees (id),
    cast_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (idea_id, employee_id)
);
CREATE INDEX votes_employee_idx ON votes (employee_id);
CREATE INDEX votes_recent_idx ON votes (cast_at DESC, idea_id);

-- Withdrawn votes, kept so that a ranking "as of" a moment (the `top` and `trending` sorts'
-- cursors) does not shift while people vote and withdraw.
CREATE TABLE vote_withdrawals (
    idea_id       bigint NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    employee_id   bigint NOT NULL REFERENCES employees (id),
    cast_at       timestamptz NOT NULL,
    withdrawn_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (withdrawn_at >= cast_at)
);
CREATE INDEX vote_withdrawals_window_idx ON vote_withdrawals (withdrawn_at, idea_id);

-- vote_count is the sum of an idea's shard rows, kept in the same transaction as the vote
-- row, so it equals the number of votes at every commit. Spreading it over shards (chosen
-- by voter) keeps a hot idea from serialising every voter on one row lock.
CREATE TABLE idea_vote_shards (
    idea_id  bigint NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    shard    smallint NOT NULL CHECK (shard BETWEEN 0 AND 63),
    votes    integer NOT NULL CHECK (votes >= 0),
    PRIMARY KEY (idea_id, shard)
);

CREATE TABLE idea_status_changes (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idea_id      bigint NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    from_status  text NOT NULL,
    to_status    text NOT NULL,
    reason       text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 2000),
    changed_by   bigint REFERENCES employees (id),
    changed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idea_status_changes_idea_idx ON idea_status_changes (idea_id, id);

CREATE TABLE comments (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idea_id     bigint NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    author_id   bigint NOT NULL REFERENCES employees (id),
    body        text CHECK (char_length(body) BETWEEN 1 AND 10000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    -- A deleted comment keeps its row as a tombstone without its text.
    CHECK ((deleted_at IS NULL) = (body IS NOT NULL))
);
CREATE INDEX comments_idea_idx ON comments (idea_id, id);

CREATE TABLE api_tokens (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    -- sha256 of the token; the token itself is shown once and never stored.
    token_hash    bytea NOT NULL UNIQUE,
    prefix        text NOT NULL,
    scopes        text[] NOT NULL CHECK (cardinality(scopes) >= 1),
    created_by    bigint REFERENCES employees (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);

CREATE TABLE idempotency_keys (
    caller        text NOT NULL,
    key           text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    request_hash  text NOT NULL,
    status_code   integer,
    response      jsonb,
    headers       jsonb NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- The outbox: every domain fact, written in the transaction that caused it. Readers order
-- by (txid, id) and read only below the oldest running transaction, so an event can never
-- commit behind a cursor already handed out.
CREATE TABLE events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    type         text NOT NULL CHECK (type ~ '^[a-z_]+\.[a-z_]+$'),
    subject      text NOT NULL,
    data         jsonb NOT NULL,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    dispatched_at timestamptz
);
CREATE INDEX events_feed_idx ON events (txid, id);
CREATE INDEX events_undispatched_idx ON events (id) WHERE dispatched_at IS NULL;
