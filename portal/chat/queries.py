"""SQL for team chat channels, as $n-parameterised constants."""

from __future__ import annotations

CONNECTIONS = """
SELECT c.kind, c.slack_channel AS channel, c.teams_host AS host, c.enabled, c.disabled_reason,
       c.failing_since, c.created_at AS connected_at
FROM chat_connections c WHERE c.team_id = $1
"""

# Connecting again replaces the channel and enables it (a disabled one is fixed by connecting anew).
CONNECT_SLACK = """
INSERT INTO chat_connections (team_id, kind, slack_channel, connected_by) VALUES ($1, 'slack', $2, $3)
ON CONFLICT (team_id, kind) DO UPDATE SET slack_channel = excluded.slack_channel, enabled = true,
    disabled_reason = NULL, failing_since = NULL, connected_by = excluded.connected_by, created_at = now(),
    updated_at = now()
"""

CONNECT_TEAMS = """
INSERT INTO chat_connections (team_id, kind, teams_url_encrypted, teams_host, connected_by)
VALUES ($1, 'teams', $2, $3, $4)
ON CONFLICT (team_id, kind) DO UPDATE SET teams_url_encrypted = excluded.teams_url_encrypted,
    teams_host = excluded.teams_host, enabled = true, disabled_reason = NULL, failing_since = NULL,
    connected_by = excluded.connected_by, created_at = now(), updated_at = now()
"""

DISCONNECT = "DELETE FROM chat_connections WHERE team_id = $1 AND kind = ANY($2::text[]) RETURNING kind"

# The events posted to a team's channels: those about one of its routings, and its digest. An
# answer or a status change updates the Slack message in place (Teams' webhooks cannot).
POSTED = (
    "idea.routed",
    "routing.due_soon",
    "routing.overdue",
    "routing.escalated",
    "routing.reopened",
    "digest.compiled",
)
UPDATED = ("routing.responded", "idea.status_changed")

# In feed order, so each line follows the order events happened in. The connections' rows are held
# (KEY SHARE) while their messages are made: one removed meanwhile waits, or is left out.
CREATE_FOR_EVENTS = f"""
INSERT INTO chat_messages (connection_id, event_id, subject)
SELECT c.id, e.id, e.subject
FROM events e
JOIN LATERAL (
    SELECT t.id AS team_id FROM teams t
    WHERE e.type IN {POSTED + ("routing.responded",)} AND t.slug = e.data->>'team'
      AND NOT coalesce((e.data->>'role_changed')::boolean, false)
    UNION ALL
    SELECT r.team_id FROM routings r
    WHERE e.type = 'idea.status_changed' AND r.idea_id = (e.data->>'id')::bigint AND r.state <> 'withdrawn'
) target ON true
JOIN chat_connections c ON c.team_id = target.team_id AND c.enabled
     AND (c.kind = 'slack' OR e.type NOT IN {UPDATED})
WHERE e.id = ANY($1::bigint[])
ORDER BY e.feed_position, e.id, c.id
FOR KEY SHARE OF c
ON CONFLICT (connection_id, event_id) DO NOTHING
RETURNING id
"""

CLAIMED_COLUMNS = """m.id AS message_id, m.attempts, m.uncertain, c.id AS connection_id, c.kind, c.team_id,
          c.slack_channel, c.teams_url_encrypted, e.id AS event_id, e.type, e.subject, e.data, e.occurred_at"""

# Due messages first in their line (no earlier message of the same connection about the same
# subject is pending), leased for one attempt each.
CLAIM = f"""
UPDATE chat_messages m SET lease_until = now() + make_interval(secs => $2)
FROM chat_connections c, events e
WHERE m.id IN (
        SELECT x.id FROM chat_messages x
        WHERE x.state = 'pending' AND x.next_attempt_at <= now()
          AND (x.lease_until IS NULL OR x.lease_until < now())
          AND NOT EXISTS (
              SELECT 1 FROM chat_messages p
              WHERE p.connection_id = x.connection_id AND p.subject = x.subject AND p.state = 'pending'
                AND p.id < x.id)
        ORDER BY x.next_attempt_at LIMIT $1 FOR UPDATE OF x SKIP LOCKED)
  AND c.id = m.connection_id AND e.id = m.event_id
RETURNING {CLAIMED_COLUMNS}
"""

DUE = """
SELECT EXISTS (SELECT 1 FROM chat_messages WHERE state = 'pending' AND next_attempt_at <= now()
               AND (lease_until IS NULL OR lease_until < now()))
"""

