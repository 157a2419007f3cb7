-- The team filter (portal.ideas.listing) collects a team's ideas by service and by named team:
-- with the idea's id in these indexes it reads them alone, not a row of the tables per idea. They
-- replace the single-column ones (which served the same lookups and the foreign keys).
-- portal:step concurrently
CREATE INDEX CONCURRENTLY idea_services_service_idea_idx ON idea_services (service_id, idea_id);
CREATE INDEX CONCURRENTLY idea_teams_team_idea_idx ON idea_teams (team_id, idea_id);
DROP INDEX CONCURRENTLY idea_services_service_idx;
DROP INDEX CONCURRENTLY idea_teams_team_idx;

-- The `top` and `trending` listings walk these indexes checking each idea's moment and ranking
-- version: kept in the index, a walk past many ideas (a team's, a common word's) reads no rows of
-- ideas that have not changed since the last vacuum.
CREATE INDEX CONCURRENTLY ideas_top_walk_idx ON ideas (vote_count DESC, id DESC) INCLUDE (created_at, ranked_version);
CREATE INDEX CONCURRENTLY ideas_trending_walk_idx ON ideas (trending DESC, id DESC) INCLUDE (created_at, ranked_version);
DROP INDEX CONCURRENTLY ideas_top_idx;
DROP INDEX CONCURRENTLY ideas_trending_idx;
