-- portal:replaces 98202fdc98578b5f2bd9c583a858e91d1e9a912c8e8b7aae69c5551fee4bf88c
-- The company's directory (portal.directory, docs/directory.md): who is still employed, who keeps
-- each employee's and team's record (the identity provider over SCIM, an org file, or the portal
-- itself), the identity provider's users and groups, the team each vote was cast for, people
-- search, and the append-only audit of every change the directory makes.

-- An employee who left keeps their ideas, comments and votes; they can no longer sign in and are
-- told nothing. `managed_by`: who keeps the record (NULL: the portal, from sign-in claims and
-- admins); a token's claims never change a record the directory keeps.
ALTER TABLE employees
    ADD COLUMN active boolean NOT NULL DEFAULT true,
    ADD COLUMN deactivated_at timestamptz,
    ADD COLUMN managed_by text CHECK (managed_by IN ('scim', 'import')),
    ADD COLUMN given_name text NOT NULL DEFAULT '' CHECK (char_length(given_name) <= 200),
    ADD COLUMN family_name text NOT NULL DEFAULT '' CHECK (char_length(family_name) <= 200),
    ADD CONSTRAINT employees_deactivated_when_inactive CHECK (active = (deactivated_at IS NULL));

-- People search (GET /api/v1/employees?q=): every word of the name, the given and family names,
-- the address and its local part, lower-cased and stored verbatim as lexemes (no parser or locale
-- decides what a Japanese word is), so a query matches each word's prefix through the GIN index.
CREATE FUNCTION person_search_document(name text, email text, given_name text, family_name text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_to_tsvector(array_remove(
        ARRAY[lower(email), lower(split_part(email, '@', 1))]
        || regexp_split_to_array(
               lower(concat_ws(' ', name, given_name, family_name, split_part(email, '@', 1))),
               '[[:space:]\u3000\u30fb.,;:_+()''"\\/-]+'),
        ''))
$$;

-- Each word of the query as a prefix, all required; NULL when it holds no word.
CREATE FUNCTION person_search_query(q text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT string_agg(quote_literal(word) || ':*', ' & ')::tsquery
    FROM regexp_split_to_table(lower(q), '[[:space:]\u3000\u30fb,;()''"\\]+') AS word
    WHERE word <> ''
$$;

-- Not online: adding a stored generated column rewrites employees, which holds the table (and
-- the writes that name an employee) for as long as that takes (docs/operations.md).
ALTER TABLE employees ADD COLUMN search tsvector
    GENERATED ALWAYS AS (person_search_document(name, email, given_name, family_name)) STORED;

-- The identity provider's users (SCIM, RFC 7643): one per employee it provisioned. Deleting a
-- user removes this row (the SCIM resource is gone) and deactivates the employee.
CREATE FUNCTION directory_email_values(attributes jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(lower(email ->> 'value')) FILTER (WHERE email ->> 'value' IS NOT NULL), '{}')
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(attributes -> 'emails') = 'array'
                                   THEN attributes -> 'emails' ELSE '[]' END) AS email
$$;

CREATE TABLE directory_users (
    employee_id   bigint PRIMARY KEY REFERENCES employees (id),
    user_name     text NOT NULL CHECK (char_length(user_name) BETWEEN 1 AND 256),
    external_id   text CHECK (char_length(external_id) BETWEEN 1 AND 256),
    display_name  text CHECK (char_length(display_name) <= 256),
    -- As the identity provider last sent it; NULL when it sent none (the employee is then active).
    active        boolean,
    manager_id    bigint REFERENCES employees (id) ON DELETE SET NULL,
    -- The rest of the resource as last written: name, emails, the enterprise extension's
    -- employeeNumber and department (portal.scim.models says which attributes are kept).
    attributes    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    emails        text[] GENERATED ALWAYS AS (directory_email_values(attributes)) STORED,
    department    text GENERATED ALWAYS AS
                      (attributes #>> '{urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,department}') STORED,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX directory_users_user_name_key ON directory_users (lower(user_name));
CREATE INDEX directory_users_external_id_idx ON directory_users (external_id);
CREATE INDEX directory_users_display_name_idx ON directory_users (lower(display_name));
CREATE INDEX directory_users_emails_idx ON directory_users USING gin (emails);
CREATE INDEX directory_users_manager_idx ON directory_users (manager_id);

-- The identity provider's groups. What a group means comes from its name when it is written
-- (portal.directory.groups.kind_of): the admins' group, a team's leads ("<team><suffix>"), or
-- else a team of its own. Names are unique, since a leads group finds its team by name.
CREATE TABLE directory_groups (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    display_name  text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 256),
    external_id   text CHECK (char_length(external_id) BETWEEN 1 AND 256),
    kind          text NOT NULL CHECK (kind IN ('team', 'leads', 'admins')),
    team_id       bigint UNIQUE REFERENCES teams (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'team') = (team_id IS NOT NULL))
);
CREATE UNIQUE INDEX directory_groups_display_name_key ON directory_groups (lower(display_name));
CREATE INDEX directory_groups_external_id_idx ON directory_groups (external_id);

CREATE TABLE directory_group_members (
    group_id     bigint NOT NULL REFERENCES directory_groups (id) ON DELETE CASCADE,
    employee_id  bigint NOT NULL REFERENCES directory_users (employee_id) ON DELETE CASCADE,
    added_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, employee_id)
);
CREATE INDEX directory_group_members_employee_idx ON directory_group_members (employee_id, group_id);