# What a message shows about an idea and one team's routing of it, read when it is sent (so it
# is current however long it waited).
IDEA_CARD = """
SELECT i.id, i.title, i.status, i.vote_count, a.name AS author, t.slug AS team, t.name AS team_name,
       r.role, r.state, r.due_at, r.overdue_notified_at IS NOT NULL AS overdue, r.message,
       coalesce((SELECT array_agg(s.name ORDER BY s.name) FROM idea_services x JOIN services s ON s.id = x.service_id
                 WHERE x.idea_id = i.id), '{}') AS services
FROM ideas i JOIN employees a ON a.id = i.author_id JOIN teams t ON t.id = $2
LEFT JOIN routings r ON r.idea_id = i.id AND r.team_id = t.id
WHERE i.id = $1
"""

DIGEST_CARD = """
SELECT d.id, t.slug AS team, t.name AS team_name, d.period_start, d.period_end, d.content
FROM team_digests d JOIN teams t ON t.id = d.team_id WHERE d.id = $1
"""

POST_OF = "SELECT channel, ts FROM chat_posts WHERE connection_id = $1 AND idea_id = $2"

SAVE_POST = """
INSERT INTO chat_posts (connection_id, idea_id, channel, ts, event_id) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (connection_id, idea_id) DO UPDATE
SET channel = excluded.channel, ts = excluded.ts, event_id = excluded.event_id, posted_at = now()
"""

# One attempt's outcome: $2 the message's state now ('sent', 'skipped', 'pending' for a retry
# after $3 seconds, 'failed'), $4 whether the attempt counts (a rate limit does not), $5 whether
# its answer never came (once one did not, every later attempt looks for the post first), $6 the error.
RECORD_ATTEMPT = """
WITH recorded AS (
    UPDATE chat_messages SET state = $2, attempts = attempts + $4::int, lease_until = NULL,
           uncertain = uncertain OR $5,
           last_error = $6,
           next_attempt_at = CASE WHEN $2 = 'pending' THEN now() + make_interval(secs => $3) ELSE next_attempt_at END,
           completed_at = CASE WHEN $2 = 'pending' THEN NULL ELSE now() END
    WHERE id = $1 RETURNING connection_id
)
UPDATE chat_connections c
SET failing_since = CASE WHEN $2 IN ('sent', 'skipped') THEN NULL ELSE coalesce(c.failing_since, now()) END
FROM recorded WHERE c.id = recorded.connection_id
  AND (c.failing_since IS NULL) = ($2 NOT IN ('sent', 'skipped'))
"""

# A channel that is gone or refuses the app: the connection stops, and its waiting messages with it.
DISABLE = """
WITH stopped AS (
    UPDATE chat_connections SET enabled = false, disabled_reason = $2, updated_at = now()
    WHERE id = $1 AND enabled RETURNING id, team_id, kind
), waiting AS (
    UPDATE chat_messages m SET state = 'failed', completed_at = now(), lease_until = NULL,
           last_error = coalesce(m.last_error, 'the connection was disabled')
    FROM stopped WHERE m.connection_id = stopped.id AND m.state = 'pending'
)
SELECT s.kind, t.slug AS team FROM stopped s JOIN teams t ON t.id = s.team_id
"""

DISABLE_FAILING = """
SELECT c.id FROM chat_connections c
WHERE c.enabled AND c.failing_since < now() - make_interval(secs => $1)
"""

# The employee a Slack user is, by the address Slack holds for them: active people only.
EMPLOYEE_BY_EMAIL = """
SELECT e.id, e.email, e.name, e.team_id, t.slug AS team_slug, e.is_admin, e.is_moderator
FROM employees e LEFT JOIN teams t ON t.id = e.team_id
WHERE e.email = lower($1) AND e.active
"""

TEAM_OF_SLUG = "SELECT id, slug, name FROM teams WHERE slug = $1"

IDEA_LINK = "SELECT id, title, status, vote_count FROM ideas WHERE id = $1"

IDEA_TEAMS = """
SELECT t.name, r.role FROM routings r JOIN teams t ON t.id = r.team_id
WHERE r.idea_id = $1 AND r.state <> 'withdrawn' ORDER BY r.role DESC, t.name
"""

SERVICE_OPTIONS = "SELECT slug, name FROM services ORDER BY name LIMIT 100"
