"""Notification emails through a real worker and a real SMTP server: language, coalescing,
an SMTP outage, and a worker killed mid-send."""

from __future__ import annotations

import pytest

from tests.conftest import MAIL_TIMING
from tests.factories import make_idea, make_service_map
from tests.pipeline import MailSink, Pipeline, eventually, pipeline_env

pytestmark = pytest.mark.slow

AUTHOR = "emma@example.com"


async def _idea(client, auth) -> dict:
    await make_service_map(client, auth)
    return await make_idea(client, auth(AUTHOR, team="marketing"), services=["laptop-setup"])


async def _plan(client, auth, idea_id: int) -> None:
    response = await client.post(
        f"/api/v1/ideas/{idea_id}/status",
        headers=auth("lena@example.com"),
        json={"status": "planned", "reason": "Next sprint"},
    )
    assert response.status == 200, await response.text()


def _pipeline(database_url, redis_url, tmp_path, sink: MailSink, **extra: str) -> Pipeline:
    env = pipeline_env(
        database_url, redis_url, PORTAL_HEARTBEAT_DIR=str(tmp_path / "beats"), **sink.env(), **MAIL_TIMING, **extra
    )
    running = Pipeline(env, tmp_path)
    running.start("worker")
    running.start("scheduler")
    return running


async def test_an_email_is_in_the_recipients_language(client, auth, mail_pipeline, mail_sink):
    idea = await _idea(client, auth)
    response = await client.patch("/api/v1/me", headers=auth(AUTHOR), json={"locale": "ja"})
    assert response.status == 200, await response.text()
    await _plan(client, auth, idea["id"])
    [mail] = await eventually(mail_sink.waiting_for(AUTHOR))
    assert mail.subject == f"ステータス変更: {idea['title']}"
    assert "さんが「" in mail.body("plain") and "を受付中から計画済みに変更しました。" in mail.body("plain")
    assert mail.message["Content-Language"] == "ja"
    assert '<html lang="ja">' in mail.body("html")


async def test_a_flurry_of_comments_is_one_email_per_window(client, auth, db, mail_pipeline, mail_sink):
    idea = await _idea(client, auth)
    for n in range(20):
        response = await client.post(
            f"/api/v1/ideas/{idea['id']}/comments", headers=auth(f"c{n}@example.com"), json={"body": f"Comment {n}"}
        )
        assert response.status == 201

    async def all_sent():
        return await db.fetchval(
            "SELECT count(*) = 20 FROM notifications n JOIN notification_emails m ON m.id = n.email_id "
            "WHERE n.kind = 'comment' AND m.state = 'sent'"
        )

    await eventually(all_sent)
    mails = mail_sink.messages(AUTHOR)
    # Comments keep coming while the first email goes out: at most the first and one more at
    # the end of the two-second window, never one per comment.
    assert 1 <= len(mails) <= 2
    assert sum(m.body("plain").count("commented on") for m in mails) == 20
    if len(mails) == 2:
        assert mails[1].received_at - mails[0].received_at >= 1.5


async def test_an_email_the_smtp_server_could_not_take_is_sent_once_it_is_back(
    client, auth, db, database_url, redis_url, tmp_path
):
    sink = MailSink(tmp_path / "mail")  # not started: the SMTP server is down
    running = _pipeline(
        database_url, redis_url, tmp_path, sink, PORTAL_NOTIFICATION_RETRY_SCHEDULE="[1, 1, 1, 1, 1, 1, 1, 1]"
    )
    try:
        idea = await _idea(client, auth)
        await _plan(client, auth, idea["id"])

        async def failed_once():
            return await db.fetchval(
                "SELECT count(*) FROM notification_emails WHERE state = 'queued' AND attempts >= 1 "
                "AND last_error IS NOT NULL"
            )

        await eventually(failed_once)
        sink.start()
        await eventually(sink.waiting_for(AUTHOR))

        async def recorded_sent():
            return await db.fetchval("SELECT bool_and(state = 'sent') FROM notification_emails")

        await eventually(recorded_sent)  # an attempt reaches the server before it is recorded; none follows 'sent'
        assert len(sink.messages(AUTHOR)) == 1
    finally:
        running.stop()
        sink.stop()


async def test_a_worker_killed_mid_batch_leaves_one_email_uncertain_and_sends_the_rest_once(
    client, auth, db, database_url, redis_url, tmp_path
):
    sink = MailSink(tmp_path / "mail", delay_seconds=3).start()  # accepts each message slowly
    running = _pipeline(database_url, redis_url, tmp_path, sink, PORTAL_NOTIFICATION_SENDING_TIMEOUT_SECONDS="1")
    try:
        idea = await _idea(client, auth)
        mentioned = [f"m{n}@example.com" for n in range(5)]
        for who in mentioned:  # a mention is emailed at once: five emails in one send batch
            await client.get("/api/v1/me", headers=auth(who))
        body = "Please look: " + " ".join(f"@{who}" for who in mentioned)
        response = await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=auth(AUTHOR), json={"body": body})
        assert response.status == 201

        async def sending():
            return await db.fetchval("SELECT id FROM notification_emails WHERE state = 'sending'")

        email_id = await eventually(sending, interval=0.02)
        running.kill("worker")
        running.start("worker")

        async def settled():
            states = await db.fetch("SELECT id, state, message_id FROM notification_emails ORDER BY id")
            done = all(row["state"] in ("sent", "unknown") for row in states)
            return states if done and len(states) >= len(mentioned) else None

        states = await eventually(settled, timeout=60)
        assert [row["id"] for row in states if row["state"] == "unknown"] == [email_id]
        received = [mail.message["Message-ID"] for mail in sink.messages()]
        for (
            row
        ) in states:  # every email recorded 'sent' reached the server exactly once; the uncertain one at most once
            assert (
                received.count(row["message_id"]) == 1
                if row["state"] == "sent"
                else received.count(row["message_id"]) <= 1
            )
    finally:
        running.stop()
        sink.stop()
