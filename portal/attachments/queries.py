"""SQL for attachments, as $n-parameterised constants."""

from __future__ import annotations

COLUMNS = """a.id, a.uploader_id, a.idea_id, a.comment_id, a.name, a.content_type, a.size, a.sha256, a.width,
             a.height, a.thumbnail_size, a.alt, a.store, a.created_at"""

INSERT = f"""
INSERT INTO attachments AS a (uploader_id, name, content_type, size, sha256, width, height, thumbnail_size, alt, store)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
RETURNING {COLUMNS}
"""

# Bytes uploaded by $1 in the last day (the daily limit).
UPLOADED_TODAY = """
SELECT coalesce(sum(size), 0) FROM attachments WHERE uploader_id = $1 AND created_at > now() - interval '1 day'
"""

# An attachment as its reader may see it: not removed, and its comment not deleted; `readable_by`
# is the uploader alone until an idea or comment refers to it ($2: the reader; NULL: a token).
READABLE = f"""
SELECT {COLUMNS}
FROM attachments a
LEFT JOIN comments c ON c.id = a.comment_id
WHERE a.id = $1 AND a.removed_at IS NULL AND (a.comment_id IS NULL OR c.deleted_at IS NULL)
  AND (a.idea_id IS NOT NULL OR a.comment_id IS NOT NULL OR a.uploader_id = $2)
"""

OF_IDEA = f"""
SELECT {COLUMNS} FROM attachments a WHERE a.idea_id = $1 AND a.removed_at IS NULL ORDER BY a.id
"""

OF_COMMENTS = f"""
SELECT {COLUMNS} FROM attachments a
WHERE a.comment_id = ANY($1::bigint[]) AND a.removed_at IS NULL ORDER BY a.comment_id, a.id
"""

# What an idea's or a comment's text ($3: the ids it refers to) keeps, adds and drops. New ones are
# the editor's ($4) own uploads not yet on anything; ids of anything else are left alone.
LINK = """
WITH current AS (
    SELECT id FROM attachments
    WHERE removed_at IS NULL AND (idea_id = $1::bigint OR comment_id = $2::bigint)
), dropped AS (
    UPDATE attachments SET removed_at = now()
    WHERE id IN (SELECT id FROM current) AND id <> ALL($3::bigint[])
    RETURNING id
), added AS (
    UPDATE attachments SET idea_id = $1::bigint, comment_id = $2::bigint
    WHERE id = ANY($3::bigint[]) AND uploader_id = $4 AND idea_id IS NULL AND comment_id IS NULL
      AND removed_at IS NULL
    RETURNING id, name, content_type, size
)
SELECT (SELECT count(*) FROM current) - (SELECT count(*) FROM dropped) + (SELECT count(*) FROM added) AS kept,
       (SELECT coalesce(json_agg(json_build_object('id', id, 'name', name, 'content_type', content_type,
                                                   'size', size, 'url', '/attachments/' || id) ORDER BY id), '[]')
        FROM added) AS added
"""

COUNT_ON_IDEA = """
UPDATE ideas SET attachment_count = (
    SELECT count(*) FROM attachments WHERE idea_id = $1 AND removed_at IS NULL)
WHERE id = $1
"""

REMOVE_OF_COMMENT = "UPDATE attachments SET removed_at = now() WHERE comment_id = $1 AND removed_at IS NULL"

# Removed ones, and uploads nothing referred to within $1 seconds: their bytes go first, then the row.
PURGEABLE = """
SELECT id, store FROM attachments
WHERE (removed_at IS NOT NULL OR (idea_id IS NULL AND comment_id IS NULL))
  AND coalesce(removed_at, created_at + make_interval(secs => $1)) <= now()
ORDER BY id LIMIT $2
FOR UPDATE SKIP LOCKED
"""

DELETE = "DELETE FROM attachments WHERE id = ANY($1::bigint[])"

IN_STORE = "SELECT id, content_type, thumbnail_size IS NOT NULL AS has_thumbnail FROM attachments WHERE store = $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED"

MOVED = "UPDATE attachments SET store = $2 WHERE id = $1"
