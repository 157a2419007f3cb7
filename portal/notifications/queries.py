"""The SQL of notifications, follows, preferences and notification emails."""

from __future__ import annotations

from portal.notifications.kinds import DIRECT_REASONS

_DIRECT = "ARRAY[" + ", ".join(f"'{reason}'" for reason in sorted(DIRECT_REASONS)) + "]"

# Creates one notification per recipient of an event, in the mode each recipient chose for the
# kind (or the default for why they receive it). A recipient who turned both channels off gets
# none; a second run for the same event adds nothing. Answers how many are due by email now.
# $1 event id, $2 kind, $3 idea id, $4 team id, $5 data; `recipients` is defined by the caller.
_INSERT_FOR_RECIPIENTS = f"""
, inserted AS (
    INSERT INTO notifications
        (recipient_id, event_id, kind, reason, idea_id, team_id, data, portal, email, slack, visible_at, email_due_at,
         slack_due_at)
    SELECT r.employee_id, $1, $2, r.reason, $3, $4,
           $5::jsonb || jsonb_strip_nulls(jsonb_build_object('title', (SELECT title FROM ideas WHERE id = $3))),
           m.portal, m.email, m.slack,
           CASE WHEN m.portal = 'instant' THEN now() END,
           CASE WHEN m.email = 'instant' THEN now() END,
           CASE WHEN m.slack = 'instant' THEN now() END
    FROM recipients r
    JOIN employees active ON active.id = r.employee_id AND active.active  -- those who left hear nothing
    LEFT JOIN notification_preferences p ON p.employee_id = r.employee_id AND p.kind = $2
    CROSS JOIN LATERAL (
        SELECT coalesce(p.portal, 'instant') AS portal,
               coalesce(p.email, CASE WHEN r.reason = ANY({_DIRECT}) THEN 'instant' ELSE 'daily' END) AS email,
               coalesce(p.slack, 'off') AS slack
    ) m
    WHERE m.portal <> 'off' OR m.email <> 'off' OR m.slack <> 'off'
    ON CONFLICT (event_id, recipient_id) DO NOTHING
    RETURNING email, slack
)
SELECT count(*) FILTER (WHERE email = 'instant' OR slack = 'instant') FROM inserted
"""

# The followers of idea $3, except the employees in $6 (who caused the event) and anyone who
# unfollowed the idea: its author, voters and commenters (for a comment, $7, those who commented
# before it), and who follows it, one of its teams (as routed), one of its services or one of its
# tags. Each is told for the closest reason.
NOTIFY_FOLLOWERS = (
    """
WITH idea AS (SELECT id, author_id, tags FROM ideas WHERE id = $3),
candidates AS (
    SELECT author_id AS employee_id, 'author' AS reason, 1 AS closeness FROM idea
    UNION ALL
    SELECT DISTINCT author_id, 'commenter', 2 FROM comments
    WHERE idea_id = $3 AND deleted_at IS NULL AND ($7::bigint IS NULL OR id < $7)
    UNION ALL
    SELECT employee_id, 'voter', 3 FROM votes WHERE idea_id = $3
    UNION ALL
    SELECT employee_id, 'follower', 4 FROM follows WHERE idea_id = $3 AND following
    UNION ALL
    SELECT f.employee_id, 'follower', 4 FROM routings r JOIN follows f ON f.team_id = r.team_id
    WHERE r.idea_id = $3 AND r.state <> 'withdrawn'
    UNION ALL
    SELECT f.employee_id, 'follower', 4 FROM idea_services s JOIN follows f ON f.service_id = s.service_id
    WHERE s.idea_id = $3
    UNION ALL
    SELECT f.employee_id, 'follower', 4 FROM idea JOIN follows f ON f.tag = ANY (idea.tags)
),
recipients AS (
    SELECT DISTINCT ON (employee_id) employee_id, reason FROM candidates
    WHERE employee_id <> ALL ($6::bigint[])
      AND employee_id NOT IN (SELECT employee_id FROM follows WHERE idea_id = $3 AND NOT following)
    ORDER BY employee_id, closeness
)
"""
    + _INSERT_FOR_RECIPIENTS
)

