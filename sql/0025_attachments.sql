-- portal:replaces 1f6970796ff4e88d75e250e1e7c237c03d92a6af77b111b0e16485ec1821d538
-- Images and files on ideas and comments (portal.attachments). An upload belongs to its uploader
-- alone until an idea or comment of theirs refers to it (/attachments/{id} in its text); then it
-- is read by whoever may read that idea or comment. Removed ones (their reference edited away,
-- their comment deleted) and uploads never referenced within a day are purged, bytes first.
CREATE TABLE attachments (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uploader_id     bigint NOT NULL REFERENCES employees (id),
    idea_id         bigint REFERENCES ideas (id) ON DELETE CASCADE,
    comment_id      bigint REFERENCES comments (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 255),
    content_type    text NOT NULL,
    size            bigint NOT NULL CHECK (size > 0),
    sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    width           integer,
    height          integer,
    thumbnail_size  bigint,
    alt             text NOT NULL DEFAULT '' CHECK (char_length(alt) <= 500),
    -- Where the bytes are: this database (attachment_chunks) or the S3-compatible bucket.
    store           text NOT NULL CHECK (store IN ('postgres', 's3')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    removed_at      timestamptz,
    CHECK (idea_id IS NULL OR comment_id IS NULL),
    CHECK ((width IS NULL) = (height IS NULL))
);
CREATE INDEX attachments_idea_idx ON attachments (idea_id) WHERE idea_id IS NOT NULL AND removed_at IS NULL;
CREATE INDEX attachments_comment_idx ON attachments (comment_id) WHERE comment_id IS NOT NULL AND removed_at IS NULL;
CREATE INDEX attachments_purge_idx ON attachments (created_at)
    WHERE removed_at IS NOT NULL OR (idea_id IS NULL AND comment_id IS NULL);
CREATE INDEX attachments_uploader_idx ON attachments (uploader_id, created_at);

-- The bytes kept in PostgreSQL, in chunks, so a file is written and read a chunk at a time.
CREATE TABLE attachment_chunks (
    attachment_id  bigint NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
    variant        text NOT NULL CHECK (variant IN ('original', 'thumbnail')),
    seq            integer NOT NULL CHECK (seq >= 0),
    data           bytea NOT NULL,
    PRIMARY KEY (attachment_id, variant, seq)
);
ALTER TABLE attachment_chunks ALTER COLUMN data SET STORAGE EXTERNAL;  -- images and zips do not compress

-- The paperclip on list cards, kept with the attachments (portal.attachments.service).
ALTER TABLE ideas ADD COLUMN attachment_count integer NOT NULL DEFAULT 0,
    ADD CONSTRAINT ideas_attachment_count_check CHECK (attachment_count >= 0) NOT VALID;

-- portal:step concurrently
ALTER TABLE ideas VALIDATE CONSTRAINT ideas_attachment_count_check;
