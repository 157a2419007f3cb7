-- A team's inbox read in order from an index instead of sorting all its routings: each routing
-- carries its idea's maintained vote count (`support`), kept by the same ranking refresh that
-- keeps ideas.vote_count (portal.ideas.rankings).
ALTER TABLE routings ADD COLUMN support integer NOT NULL DEFAULT 0 CHECK (support >= 0);
UPDATE routings r SET support = i.vote_count FROM ideas i WHERE i.id = r.idea_id AND i.vote_count > 0;
CREATE INDEX routings_team_support_idx ON routings (team_id, support DESC, routed_at);
-- Answered routings in due order (pending ones use routings_inbox_idx: team, state, due).
CREATE INDEX routings_team_due_idx ON routings (team_id, due_at);