# Named recipients ($6 ids, $7 reasons), e.g. a team's leads or the employees a comment mentions.
NOTIFY_LISTED = (
    """
WITH recipients AS (
    SELECT DISTINCT ON (employee_id) employee_id, reason
    FROM unnest($6::bigint[], $7::text[]) AS r(employee_id, reason)
    ORDER BY employee_id
)
"""
    + _INSERT_FOR_RECIPIENTS
)

# The leads of each event's team, for many events at once: $1 event ids, $2 kinds, $3 idea ids
# (or null), $4 team slugs, $5 what to tell (JSON text); the team's name and the idea's title are
# added. Modes as _INSERT_FOR_RECIPIENTS chooses them, for the reason 'lead'. Answers how many are
# due by email now.
NOTIFY_LEADS = f"""
WITH told AS (
    SELECT e.event_id, e.kind, e.idea_id, t.id AS team_id,
           e.data::jsonb || jsonb_build_object('team_name', t.name) AS data
    FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[])
        AS e (event_id, kind, idea_id, team, data)
    JOIN teams t ON t.slug = e.team
), inserted AS (
    INSERT INTO notifications
        (recipient_id, event_id, kind, reason, idea_id, team_id, data, portal, email, slack, visible_at, email_due_at,
         slack_due_at)
    SELECT l.employee_id, x.event_id, x.kind, 'lead', x.idea_id, x.team_id,
           x.data || jsonb_strip_nulls(jsonb_build_object('title', i.title)),
           m.portal, m.email, m.slack,
           CASE WHEN m.portal = 'instant' THEN now() END,
           CASE WHEN m.email = 'instant' THEN now() END,
           CASE WHEN m.slack = 'instant' THEN now() END
    FROM told x
    JOIN team_leads l ON l.team_id = x.team_id
    LEFT JOIN ideas i ON i.id = x.idea_id
    LEFT JOIN notification_preferences p ON p.employee_id = l.employee_id AND p.kind = x.kind
    CROSS JOIN LATERAL (
        SELECT coalesce(p.portal, 'instant') AS portal,
               coalesce(p.email, CASE WHEN 'lead' = ANY({_DIRECT}) THEN 'instant' ELSE 'daily' END) AS email,
               coalesce(p.slack, 'off') AS slack
    ) m
    WHERE m.portal <> 'off' OR m.email <> 'off' OR m.slack <> 'off'
    ORDER BY x.event_id, l.employee_id
    ON CONFLICT (event_id, recipient_id) DO NOTHING
    RETURNING email, slack
)
SELECT count(*) FILTER (WHERE email = 'instant' OR slack = 'instant') FROM inserted
"""

TEAM_BY_SLUG = "SELECT id, name FROM teams WHERE slug = $1"

TEAM_LEADS = "SELECT employee_id FROM team_leads WHERE team_id = $1"

ADMINS = "SELECT id FROM employees WHERE is_admin"

EMPLOYEE_NAME = "SELECT id, coalesce(nullif(name, ''), email) AS name FROM employees WHERE id = $1"

EMPLOYEE_BY_EMAIL = "SELECT id, coalesce(nullif(name, ''), email) AS name FROM employees WHERE email = $1"

COMMENT_BODY = "SELECT body FROM comments WHERE id = $1"

THANKS = """
SELECT t.message, t.to_employee_id, t.to_team_id, t.idea_id, tm.slug AS team, tm.name AS team_name,
       coalesce(nullif(e.name, ''), e.email) AS by_name
FROM thanks t JOIN employees e ON e.id = t.sender_id LEFT JOIN teams tm ON tm.id = t.to_team_id
WHERE t.id = $1
"""

# $1 addresses, $2 names with their spaces removed (lower case).
MENTIONED = """
SELECT id FROM employees
WHERE active AND (email = ANY ($1::text[]) OR lower(regexp_replace(name, '\\s+', '', 'g')) = ANY ($2::text[])
                  OR lower(split_part(email, '@', 1)) = ANY ($2::text[]))
"""

