"""SQL for this domain, as $n-parameterised constants."""

from __future__ import annotations

COMMENT_COLUMNS = """
    c.id, c.idea_id, c.body, c.deleted_at IS NOT NULL AS deleted, c.created_at, c.updated_at, c.edited_at,
    c.hidden_at IS NOT NULL AS hidden,
    json_build_object('id', a.id, 'name', a.name, 'former', NOT a.active) AS author
"""

COMMENT_BY_ID = f"""
SELECT {COMMENT_COLUMNS} FROM comments c JOIN employees a ON a.id = c.author_id
WHERE c.id = $1 AND c.idea_id = $2
"""

COMMENT_PAGE = f"""
SELECT {COMMENT_COLUMNS} FROM comments c JOIN employees a ON a.id = c.author_id
WHERE c.idea_id = $1 AND c.id > $2 ORDER BY c.id LIMIT $3
"""

# ideas.comment_count moves in the same statement as the comment row, so it always equals the
# idea's number of comments that are not deleted.
INSERT_COMMENT = """
WITH inserted AS (
    INSERT INTO comments (idea_id, author_id, body) VALUES ($1, $2, $3) RETURNING id, idea_id
), counted AS (
    UPDATE ideas SET comment_count = comment_count + 1 WHERE id = (SELECT idea_id FROM inserted)
)
SELECT id FROM inserted
"""

LOCK_COMMENT = """
SELECT author_id, deleted_at FROM comments WHERE id = $1 AND idea_id = $2 FOR UPDATE
"""

EDIT_COMMENT = """
UPDATE comments SET body = $2, updated_at = now(), edited_at = CASE WHEN $3 THEN now() ELSE edited_at END
WHERE id = $1
"""

TOMBSTONE_COMMENT = """
WITH tombstoned AS (
    UPDATE comments SET body = NULL, deleted_at = now(), updated_at = now()
    WHERE id = $1 AND deleted_at IS NULL RETURNING idea_id
)
UPDATE ideas SET comment_count = comment_count - 1 WHERE id = (SELECT idea_id FROM tombstoned)
"""
