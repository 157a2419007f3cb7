-- Duplicates, merged (portal.ideas.merging): marking an idea a duplicate moves its votes to the
-- root of its chain, has its followers follow the root and withdraws its routings; undoing it
-- restores what was recorded here.
CREATE TABLE idea_merges (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idea_id       bigint NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    -- The root of the chain when merged (where the votes went).
    into_idea_id  bigint NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    merged_at     timestamptz NOT NULL DEFAULT now(),
    merged_by     bigint REFERENCES employees (id),
    -- The routings withdrawn by the merge, as they were: [{"team_id": .., "state": ..}].
    routings      jsonb NOT NULL DEFAULT '[]',
    undone_at     timestamptz,
    undone_by     bigint REFERENCES employees (id),
    CHECK (idea_id <> into_idea_id)
);
CREATE UNIQUE INDEX idea_merges_active_key ON idea_merges (idea_id) WHERE undone_at IS NULL;
CREATE INDEX idea_merges_into_idx ON idea_merges (into_idea_id) WHERE undone_at IS NULL;

-- Every vote the duplicate had: moved to the root, or (moved = false) dropped because the voter
-- had voted for the root too (one person counts once).
CREATE TABLE idea_merge_votes (
    merge_id     bigint NOT NULL REFERENCES idea_merges (id) ON DELETE CASCADE,
    employee_id  bigint NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    cast_at      timestamptz NOT NULL,
    moved        boolean NOT NULL,
    PRIMARY KEY (merge_id, employee_id)
);

-- Followers of the duplicate the merge made follow the root (removed again by an undo).
CREATE TABLE idea_merge_follows (
    merge_id     bigint NOT NULL REFERENCES idea_merges (id) ON DELETE CASCADE,
    employee_id  bigint NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    PRIMARY KEY (merge_id, employee_id)
);