# The daily digest: what waited for it becomes visible, or due by email.
RELEASE_DAILY_PORTAL = """
UPDATE notifications SET visible_at = now() WHERE portal = 'daily' AND visible_at IS NULL
"""
RELEASE_DAILY_EMAIL = """
UPDATE notifications SET email_due_at = now()
WHERE email = 'daily' AND email_due_at IS NULL AND email_id IS NULL
"""
RELEASE_DAILY_SLACK = """
UPDATE notifications SET slack_due_at = now()
WHERE slack = 'daily' AND slack_due_at IS NULL AND slack_message_id IS NULL
"""

# ---- The list, read marks and counts ----

NOTIFICATION_COLUMNS = """
n.id, n.kind, n.reason, n.data, n.created_at, n.read_at,
i.id AS idea_id, i.title AS idea_title, t.slug AS team, t.name AS team_name
"""

# Unread first, then newest first. $2 and $3: the cursor's place (read flag, id); $4 limit.
LIST = f"""
SELECT {NOTIFICATION_COLUMNS}
FROM notifications n
LEFT JOIN ideas i ON i.id = n.idea_id
LEFT JOIN teams t ON t.id = n.team_id
WHERE n.recipient_id = $1 AND n.visible_at IS NOT NULL
  AND (((n.read_at IS NOT NULL) = $2::boolean AND n.id < $3::bigint) OR (n.read_at IS NOT NULL AND NOT $2::boolean))
  AND ($5::boolean IS NOT TRUE OR n.read_at IS NULL)
ORDER BY (n.read_at IS NOT NULL), n.id DESC
LIMIT $4
"""

UNREAD_COUNT = """
SELECT count(*) FROM notifications WHERE recipient_id = $1 AND read_at IS NULL AND visible_at IS NOT NULL
"""

# The unread counts of several employees at once (the live badge).
UNREAD_COUNTS = """
SELECT recipient_id, count(*) AS unread FROM notifications
WHERE recipient_id = ANY ($1::bigint[]) AND read_at IS NULL AND visible_at IS NOT NULL
GROUP BY recipient_id
"""

MARK_READ = """
UPDATE notifications SET read_at = coalesce(read_at, now())
WHERE id = $1 AND recipient_id = $2 AND visible_at IS NOT NULL
RETURNING id
"""

# Everything up to the newest the employee has seen ($2: its id; NULL: everything).
MARK_ALL_READ = """
UPDATE notifications SET read_at = now()
WHERE recipient_id = $1 AND read_at IS NULL AND visible_at IS NOT NULL AND ($2::bigint IS NULL OR id <= $2)
"""

# ---- Preferences ----

PREFERENCES = "SELECT kind, portal, email, slack FROM notification_preferences WHERE employee_id = $1"

# $5: the Slack choice (NULL: keep what was chosen, 'off' for a new row).
SAVE_PREFERENCE = """
INSERT INTO notification_preferences (employee_id, kind, portal, email, slack)
VALUES ($1, $2, $3, $4, coalesce($5, 'off'))
ON CONFLICT (employee_id, kind) DO UPDATE
SET portal = $3, email = $4, slack = coalesce($5, notification_preferences.slack), updated_at = now()
"""

# Turns email off for the kinds ($2) an unsubscribe link names, keeping the portal's choice.
EMAIL_OFF = """
INSERT INTO notification_preferences (employee_id, kind, portal, email)
SELECT $1, k.kind, coalesce(p.portal, 'instant'), 'off'
FROM unnest($2::text[]) AS k(kind)
LEFT JOIN notification_preferences p ON p.employee_id = $1 AND p.kind = k.kind
ON CONFLICT (employee_id, kind) DO UPDATE SET email = 'off', updated_at = now()
"""

# ---- Follows ----

# Whether employee $2 hears about idea $1, and why (NULL: not at all).
IDEA_FOLLOWING = """
SELECT CASE
    WHEN f.following IS FALSE THEN NULL
    WHEN i.author_id = $2 THEN 'author'
    WHEN EXISTS (SELECT 1 FROM comments WHERE idea_id = $1 AND author_id = $2 AND deleted_at IS NULL) THEN 'commenter'
    WHEN EXISTS (SELECT 1 FROM votes WHERE idea_id = $1 AND employee_id = $2) THEN 'voter'
    WHEN f.following THEN 'follower'
    WHEN EXISTS (SELECT 1 FROM routings r JOIN follows tf ON tf.team_id = r.team_id
                 WHERE r.idea_id = $1 AND r.state <> 'withdrawn' AND tf.employee_id = $2)
      OR EXISTS (SELECT 1 FROM idea_services s JOIN follows sf ON sf.service_id = s.service_id
                 WHERE s.idea_id = $1 AND sf.employee_id = $2)
      OR EXISTS (SELECT 1 FROM follows tg WHERE tg.tag = ANY (i.tags) AND tg.employee_id = $2) THEN 'follower'
END AS reason
FROM ideas i LEFT JOIN follows f ON f.idea_id = i.id AND f.employee_id = $2
WHERE i.id = $1
"""

