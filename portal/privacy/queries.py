"""SQL for people's data (portal.privacy), as $n-parameterised constants."""

from __future__ import annotations

# Everything the portal holds about employee $1, in one snapshot: what they wrote, chose and were
# sent; of other people only what the portal shows them (who thanked them, ideas' titles).
PROFILE = """
SELECT jsonb_build_object(
  'id', e.id, 'email', e.email, 'name', e.name, 'given_name', e.given_name, 'family_name', e.family_name,
  'team', t.slug, 'is_admin', e.is_admin, 'active', e.active, 'locale', e.locale,
  'time_zone', e.time_zone, 'created_at', e.created_at, 'updated_at', e.updated_at,
  'deactivated_at', e.deactivated_at, 'kept_by', e.managed_by,
  'lead_of', (SELECT coalesce(jsonb_agg(lt.slug ORDER BY lt.slug), '[]')
              FROM team_leads l JOIN teams lt ON lt.id = l.team_id WHERE l.employee_id = e.id))
FROM employees e LEFT JOIN teams t ON t.id = e.team_id WHERE e.id = $1
"""
DIRECTORY = """
SELECT jsonb_build_object(
  'user_name', d.user_name, 'external_id', d.external_id, 'display_name', d.display_name,
  'department', d.department, 'emails', d.emails, 'attributes', d.attributes,
  'created_at', d.created_at, 'updated_at', d.updated_at)
FROM directory_users d WHERE d.employee_id = $1
"""
# Each list: its name, the fields of an entry (name, expression), its order, and where from.
LISTS: list[tuple[str, str, str, str]] = [
    (
        "ideas",
        "'id', i.id, 'title', i.title, 'body', i.body, 'tags', i.tags, 'status', i.status,"
        " 'created_at', i.created_at, 'updated_at', i.updated_at, 'edited_at', i.edited_at",
        "i.id",
        "ideas i WHERE i.author_id = $1",
    ),
    (
        "comments",
        "'id', c.id, 'idea_id', c.idea_id, 'body', c.body, 'created_at', c.created_at,"
        " 'updated_at', c.updated_at, 'deleted_at', c.deleted_at",
        "c.id",
        "comments c WHERE c.author_id = $1",
    ),
    (
        # The versions of their own ideas and comments that an edit replaced (portal.ideas.history).
        "idea_versions",
        "'idea_id', r.idea_id, 'version', r.version, 'title', r.title, 'body', r.body, 'tags', r.tags,"
        " 'replaced_at', r.replaced_at",
        "r.idea_id, r.version",
        "idea_revisions r JOIN ideas i ON i.id = r.idea_id WHERE i.author_id = $1",
    ),
    (
        "comment_versions",
        "'comment_id', r.comment_id, 'idea_id', c.idea_id, 'version', r.version, 'body', r.body,"
        " 'replaced_at', r.replaced_at",
        "r.comment_id, r.version",
        "comment_revisions r JOIN comments c ON c.id = r.comment_id WHERE c.author_id = $1",
    ),
    (
        "votes",
        "'idea_id', v.idea_id, 'idea_title', i.title, 'cast_at', v.cast_at",
        "v.cast_at, v.idea_id",
        "votes v JOIN ideas i ON i.id = v.idea_id WHERE v.employee_id = $1",
    ),
    (
        "follows",
        "'idea_id', f.idea_id, 'team', ft.slug, 'service', fs.slug, 'tag', f.tag, 'following', f.following,"
        " 'since', f.created_at",
        "f.created_at",
        "follows f LEFT JOIN teams ft ON ft.id = f.team_id LEFT JOIN services fs ON fs.id = f.service_id"
        " WHERE f.employee_id = $1",
    ),
    (
        "thanks_sent",
        "'to_colleague', te.name, 'to_team', tt.slug, 'idea_id', th.idea_id, 'message', th.message,"
        " 'public', th.public, 'sent_at', th.created_at",
        "th.id",
        "thanks th LEFT JOIN employees te ON te.id = th.to_employee_id LEFT JOIN teams tt ON tt.id = th.to_team_id"
        " WHERE th.sender_id = $1",
    ),
    (
        "thanks_received",
        "'from', se.name, 'idea_id', th.idea_id, 'message', th.message, 'public', th.public, 'sent_at', th.created_at",
        "th.id",
        "thanks th JOIN employees se ON se.id = th.sender_id WHERE th.to_employee_id = $1",
    ),
    (
        "notification_preferences",
        "'kind', p.kind, 'portal', p.portal, 'email', p.email, 'slack', p.slack",
        "p.kind",
        "notification_preferences p WHERE p.employee_id = $1",
    ),
    (
        "notifications",
        "'kind', n.kind, 'reason', n.reason, 'idea_id', n.idea_id, 'created_at', n.created_at, 'read_at', n.read_at",
        "n.id",
        "notifications n WHERE n.recipient_id = $1",
    ),
    (
        "survey_answers_in_open_rounds",
        "'round_id', a.round_id, 'kind', r.kind, 'csat', a.csat, 'ces', a.ces, 'improvement', a.improvement,"
        " 'solved', a.solved, 'comment', a.comment, 'closes_at', r.closes_at",
        "a.id",
        "survey_answers a JOIN survey_rounds r ON r.id = a.round_id WHERE a.respondent_id = $1 AND r.closed_at IS NULL",
    ),
    (
        "answers_as_lead",
        "'idea_id', ro.idea_id, 'team', rt.slug, 'state', ro.state, 'message', ro.message,"
        " 'responded_at', ro.responded_at",
        "ro.responded_at",
        "routings ro JOIN teams rt ON rt.id = ro.team_id WHERE ro.responded_by = $1",
    ),
    (
        "status_changes",
        "'idea_id', s.idea_id, 'from', s.from_status, 'to', s.to_status, 'reason', s.reason,"
        " 'changed_at', s.changed_at",
        "s.id",
        "idea_status_changes s WHERE s.changed_by = $1",
    ),
    (
        "attachments",
        "'id', at.id, 'name', at.name, 'content_type', at.content_type, 'size', at.size, 'idea_id', at.idea_id,"
        " 'comment_id', at.comment_id, 'uploaded_at', at.created_at, 'removed_at', at.removed_at",
        "at.id",
        "attachments at WHERE at.uploader_id = $1",
    ),
    (
        "reports_filed",
        "'kind', mc.kind, 'item_id', mc.item_id, 'reason', mr.reason, 'note', mr.note, 'reported_at', mr.created_at",
        "mr.created_at",
        "moderation_reports mr JOIN moderation_cases mc ON mc.id = mr.case_id WHERE mr.reporter_id = $1",
    ),
    (
        "sessions",
        "'signed_in_at', ws.created_at, 'last_seen_at', ws.last_seen_at, 'expires_at', ws.expires_at",
        "ws.created_at",
        "web_sessions ws WHERE ws.employee_id = $1",
    ),
]
EXPORT = (
    f"SELECT jsonb_build_object('profile', ({PROFILE}), 'directory', ({DIRECTORY}), "
    + ", ".join(
        f"'{name}', (SELECT coalesce(jsonb_agg(jsonb_build_object({fields}) ORDER BY {order}), '[]') FROM {source})"
        for name, fields, order, source in LISTS
    )
    + ")"
)

