-- portal:replaces cee1aa7e0721eba79b5e71f928c7d91b5288ee31764a59dd58959812c0310bee
-- The case library (portal.ideas.outcomes): when an idea is done, its provider writes what they
-- changed and what it saved; done ideas with their notes, survey results and thanks are searchable
-- per service.
-- portal:step schema
ALTER TABLE ideas
    ADD COLUMN outcome_note text,
    ADD COLUMN outcome_noted_at timestamptz,
    ADD COLUMN outcome_noted_by bigint,
    ADD CONSTRAINT ideas_outcome_note_check CHECK (char_length(outcome_note) BETWEEN 1 AND 5000) NOT VALID,
    ADD CONSTRAINT ideas_outcome_noted_by_fkey FOREIGN KEY (outcome_noted_by) REFERENCES employees (id) NOT VALID,
    ADD CONSTRAINT ideas_outcome_noted CHECK ((outcome_note IS NULL) = (outcome_noted_at IS NULL)) NOT VALID;
-- portal:step concurrently
ALTER TABLE ideas VALIDATE CONSTRAINT ideas_outcome_note_check;
ALTER TABLE ideas VALIDATE CONSTRAINT ideas_outcome_noted_by_fkey;
ALTER TABLE ideas VALIDATE CONSTRAINT ideas_outcome_noted;
CREATE INDEX CONCURRENTLY ideas_done_idx ON ideas (id DESC) WHERE status = 'done';
