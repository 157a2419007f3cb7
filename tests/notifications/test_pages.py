"""The notification pages of the web client, over HTTP."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from portal.app import create_app
from portal.notifications import emails
from portal.seed import seed
from tests.factories import relay_all
from tests.servers import PortalTestServer

AIKO = "aiko@example.com"


async def _sign_in(client, email: str = AIKO) -> str:
    response = await client.post("/dev/sign-in", data={"email": email, "next": "/"}, allow_redirects=False)
    assert response.status == 303, await response.text()
    page = await (await client.get("/settings")).text()
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


async def _aikos_idea_commented(client, auth, db) -> int:
    """Aiko's seeded idea gets a comment from a colleague; returns the idea's id."""
    await seed(db)
    await relay_all(db)
    idea_id = await db.fetchval(
        "SELECT i.id FROM ideas i JOIN employees e ON e.id = i.author_id WHERE e.email = $1 ORDER BY i.id LIMIT 1", AIKO
    )
    response = await client.post(
        f"/api/v1/ideas/{idea_id}/comments", headers=auth("carl@example.com", name="Carl"), json={"body": "Seconded"}
    )
    assert response.status == 201
    await relay_all(db)
    return idea_id


async def test_the_header_counts_unread_and_the_page_links_each_to_its_idea(client, auth, db):
    idea_id = await _aikos_idea_commented(client, auth, db)
    csrf = await _sign_in(client)
    unread = await db.fetchval(
        "SELECT count(*) FROM notifications n JOIN employees e ON e.id = n.recipient_id WHERE e.email = $1", AIKO
    )
    home = await (await client.get("/")).text()
    assert re.search(rf"data-unread-count>{unread}</span>", home)
    page = await (await client.get("/notifications")).text()
    assert "Carl commented on" in page and f'href="/ideas/{idea_id}#comment-' in page
    response = await client.post("/notifications/read", data={"csrf_token": csrf}, allow_redirects=False)
    assert response.status == 303
    home = await (await client.get("/")).text()
    assert "data-unread-count hidden>0</span>" in home


async def test_the_notification_page_speaks_japanese(client, auth, db):
    await _aikos_idea_commented(client, auth, db)
    csrf = await _sign_in(client)
    await client.post("/settings/language", data={"csrf_token": csrf, "locale": "ja", "next": "/"})
    page = await (await client.get("/notifications")).text()
    assert "Carl さんが「" in page and "」にコメントしました。" in page and "通知" in page


async def test_preferences_are_saved_from_the_form(client, db):
    await seed(db)
    csrf = await _sign_in(client)
    response = await client.post(
        "/settings/notifications",
        data={"csrf_token": csrf, "comment.portal": "daily", "comment.email": "off", "mention.portal": ""},
        allow_redirects=False,
    )
    assert response.status == 303
    stored = await db.fetch(
        "SELECT p.kind, p.portal, p.email FROM notification_preferences p JOIN employees e ON e.id = p.employee_id "
        "WHERE e.email = $1",
        AIKO,
    )
    assert [tuple(row) for row in stored] == [("comment", "daily", "off")]
    page = await (await client.get("/settings/notifications")).text()
    assert '<option value="daily" selected>' in page


async def test_a_made_up_preference_is_refused_and_nothing_saved(client, db):
    await seed(db)
    csrf = await _sign_in(client)
    response = await client.post("/settings/notifications", data={"csrf_token": csrf, "comment.portal": "hourly"})
    assert response.status == 422
    assert await db.fetchval("SELECT count(*) FROM notification_preferences") == 0


async def test_the_idea_page_follows_and_unfollows(client, db):
    await seed(db)
    csrf = await _sign_in(client, "sam@example.com")
    idea_id = await db.fetchval(
        "SELECT id FROM ideas WHERE author_id <> (SELECT id FROM employees WHERE email = 'sam@example.com') "
        "AND NOT EXISTS (SELECT 1 FROM votes v JOIN employees e ON e.id = v.employee_id "
        "WHERE v.idea_id = ideas.id AND e.email = 'sam@example.com') ORDER BY id LIMIT 1"
    )
    page = await (await client.get(f"/ideas/{idea_id}")).text()
    assert "You hear nothing about this idea." in page
    await client.post(f"/ideas/{idea_id}/follow", data={"csrf_token": csrf, "following": "1"})
    page = await (await client.get(f"/ideas/{idea_id}")).text()
    assert "you follow it" in page and ">Unfollow</button>" in page


async def test_one_click_unsubscribe_needs_no_session_and_a_get_changes_nothing(client, auth, db, settings):
    await _aikos_idea_commented(client, auth, db)
    await emails.compose(db, window_seconds=300, domain="example.com")
    aiko_email = await db.fetchval(
        "SELECT m.id FROM notification_emails m JOIN employees e ON e.id = m.recipient_id WHERE e.email = $1", AIKO
    )
    [outgoing] = await emails.lease(db, [aiko_email], settings)
    assert await emails.mark_sending(db, outgoing)  # its unsubscribe token is stored as it is sent
    link = outgoing.message["List-Unsubscribe"].strip("<>")
    path = "/" + link.split("/", 3)[3]
    assert "Stop these emails" in await (await client.get(path)).text()
    assert await db.fetchval("SELECT count(*) FROM notification_preferences") == 0
    # What a mail provider sends (RFC 8058): a POST without cookies.
    response = await client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status == 200
    assert await db.fetchval(
        "SELECT array_agg(kind ORDER BY kind) FROM notification_preferences WHERE email = 'off'"
    ) == ["comment"]


async def test_an_unknown_unsubscribe_link_is_not_found(client, db):
    response = await client.post("/unsubscribe/" + "x" * 32, data={"List-Unsubscribe": "One-Click"})
    assert response.status == 404


async def test_the_captured_mail_page_exists_only_in_development(settings, db, tmp_path):
    from email.message import EmailMessage

    from portal.mailsink import MaildirHandler

    await seed(db)
    message = EmailMessage()
    message["Subject"], message["To"] = "Status changed: Faster laptops", AIKO
    message.set_content("hello")
    MaildirHandler(tmp_path / "mail").maildir.add(message.as_bytes())
    development = settings.model_copy(update={"environment": "development", "dev_maildir": tmp_path / "mail"})
    async with TestClient(PortalTestServer(create_app(development))) as dev_client:
        await _sign_in(dev_client)
        page = await (await dev_client.get("/dev/mail")).text()
        assert "Status changed: Faster laptops" in page
    test_mode = settings.model_copy(update={"dev_maildir": tmp_path / "mail"})
    async with TestClient(PortalTestServer(create_app(test_mode))) as test_client:
        await _sign_in(test_client)
        assert (await test_client.get("/dev/mail")).status == 404