# ---- Erasure ----

NOT_YET_ERASED = "SELECT id FROM employees WHERE email = lower($1) AND erased_at IS NULL"
# Their lead roles end; answers the teams that have no lead left.
END_LEADS = """
WITH ended AS (DELETE FROM team_leads WHERE employee_id = $1 RETURNING team_id)
SELECT coalesce(array_agg(e.team_id), '{}') FROM ended e
WHERE NOT EXISTS (SELECT FROM team_leads l WHERE l.team_id = e.team_id AND l.employee_id <> $1)
"""
LOCK_EMPLOYEE = "SELECT id, erased_at FROM employees WHERE id = $1 FOR UPDATE"
PSEUDONYMISE = """
UPDATE employees
SET name = $2, email = $3, subject = $4, given_name = '', family_name = '', locale = NULL,
    time_zone = NULL, team_id = NULL, is_admin = false, is_moderator = false, managed_by = NULL, active = false,
    deactivated_at = coalesce(deactivated_at, now()), erased_at = now(), updated_at = now()
WHERE id = $1
"""
# What only concerned them, each $1 the employee.
FORGET = [
    "DELETE FROM thanks WHERE NOT public AND (sender_id = $1 OR to_employee_id = $1)",
    "DELETE FROM notifications WHERE recipient_id = $1",
    "DELETE FROM notification_emails WHERE recipient_id = $1",
    "DELETE FROM notification_slack_messages WHERE recipient_id = $1",
    "DELETE FROM notification_mailboxes WHERE employee_id = $1",
    "DELETE FROM notification_preferences WHERE employee_id = $1",
    "DELETE FROM follows WHERE employee_id = $1",
    "DELETE FROM idea_merge_follows WHERE employee_id = $1",
    "DELETE FROM web_sessions WHERE employee_id = $1",
    "DELETE FROM directory_group_members WHERE employee_id = $1",
    "UPDATE directory_users SET manager_id = NULL WHERE manager_id = $1",
    "DELETE FROM directory_users WHERE employee_id = $1",
    "UPDATE survey_answers SET respondent_id = NULL WHERE respondent_id = $1",
    "DELETE FROM moderation_reports WHERE reporter_id = $1",
]
AUTHORED_IDEAS = "SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM ideas WHERE author_id = $1"
AUTHORED_COMMENTS = "SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM comments WHERE author_id = $1"
REMOVE_IDEAS = "UPDATE ideas SET title = $2, body = '', tags = '{}', updated_at = now() WHERE author_id = $1"
# Their earlier versions go with the text (those of their own ideas and comments, whoever edited).
REMOVE_REVISIONS = [
    "DELETE FROM idea_revisions WHERE idea_id IN (SELECT id FROM ideas WHERE author_id = $1)",
    "DELETE FROM comment_revisions WHERE comment_id IN (SELECT id FROM comments WHERE author_id = $1)",
]
# As a comment is deleted (portal.comments): a tombstone, one fewer on its idea's count.
REMOVE_COMMENTS = """
WITH tombstoned AS (
    UPDATE comments SET body = NULL, deleted_at = now(), updated_at = now()
    WHERE author_id = $1 AND deleted_at IS NULL RETURNING idea_id
), counts AS (SELECT idea_id, count(*) AS n FROM tombstoned GROUP BY idea_id)
UPDATE ideas i SET comment_count = i.comment_count - c.n FROM counts c WHERE i.id = c.idea_id
"""
# Their uploads go (the attachments job deletes the files), and each idea's count follows.
REMOVE_ATTACHMENTS = """
WITH removed AS (
    UPDATE attachments SET removed_at = now() WHERE uploader_id = $1 AND removed_at IS NULL RETURNING idea_id
)
UPDATE ideas i SET attachment_count = (
    SELECT count(*) FROM attachments a WHERE a.idea_id = i.id AND a.removed_at IS NULL AND a.uploader_id <> $1)
WHERE i.id IN (SELECT idea_id FROM removed)
"""