-- A team the directory keeps (its name, members and leads) cannot be edited by hand.
ALTER TABLE teams ADD COLUMN managed_by text CHECK (managed_by IN ('scim', 'import'));

-- The team a vote was cast for: tallies keep it when the voter moves on.
ALTER TABLE votes ADD COLUMN team_id bigint,
    ADD CONSTRAINT votes_team_id_fkey FOREIGN KEY (team_id) REFERENCES teams (id) NOT VALID;
ALTER TABLE idea_merge_votes ADD COLUMN team_id bigint REFERENCES teams (id);
UPDATE idea_merge_votes v SET team_id = e.team_id FROM employees e WHERE e.id = v.employee_id AND e.team_id IS NOT NULL;

-- Every change the directory makes (SCIM, an org file, an admin's lead assignments): what, before
-- and after, by which token or admin, when. Append-only.
CREATE TABLE directory_audit (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    source      text NOT NULL CHECK (source IN ('scim', 'import', 'admin')),
    actor       text NOT NULL CHECK (actor ~ '^(token:[0-9]+|employee:[0-9]+|cli:.+)$'),
    actor_name  text NOT NULL,
    action      text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
    subject     text NOT NULL,
    before      jsonb,
    after       jsonb
);
CREATE INDEX directory_audit_subject_idx ON directory_audit (subject, id);

CREATE FUNCTION directory_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the directory audit is append-only';
END
$$;
CREATE TRIGGER directory_audit_append_only BEFORE UPDATE OR DELETE ON directory_audit
    FOR EACH ROW EXECUTE FUNCTION directory_audit_append_only();

-- Org files uploaded on the admin page: checked (a dry run) when uploaded, applied by id.
CREATE TABLE org_imports (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uploaded_by  bigint NOT NULL REFERENCES employees (id),
    file_name    text NOT NULL CHECK (char_length(file_name) <= 255),
    -- The file until it is applied (then NULL: the audit keeps what changed).
    content      text,
    summary      jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    applied_at   timestamptz
);

-- Each vote's team, filled in batches.
-- portal:step ranges votes.idea_id
UPDATE votes v SET team_id = e.team_id FROM employees e
WHERE e.id = v.employee_id AND e.team_id IS NOT NULL AND v.idea_id >= $1 AND v.idea_id < $2;

-- portal:step concurrently
ALTER TABLE votes VALIDATE CONSTRAINT votes_team_id_fkey;
CREATE INDEX CONCURRENTLY employees_search_idx ON employees USING gin (search) WHERE active;
