"""SQL for this domain, as $n-parameterised constants."""

from __future__ import annotations

COMMENT_COLUMNS = """
    c.id, c.idea_id, c.body, c.deleted_at IS NOT NULL AS deleted, c.created_at, c.updated_at,
    json_build_object('id', a.id, 'name', a.name) AS author
"""

COMMENT_BY_ID = f"""
SELECT {COMMENT_COLUMNS} FROM comments c JOIN employees a ON a.id = c.author_id
WHERE c.id = $1 AND c.idea_id = $2
"""

COMMENT_PAGE = f"""
SELECT {COMMENT_COLUMNS} FROM comments c JOIN employees a ON a.id = c.author_id
WHERE c.idea_id = $1 AND c.id > $2 ORDER BY c.id LIMIT $3
"""

INSERT_COMMENT = "INSERT INTO comments (idea_id, author_id, body) VALUES ($1, $2, $3) RETURNING id"

LOCK_COMMENT = """
SELECT author_id, deleted_at FROM comments WHERE id = $1 AND idea_id = $2 FOR UPDATE
"""

EDIT_COMMENT = "UPDATE comments SET body = $2, updated_at = now() WHERE id = $1"

TOMBSTONE_COMMENT = "UPDATE comments SET body = NULL, deleted_at = now(), updated_at = now() WHERE id = $1"
