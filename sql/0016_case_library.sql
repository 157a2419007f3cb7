-- The case library (portal.ideas.outcomes): when an idea is done, its provider writes what they
-- changed and what it saved; done ideas with their notes, survey results and thanks are searchable
-- per service.
ALTER TABLE ideas
    ADD COLUMN outcome_note text CHECK (char_length(outcome_note) BETWEEN 1 AND 5000),
    ADD COLUMN outcome_noted_at timestamptz,
    ADD COLUMN outcome_noted_by bigint REFERENCES employees (id),
    ADD CONSTRAINT ideas_outcome_noted CHECK ((outcome_note IS NULL) = (outcome_noted_at IS NULL));
CREATE INDEX ideas_done_idx ON ideas (id DESC) WHERE status = 'done';
