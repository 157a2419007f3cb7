-- portal:replaces 200ebba378300c7139cae8221a1e6dd1e6eb6b43c60ae8342aa0e0b7236ff543
-- The web client: employees' language and time zone, server-side sessions, and OpenID Connect
-- sign-ins in progress.

-- portal:step schema
ALTER TABLE employees ADD COLUMN locale text,
    ADD CONSTRAINT employees_locale_check CHECK (locale IN ('en', 'ja')) NOT VALID;
ALTER TABLE employees ADD COLUMN time_zone text,
    ADD CONSTRAINT employees_time_zone_check CHECK (char_length(time_zone) BETWEEN 1 AND 64) NOT VALID;

-- A browser session. The cookie holds a random token; only its SHA-256 is stored, so a copy of
-- this table signs nobody in. Signing out deletes the row.
CREATE TABLE web_sessions (
    token_hash    bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    employee_id   bigint NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    csrf_token    text NOT NULL CHECK (char_length(csrf_token) >= 32),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);
CREATE INDEX web_sessions_employee_idx ON web_sessions (employee_id);
CREATE INDEX web_sessions_expiry_idx ON web_sessions (expires_at);

-- An authorization-code sign-in between the redirect to the identity provider and its answer.
CREATE TABLE web_sign_ins (
    state_hash     bytea PRIMARY KEY CHECK (octet_length(state_hash) = 32),
    nonce          text NOT NULL,
    code_verifier  text NOT NULL CHECK (char_length(code_verifier) BETWEEN 43 AND 128),
    next_path      text NOT NULL CHECK (next_path LIKE '/%' AND char_length(next_path) <= 2000),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX web_sign_ins_created_idx ON web_sign_ins (created_at);

-- portal:step concurrently
ALTER TABLE employees VALIDATE CONSTRAINT employees_locale_check;
ALTER TABLE employees VALIDATE CONSTRAINT employees_time_zone_check;
