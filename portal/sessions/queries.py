"""SQL for browser sessions and sign-ins in progress."""

from __future__ import annotations

from portal.auth.queries import EMPLOYEE_COLUMNS

CREATE_SESSION = """
INSERT INTO web_sessions (token_hash, employee_id, csrf_token, expires_at)
VALUES ($1, $2, $3, now() + make_interval(secs => $4))
"""
# The session's employee; last_seen_at is refreshed at most once a minute.
LOAD_SESSION = f"""
WITH session AS (
    SELECT token_hash, employee_id, csrf_token, last_seen_at FROM web_sessions
    WHERE token_hash = $1 AND expires_at > now()
), touched AS (
    UPDATE web_sessions s SET last_seen_at = now() FROM session
    WHERE s.token_hash = session.token_hash AND session.last_seen_at < now() - interval '1 minute'
)
SELECT session.csrf_token, e.locale, e.time_zone, {EMPLOYEE_COLUMNS},
       ARRAY(SELECT t.slug FROM team_leads l JOIN teams t ON t.id = l.team_id
             WHERE l.employee_id = e.id ORDER BY t.slug) AS lead_of,
       -- What every page's header shows, read here rather than in two more round trips a page:
       -- the unread notifications (portal.notifications' badge) and which names are current.
       (SELECT count(*) FROM notifications n
        WHERE n.recipient_id = e.id AND n.read_at IS NULL AND n.visible_at IS NOT NULL) AS unread,
       (SELECT version FROM names_version) AS names_version
FROM session JOIN employees e ON e.id = session.employee_id AND e.active
"""
END_SESSION = "DELETE FROM web_sessions WHERE token_hash = $1"
# Every open browser session of these employees ($1), e.g. when they leave the company.
END_SESSIONS_OF = "DELETE FROM web_sessions WHERE employee_id = ANY($1::bigint[])"

BEGIN_SIGN_IN = """
INSERT INTO web_sign_ins (state_hash, nonce, code_verifier, next_path) VALUES ($1, $2, $3, $4)
"""
FINISH_SIGN_IN = """
DELETE FROM web_sign_ins WHERE state_hash = $1 AND created_at > now() - make_interval(secs => $2)
RETURNING nonce, code_verifier, next_path
"""
