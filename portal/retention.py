"""How long what is personal and short-lived is kept (docs/data.md): a scheduler job deletes what
has expired, a batch at a time so no delete holds many rows for long.

- sign-in sessions: when they expire (PORTAL_SESSION_HOURS), and unfinished sign-ins after an hour;
- notifications: PORTAL_RETAIN_NOTIFICATIONS_DAYS after they were made, read or not;
- the emails and Slack messages that carried them: once they are finished and none of the
  notifications they carried is left (a notification whose email went away would be sent again);
- webhook deliveries with their attempts, and team-channel messages: PORTAL_RETAIN_DELIVERIES_DAYS
  after they were finished (delivered or given up);
- idempotency keys: PORTAL_IDEMPOTENCY_HOURS after the request;
- audit trail entries: PORTAL_RETAIN_AUDIT_DAYS after the act (the table refuses every other
  delete; this one says so in its transaction, portal.audit_purge).
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.config import Settings
from portal.db import Connection

BATCH = 5000
NOTIFICATIONS = """
DELETE FROM notifications WHERE id IN (
    SELECT id FROM notifications WHERE created_at < now() - make_interval(days => $1) LIMIT $2)
"""
# An email or Slack message once finished and none of the notifications it carried is left.
CARRIER = """
DELETE FROM {table} WHERE id IN (
    SELECT m.id FROM {table} m
    WHERE m.state IN ('sent', 'failed', 'unknown') AND m.created_at < now() - make_interval(days => $1)
      AND NOT EXISTS (SELECT FROM notifications n WHERE n.{column} = m.id)
    LIMIT $2)
"""
EMAILS = CARRIER.format(table="notification_emails", column="email_id")
SLACK_MESSAGES = CARRIER.format(table="notification_slack_messages", column="slack_message_id")
WEBHOOK_DELIVERIES = """
DELETE FROM webhook_deliveries WHERE id IN (
    SELECT id FROM webhook_deliveries
    WHERE state <> 'pending' AND completed_at < now() - make_interval(days => $1) LIMIT $2)
"""
CHAT_MESSAGES = """
DELETE FROM chat_messages WHERE id IN (
    SELECT id FROM chat_messages WHERE state <> 'pending' AND completed_at < now() - make_interval(days => $1) LIMIT $2)
"""
SESSIONS = "DELETE FROM web_sessions WHERE ctid IN (SELECT ctid FROM web_sessions WHERE expires_at < now() LIMIT $1)"
SIGN_INS = """
DELETE FROM web_sign_ins WHERE ctid IN (
    SELECT ctid FROM web_sign_ins WHERE created_at < now() - interval '1 hour' LIMIT $1)
"""
IDEMPOTENCY_KEYS = """
DELETE FROM idempotency_keys WHERE ctid IN (
    SELECT ctid FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1) LIMIT $2)
"""


AUDIT_PURGE = "SELECT set_config('portal.audit_purge', 'on', true)"
AUDIT = """
DELETE FROM audit_trail WHERE id IN (
    SELECT id FROM audit_trail WHERE at < now() - make_interval(days => $1) ORDER BY at LIMIT $2)
"""


@dataclass(frozen=True)
class Purge:
    name: str
    sql: str
    setting: str | None  # the Settings field holding how long (None: nothing to pass but the batch)
    before: str | None = None  # run first, in the same transaction


PURGES = [
    Purge("notifications", NOTIFICATIONS, "retain_notifications_days"),
    Purge("notification emails", EMAILS, "retain_notifications_days"),
    Purge("notification Slack messages", SLACK_MESSAGES, "retain_notifications_days"),
    Purge("webhook deliveries", WEBHOOK_DELIVERIES, "retain_deliveries_days"),
    Purge("team-channel messages", CHAT_MESSAGES, "retain_deliveries_days"),
    Purge("sign-in sessions", SESSIONS, None),
    Purge("sign-ins in progress", SIGN_INS, None),
    Purge("idempotency keys", IDEMPOTENCY_KEYS, "idempotency_hours"),
    Purge("audit trail entries", AUDIT, "retain_audit_days", before=AUDIT_PURGE),
]


def _count(status: str) -> int:
    return int(status.rsplit(" ", 1)[-1])


async def purge_batch(conn: Connection, *, purge: Purge, settings: Settings) -> int:
    """Deletes up to BATCH expired rows of one kind; how many."""
    args = (BATCH,) if purge.setting is None else (getattr(settings, purge.setting), BATCH)
    if purge.before is not None:
        await conn.execute(purge.before)
    return _count(await conn.execute(purge.sql, *args))