SET_IDEA_FOLLOW = """
INSERT INTO follows (employee_id, idea_id, following) VALUES ($1, $2, $3)
ON CONFLICT (idea_id, employee_id) WHERE idea_id IS NOT NULL DO UPDATE SET following = $3, created_at = now()
"""

FOLLOW_TEAM = """
INSERT INTO follows (employee_id, team_id) VALUES ($1, $2)
ON CONFLICT (team_id, employee_id) WHERE team_id IS NOT NULL DO NOTHING
"""
UNFOLLOW_TEAM = "DELETE FROM follows WHERE employee_id = $1 AND team_id = $2"

FOLLOW_SERVICE = """
INSERT INTO follows (employee_id, service_id) VALUES ($1, $2)
ON CONFLICT (service_id, employee_id) WHERE service_id IS NOT NULL DO NOTHING
"""
UNFOLLOW_SERVICE = "DELETE FROM follows WHERE employee_id = $1 AND service_id = $2"

FOLLOW_TAG = """
INSERT INTO follows (employee_id, tag) VALUES ($1, $2)
ON CONFLICT (tag, employee_id) WHERE tag IS NOT NULL DO NOTHING
"""
UNFOLLOW_TAG = "DELETE FROM follows WHERE employee_id = $1 AND tag = $2"

SERVICE_ID = "SELECT id FROM services WHERE slug = $1"

MY_FOLLOWS = """
SELECT CASE WHEN f.idea_id IS NOT NULL THEN 'idea' WHEN f.team_id IS NOT NULL THEN 'team'
            WHEN f.service_id IS NOT NULL THEN 'service' ELSE 'tag' END AS kind,
       coalesce(f.idea_id::text, t.slug, s.slug, f.tag) AS target,
       coalesce(i.title, t.name, s.name, f.tag) AS label,
       f.following, f.created_at
FROM follows f
LEFT JOIN ideas i ON i.id = f.idea_id
LEFT JOIN teams t ON t.id = f.team_id
LEFT JOIN services s ON s.id = f.service_id
WHERE f.employee_id = $1
ORDER BY f.created_at DESC
"""

# ---- Emails ----

# Employees still with the company with notifications due by email whose coalescing window is open.
DUE_RECIPIENTS = """
SELECT n.recipient_id FROM notifications n
JOIN employees e ON e.id = n.recipient_id AND e.active
LEFT JOIN notification_mailboxes m ON m.employee_id = n.recipient_id
WHERE n.email_id IS NULL AND n.email_due_at <= now() AND (m.next_email_at IS NULL OR m.next_email_at <= now())
GROUP BY n.recipient_id
LIMIT $1
"""

# Closes the window of each of $1 whose window is open (the row lock makes this the one
# composer for that employee); $2: the window in seconds. Answers the employees claimed.
CLAIM_WINDOWS = """
INSERT INTO notification_mailboxes AS m (employee_id, next_email_at)
SELECT employee_id, now() + make_interval(secs => $2) FROM unnest($1::bigint[]) AS e(employee_id)
ON CONFLICT (employee_id) DO UPDATE SET next_email_at = EXCLUDED.next_email_at
WHERE m.next_email_at IS NULL OR m.next_email_at <= now()
RETURNING employee_id
"""

