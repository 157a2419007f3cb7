-- portal:replaces c891afe2a417fe6535a96e8e015a0ab0f650f0df9877e314f4e649053d8d7e3a
-- Rankings an index reads in order, so that listing, filtering and the inbox do work that does
-- not grow with the number of ideas or votes.
--
-- ideas.vote_count and ideas.trending are maintained by the outbox relay (seconds behind the
-- votes, exact once it has caught up): the vote path keeps writing only its shard rows, so a
-- hot idea never serialises voters on its row. Every change of them takes the next
-- ranking_clock version and keeps the values it replaced in idea_rank_history, so that a
-- listing's later pages rank ideas as they stood at its first page (the `top` and `trending`
-- cursors carry that version). ideas.comment_count is kept by the comment statements themselves.

-- portal:step schema
ALTER TABLE ideas
    ADD COLUMN vote_count     integer NOT NULL DEFAULT 0,
    ADD COLUMN trending       integer NOT NULL DEFAULT 0,
    ADD COLUMN comment_count  integer NOT NULL DEFAULT 0,
    ADD COLUMN ranked_version bigint NOT NULL DEFAULT 0,
    ADD CONSTRAINT ideas_vote_count_check CHECK (vote_count >= 0) NOT VALID,
    ADD CONSTRAINT ideas_trending_check CHECK (trending >= 0) NOT VALID,
    ADD CONSTRAINT ideas_comment_count_check CHECK (comment_count >= 0) NOT VALID;

-- One row: the last ranking version handed out, and the moment up to which votes have aged
-- out of `trending`.
CREATE TABLE ranking_clock (
    only_row        boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version         bigint NOT NULL DEFAULT 0 CHECK (version >= 0),
    trending_until  timestamptz NOT NULL DEFAULT now() - interval '7 days'
);
INSERT INTO ranking_clock DEFAULT VALUES;

CREATE TABLE idea_rank_history (
    idea_id      bigint NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    version      bigint NOT NULL,
    vote_count   integer NOT NULL,
    trending     integer NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (idea_id, version)
);
CREATE INDEX idea_rank_history_version_idx ON idea_rank_history (version);
CREATE INDEX idea_rank_history_recorded_idx ON idea_rank_history (recorded_at);

-- The history replaces the withdrawn-votes log the old as-of ranking counted.
DROP TABLE vote_withdrawals;

-- portal:step ranges ideas
UPDATE ideas i SET
    vote_count = (SELECT coalesce(sum(votes), 0) FROM idea_vote_shards WHERE idea_id = i.id),
    trending = (SELECT count(*) FROM votes WHERE idea_id = i.id AND cast_at > now() - interval '7 days'),
    comment_count = (SELECT count(*) FROM comments WHERE idea_id = i.id AND deleted_at IS NULL)
WHERE i.id >= $1 AND i.id < $2;

-- portal:step concurrently
ALTER TABLE ideas VALIDATE CONSTRAINT ideas_vote_count_check;
ALTER TABLE ideas VALIDATE CONSTRAINT ideas_trending_check;
ALTER TABLE ideas VALIDATE CONSTRAINT ideas_comment_count_check;

-- Every documented sort, alone and under the status filter (the web client's tabs); the other
-- filters (tag, team, service, author, search) narrow through their own indexes first.
CREATE INDEX CONCURRENTLY ideas_top_idx ON ideas (vote_count DESC, id DESC);
CREATE INDEX CONCURRENTLY ideas_trending_idx ON ideas (trending DESC, id DESC);
CREATE INDEX CONCURRENTLY ideas_status_new_idx ON ideas (status, created_at DESC, id DESC);
CREATE INDEX CONCURRENTLY ideas_status_top_idx ON ideas (status, vote_count DESC, id DESC);
CREATE INDEX CONCURRENTLY ideas_status_trending_idx ON ideas (status, trending DESC, id DESC);
CREATE INDEX CONCURRENTLY ideas_author_new_idx ON ideas (author_id, created_at DESC, id DESC);
DROP INDEX CONCURRENTLY ideas_status_idx;
DROP INDEX CONCURRENTLY ideas_author_idx;

-- An idea's recent votes, for its trending count.
CREATE INDEX CONCURRENTLY votes_idea_recent_idx ON votes (idea_id, cast_at);
