-- portal:replaces c8a4daac3a3c5e9e186ced22bdcd96f06e588354e03c4c997646786f4f8b6f64
-- A team's inbox read in order from an index instead of sorting all its routings: each routing
-- carries its idea's maintained vote count (`support`), kept by the same ranking refresh that
-- keeps ideas.vote_count (portal.ideas.rankings).
-- portal:step schema
ALTER TABLE routings ADD COLUMN support integer NOT NULL DEFAULT 0,
    ADD CONSTRAINT routings_support_check CHECK (support >= 0) NOT VALID;
-- portal:step ranges routings.idea_id
UPDATE routings r SET support = i.vote_count FROM ideas i
WHERE i.id = r.idea_id AND i.vote_count > 0 AND r.idea_id >= $1 AND r.idea_id < $2;
-- portal:step concurrently
ALTER TABLE routings VALIDATE CONSTRAINT routings_support_check;
CREATE INDEX CONCURRENTLY routings_team_support_idx ON routings (team_id, support DESC, routed_at);
-- Answered routings in due order (pending ones use routings_inbox_idx: team, state, due).
CREATE INDEX CONCURRENTLY routings_team_due_idx ON routings (team_id, due_at);