# One email per claimed employee ($1) with every notification of theirs due now; $2 the domain
# of the Message-IDs. Answers the new emails' ids.
CREATE_EMAILS = """
WITH due AS (
    SELECT recipient_id, array_agg(id) AS ids, array_agg(DISTINCT kind) AS kinds
    FROM notifications
    WHERE recipient_id = ANY ($1::bigint[]) AND email_id IS NULL AND email_due_at <= now()
    GROUP BY recipient_id
),
emails AS (
    INSERT INTO notification_emails (recipient_id, kinds, message_id)
    SELECT recipient_id, kinds, format('<notification.%s@%s>', gen_random_uuid(), $2::text) FROM due
    RETURNING id, recipient_id
),
attached AS (
    UPDATE notifications n SET email_id = e.id
    FROM emails e JOIN due d USING (recipient_id)
    WHERE n.id = ANY (d.ids)
)
SELECT id FROM emails ORDER BY id
"""

# Leases queued emails due for an attempt ($1 ids; NULL: any due, at most $2) for $3 seconds: they
# stay queued, so a worker killed now leaves them to be sent once the lease runs out.
LEASE_EMAILS = """
WITH chosen AS (
    SELECT id FROM notification_emails
    WHERE state = 'queued' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
      AND ($1::bigint[] IS NULL OR id = ANY ($1::bigint[]))
    ORDER BY id LIMIT $2
    FOR UPDATE SKIP LOCKED
)
UPDATE notification_emails e SET lease_until = now() + make_interval(secs => $3)
FROM chosen c, employees p
WHERE e.id = c.id AND p.id = e.recipient_id
RETURNING e.id, e.message_id, e.kinds, e.attempts + 1 AS attempt, p.email AS address,
          coalesce(nullif(p.name, ''), p.email) AS name, p.locale, p.time_zone
"""

# One email into 'sending' just before its SMTP transaction, with its unsubscribe token's hash;
# answers nothing when it is no longer queued (another worker took it after a lease ran out).
MARK_SENDING = """
UPDATE notification_emails
SET state = 'sending', sending_at = now(), attempts = $3, unsubscribe_hash = $2, lease_until = NULL
WHERE id = $1 AND state = 'queued'
RETURNING id
"""

# What each email carries ($1 email ids), newest first.
EMAIL_NOTIFICATIONS = f"""
SELECT n.email_id, {NOTIFICATION_COLUMNS}
FROM notifications n
LEFT JOIN ideas i ON i.id = n.idea_id
LEFT JOIN teams t ON t.id = n.team_id
WHERE n.email_id = ANY ($1::bigint[])
ORDER BY n.email_id, n.id DESC
"""

MARK_SENT = "UPDATE notification_emails SET state = 'sent', sent_at = now(), last_error = NULL WHERE id = $1"

# $1 the email, $2 the error, $3 its attempts so far, $4 seconds until the next attempt (NULL: give up).
MARK_FAILED = """
UPDATE notification_emails
SET state = CASE WHEN $4::float8 IS NULL THEN 'failed' ELSE 'queued' END,
    next_attempt_at = CASE WHEN $4::float8 IS NULL THEN next_attempt_at ELSE now() + make_interval(secs => $4) END,
    attempts = $3, last_error = $2, lease_until = NULL
WHERE id = $1
"""

# Queued emails whose next attempt is due (their message was lost, or they wait for a retry).
DUE_EMAILS = """
SELECT id FROM notification_emails
WHERE state = 'queued' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
ORDER BY id LIMIT $1
"""

# Interrupted mid-send ($1 seconds ago or more): whether the server took it is unknown, and it
# is not sent again.
ABANDON_SENDING = """
UPDATE notification_emails SET state = 'unknown', last_error = 'interrupted while sending'
WHERE state = 'sending' AND sending_at < now() - make_interval(secs => $1)
"""

# The queued emails of employees who left ($1) are not sent.
DROP_EMAILS_OF = """
UPDATE notification_emails SET state = 'failed', last_error = 'the recipient left the company', lease_until = NULL
WHERE recipient_id = ANY($1::bigint[]) AND state = 'queued'
"""

UNSUBSCRIBE_TARGET = "SELECT recipient_id, kinds FROM notification_emails WHERE unsubscribe_hash = $1"

# ---- Slack direct messages (sent by portal.chat.direct), gathered like emails ----

