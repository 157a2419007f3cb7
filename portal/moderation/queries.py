"""SQL for moderation, as $n-parameterised constants."""

from __future__ import annotations

# The reported item, whoever may see it: $1 its id. Answers its idea (for a comment: the idea it
# is on), its author, and its text.
ITEMS = {
    "idea": "SELECT id AS idea_id, author_id, title || E'\\n' || body AS text FROM ideas WHERE id = $1",
    "comment": """
        SELECT idea_id, author_id, coalesce(body, '') AS text FROM comments WHERE id = $1 AND deleted_at IS NULL""",
    # A thanks one may read: public, or one they sent or received (their team's is their team's).
    "thanks": """
        SELECT NULL::bigint AS idea_id, sender_id AS author_id, message AS text FROM thanks
        WHERE id = $1 AND (public OR sender_id = $2 OR to_employee_id = $2
                           OR to_team_id = (SELECT team_id FROM employees WHERE id = $2))""",
}
TABLES = {"idea": "ideas", "comment": "comments", "thanks": "thanks"}

OPEN_CASE = """
INSERT INTO moderation_cases (kind, item_id, idea_id, author_id) VALUES ($1, $2, $3, $4)
ON CONFLICT (kind, item_id) DO UPDATE SET kind = EXCLUDED.kind
RETURNING id
"""
LOCK_CASE = "SELECT * FROM moderation_cases WHERE id = $1 FOR UPDATE"
ADD_REPORT = """
INSERT INTO moderation_reports (case_id, reporter_id, reason, note) VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING RETURNING created_at
"""
# A new report reopens a case that was dismissed or restored.
COUNT_REPORT = """
UPDATE moderation_cases
SET reports = reports + 1,
    state = CASE WHEN state IN ('dismissed', 'restored') THEN 'reported' ELSE state END,
    first_reported_at = CASE WHEN state IN ('dismissed', 'restored') THEN now() ELSE first_reported_at END
WHERE id = $1 RETURNING state, reports
"""
HIDE = """
UPDATE moderation_cases
SET state = 'hidden', hidden_reason = $2, auto_hidden = $3, decided_by = $4, decided_at = now(),
    review_requested_at = NULL
WHERE id = $1
"""
DECIDE = """
UPDATE moderation_cases SET state = $2, decided_by = $3, decided_at = now(), auto_hidden = false,
       review_requested_at = NULL
WHERE id = $1
"""
SET_HIDDEN = "UPDATE {table} SET hidden_at = CASE WHEN $2 THEN now() END WHERE id = $1"
REQUEST_REVIEW = "UPDATE moderation_cases SET review_requested_at = now() WHERE id = $1"

# Which events are about item $1 (as `e`): an idea's (its comments' too), a comment's, a thanks'.
ITEM_EVENTS = {
    "idea": "e.subject = 'ideas/' || $1::bigint",
    "comment": "e.type LIKE 'comment.%' AND e.data->>'comment_id' = $1::bigint::text",
    "thanks": "e.type = 'thanks.sent' AND e.data->>'id' = $1::bigint::text",
}
# What has not yet gone out about a hidden item is held back: notifications no email or Slack
# message has carried yet, and channel messages not yet posted. Each starts from what is unsent
# (few) and looks its event up by key.
FORGET_UNSENT = [
    """DELETE FROM notifications n USING events e
       WHERE n.email_id IS NULL AND n.slack_message_id IS NULL AND e.id = n.event_id AND {about}""",
    """UPDATE chat_messages m SET state = 'skipped', completed_at = now(), last_error = 'hidden by a moderator'
       FROM events e WHERE m.state = 'pending' AND e.id = m.event_id AND {about}""",
]

WAITING = "(m.state = 'reported' OR (m.state = 'hidden' AND (m.auto_hidden OR m.review_requested_at IS NOT NULL)))"
CASE_COLUMNS = f"""
m.id, m.kind, m.item_id, m.idea_id, m.state, m.reports, m.first_reported_at, m.hidden_reason, m.auto_hidden,
m.review_requested_at, m.decided_at, d.name AS decided_by, a.name AS author, {WAITING} AS waiting,
left(coalesce(
    CASE m.kind WHEN 'idea' THEN (SELECT title || ': ' || body FROM ideas WHERE id = m.item_id)
                WHEN 'comment' THEN (SELECT body FROM comments WHERE id = m.item_id)
                ELSE (SELECT message FROM thanks WHERE id = m.item_id) END, ''), 300) AS excerpt,
(SELECT coalesce(jsonb_object_agg(reason, n), '{{}}') FROM (
    SELECT reason, count(*) AS n FROM moderation_reports WHERE case_id = m.id GROUP BY reason) r) AS reasons,
ARRAY(SELECT note FROM moderation_reports WHERE case_id = m.id AND note IS NOT NULL ORDER BY created_at) AS notes
"""
CASE_JOINS = (
    "FROM moderation_cases m JOIN employees a ON a.id = m.author_id LEFT JOIN employees d ON d.id = m.decided_by"
)
# $1 which: waiting, hidden or all; $2 the sort; $3 the limit.
QUEUE = f"""
SELECT {CASE_COLUMNS} {CASE_JOINS}
WHERE CASE $1 WHEN 'waiting' THEN {WAITING} WHEN 'hidden' THEN m.state = 'hidden' ELSE true END
ORDER BY CASE WHEN $2 = 'most_reported' THEN m.reports END DESC NULLS LAST, m.first_reported_at, m.id
LIMIT $3
"""
CASE = f"SELECT {CASE_COLUMNS} {CASE_JOINS} WHERE m.id = $1"
# Why an item is hidden: $1 kind, $2 item.
HIDDEN_NOTE = """
SELECT id AS case_id, hidden_reason AS reason, review_requested_at IS NOT NULL AS review_requested
FROM moderation_cases WHERE kind = $1 AND item_id = $2 AND state = 'hidden'
"""
IDEA_HIDDEN = "SELECT author_id, hidden_at IS NOT NULL AS hidden FROM ideas WHERE id = $1"
COMMENT_HIDDEN = "SELECT author_id, hidden_at IS NOT NULL AS hidden FROM comments WHERE id = $1"
SET_MODERATOR = "UPDATE employees SET is_moderator = $2, updated_at = now() WHERE email = lower($1) RETURNING id"
MODERATORS = "SELECT email, name FROM employees WHERE is_moderator AND active ORDER BY name, email"
