"""What is personal and short-lived is deleted when its retention setting no longer keeps it
(portal.retention), by the scheduler's job, and what is still kept stays."""

from __future__ import annotations

import pytest

from portal import retention
from portal.config import Settings
from tests.pipeline import eventually

PERSON = "INSERT INTO employees (subject, email, name) VALUES ('sub-r', 'r@example.com', 'R') RETURNING id"
NOTIFICATION = """
INSERT INTO notifications (recipient_id, event_id, kind, reason, portal, email, visible_at, email_id, created_at)
VALUES ($1, $2, 'comment', 'follower', 'instant', 'instant', now(), $3, now() - make_interval(days => $4))
RETURNING id
"""
EMAIL = """
INSERT INTO notification_emails (recipient_id, message_id, kinds, state, sent_at, created_at)
VALUES ($1, $2, '{comment}', $3, CASE WHEN $3 = 'sent' THEN now() END, now() - make_interval(days => $4))
RETURNING id
"""
SESSION = """
INSERT INTO web_sessions (token_hash, employee_id, csrf_token, created_at, expires_at)
VALUES (sha256($2::bytea), $1, repeat('c', 32), now() - make_interval(hours => $3), now() - make_interval(hours => $3 - 12))
"""
SIGN_IN = """
INSERT INTO web_sign_ins (state_hash, nonce, code_verifier, next_path, created_at)
VALUES (sha256($1::bytea), 'n', repeat('v', 43), '/', now() - make_interval(mins => $2))
"""
KEY = "INSERT INTO idempotency_keys (caller, key, request_hash, created_at) VALUES ('token:1', $1, 'h', now() - make_interval(hours => $2))"
WEBHOOK = """
WITH hook AS (INSERT INTO webhooks (url, event_types, secret_encrypted) VALUES ('https://example.com/h', '{idea.created}', 'x') RETURNING id),
event AS (INSERT INTO events (type, subject, data) VALUES ('idea.created', 'idea:1', '{}') RETURNING id),
delivery AS (
    INSERT INTO webhook_deliveries (webhook_id, event_id, state, completed_at)
    SELECT hook.id, event.id, $1, CASE WHEN $1 <> 'pending' THEN now() - make_interval(days => $2) END FROM hook, event
    RETURNING id)
INSERT INTO webhook_attempts (delivery_id, duration_ms, status_code) SELECT id, 5, 200 FROM delivery RETURNING delivery_id
"""


async def purge_all(db, settings: Settings) -> None:
    for purge in retention.PURGES:
        while await retention.purge_batch(db, purge=purge, settings=settings) == retention.BATCH:
            pass


@pytest.fixture
async def person(db) -> int:
    return await db.fetchval(PERSON)


async def test_notifications_older_than_their_retention_are_deleted_read_or_not(db, person, settings):
    old = await db.fetchval(NOTIFICATION, person, 1, None, settings.retain_notifications_days + 1)
    recent = await db.fetchval(NOTIFICATION, person, 2, None, settings.retain_notifications_days - 1)
    await purge_all(db, settings)
    assert await db.fetchval("SELECT array_agg(id) FROM notifications") == [recent]
    assert old != recent


async def test_a_sent_email_goes_with_the_last_notification_it_carried(db, person, settings):
    days = settings.retain_notifications_days
    carried_old = await db.fetchval(EMAIL, person, "m1", "sent", days + 1)
    carried_recent = await db.fetchval(EMAIL, person, "m2", "sent", days + 1)
    await db.fetchval(NOTIFICATION, person, 1, carried_old, days + 1)
    await db.fetchval(NOTIFICATION, person, 2, carried_recent, days - 1)  # still in someone's list
    await purge_all(db, settings)
    assert await db.fetchval("SELECT array_agg(id) FROM notification_emails") == [carried_recent]
    # Its notification still names it, so it is not due again.
    assert await db.fetchval("SELECT email_id FROM notifications") == carried_recent


async def test_an_email_not_yet_sent_is_kept_however_old(db, person, settings):
    queued = await db.fetchval(EMAIL, person, "m1", "queued", settings.retain_notifications_days + 10)
    await purge_all(db, settings)
    assert await db.fetchval("SELECT array_agg(id) FROM notification_emails") == [queued]


async def test_finished_webhook_deliveries_and_their_attempts_are_deleted_after_their_retention(db, settings):
    await db.fetchval(WEBHOOK, "succeeded", settings.retain_deliveries_days + 1)
    recent = await db.fetchval(WEBHOOK, "failed", settings.retain_deliveries_days - 1)
    pending = await db.fetchval(WEBHOOK, "pending", 0)
    await purge_all(db, settings)
    assert await db.fetchval("SELECT array_agg(id ORDER BY id) FROM webhook_deliveries") == [recent, pending]
    assert await db.fetchval("SELECT array_agg(delivery_id ORDER BY id) FROM webhook_attempts") == [recent, pending]


async def test_expired_sessions_and_idempotency_keys_are_deleted(db, person, settings):
    await db.execute(SESSION, person, b"expired", 24)  # expired twelve hours ago
    await db.execute(SESSION, person, b"live", 1)  # expires in eleven hours
    await db.execute(KEY, "old", settings.idempotency_hours + 1)
    await db.execute(KEY, "new", 1)
    await purge_all(db, settings)
    assert await db.fetchval("SELECT count(*) FROM web_sessions") == 1
    assert await db.fetchval("SELECT array_agg(key) FROM idempotency_keys") == ["new"]


async def test_a_key_past_its_window_may_be_used_again_for_another_request(client, auth, settings, db):
    headers = {**auth(), "Idempotency-Key": "k-1"}
    first = await client.post("/api/v1/ideas", json={"title": "First idea here"}, headers=headers)
    assert first.status == 201
    await db.execute(
        "UPDATE idempotency_keys SET created_at = now() - make_interval(hours => $1)", settings.idempotency_hours + 1
    )
    second = await client.post("/api/v1/ideas", json={"title": "Another idea here"}, headers=headers)
    assert second.status == 201 and "Idempotent-Replayed" not in second.headers


async def test_the_scheduler_runs_the_purge(database_url, redis_url, tmp_path, db, person):
    from tests.pipeline import Pipeline, pipeline_env

    await db.execute(SESSION, person, b"expired", 24)
    env = pipeline_env(
        database_url, redis_url, PORTAL_HEARTBEAT_DIR=str(tmp_path / "beats"), PORTAL_RETENTION_INTERVAL_SECONDS="1"
    )
    running = Pipeline(env, tmp_path)
    running.start("worker")
    running.start("scheduler")
    try:

        async def purged() -> bool:
            return await db.fetchval("SELECT count(*) FROM web_sessions") == 0

        await eventually(purged, timeout=90)
    finally:
        running.stop()


async def test_a_sign_in_left_unfinished_for_an_hour_is_deleted(db, settings):
    await db.execute(SIGN_IN, b"abandoned", 61)
    await db.execute(SIGN_IN, b"in progress", 5)
    await purge_all(db, settings)
    assert await db.fetchval("SELECT array_agg(state_hash) FROM web_sign_ins") == [
        await db.fetchval("SELECT sha256($1::bytea)", b"in progress")
    ]