DUE_SLACK_RECIPIENTS = """
SELECT n.recipient_id FROM notifications n
JOIN employees e ON e.id = n.recipient_id AND e.active
LEFT JOIN notification_mailboxes m ON m.employee_id = n.recipient_id
WHERE n.slack_message_id IS NULL AND n.slack_due_at <= now() AND (m.next_slack_at IS NULL OR m.next_slack_at <= now())
GROUP BY n.recipient_id
LIMIT $1
"""

CLAIM_SLACK_WINDOWS = """
INSERT INTO notification_mailboxes AS m (employee_id, next_slack_at)
SELECT employee_id, now() + make_interval(secs => $2) FROM unnest($1::bigint[]) AS e(employee_id)
ON CONFLICT (employee_id) DO UPDATE SET next_slack_at = EXCLUDED.next_slack_at
WHERE m.next_slack_at IS NULL OR m.next_slack_at <= now()
RETURNING employee_id
"""

CREATE_SLACK_MESSAGES = """
WITH due AS (
    SELECT recipient_id, array_agg(id) AS ids FROM notifications
    WHERE recipient_id = ANY ($1::bigint[]) AND slack_message_id IS NULL AND slack_due_at <= now()
    GROUP BY recipient_id
),
messages AS (
    INSERT INTO notification_slack_messages (recipient_id) SELECT recipient_id FROM due
    RETURNING id, recipient_id
),
attached AS (
    UPDATE notifications n SET slack_message_id = m.id
    FROM messages m JOIN due d USING (recipient_id)
    WHERE n.id = ANY (d.ids)
)
SELECT id FROM messages ORDER BY id
"""

LEASE_SLACK_MESSAGES = """
WITH chosen AS (
    SELECT id FROM notification_slack_messages
    WHERE state = 'queued' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
      AND ($1::bigint[] IS NULL OR id = ANY ($1::bigint[]))
    ORDER BY id LIMIT $2
    FOR UPDATE SKIP LOCKED
)
UPDATE notification_slack_messages s SET lease_until = now() + make_interval(secs => $3)
FROM chosen c, employees p
WHERE s.id = c.id AND p.id = s.recipient_id
RETURNING s.id, s.attempts + 1 AS attempt, p.email AS address, p.active, p.locale, p.time_zone
"""

SLACK_MESSAGE_NOTIFICATIONS = f"""
SELECT n.slack_message_id, {NOTIFICATION_COLUMNS}
FROM notifications n
LEFT JOIN ideas i ON i.id = n.idea_id
LEFT JOIN teams t ON t.id = n.team_id
WHERE n.slack_message_id = ANY ($1::bigint[])
ORDER BY n.slack_message_id, n.id DESC
"""

MARK_SLACK_SENDING = """
UPDATE notification_slack_messages SET state = 'sending', sending_at = now(), attempts = $2, lease_until = NULL
WHERE id = $1 AND state = 'queued'
RETURNING id
"""

MARK_SLACK_SENT = """
UPDATE notification_slack_messages SET state = 'sent', sent_at = now(), last_error = NULL WHERE id = $1
"""

# $1 the message, $2 the error, $3 attempts so far, $4 seconds until the next attempt (NULL: give up
# or, with $5, the answer never came: 'unknown', not posted again).
MARK_SLACK_FAILED = """
UPDATE notification_slack_messages
SET state = CASE WHEN $5 THEN 'unknown' WHEN $4::float8 IS NULL THEN 'failed' ELSE 'queued' END,
    next_attempt_at = CASE WHEN $4::float8 IS NULL THEN next_attempt_at ELSE now() + make_interval(secs => $4) END,
    attempts = $3, last_error = $2, lease_until = NULL
WHERE id = $1
"""

DUE_SLACK_MESSAGES = """
SELECT id FROM notification_slack_messages
WHERE state = 'queued' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
ORDER BY id LIMIT $1
"""

ABANDON_SLACK_SENDING = """
UPDATE notification_slack_messages SET state = 'unknown', last_error = 'interrupted while sending'
WHERE state = 'sending' AND sending_at < now() - make_interval(secs => $1)
"""

# Who voted for idea $1, but $2 (the one who edited it).
VOTERS = "SELECT employee_id FROM votes WHERE idea_id = $1 AND employee_id IS DISTINCT FROM $2"
