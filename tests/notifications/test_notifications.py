"""Notifications in the portal: who is told, what they choose, what they follow, and the list.

The outbox relay runs in the test (relay_all), as the worker runs it."""

from __future__ import annotations

from portal.notifications import emails
from portal.notifications.fanout import mentions
from portal.notifications.service import unsubscribe
from tests.factories import make_idea, make_service_map, relay_all

AUTHOR = "emma@example.com"


async def notifications(client, headers, **query) -> dict:
    response = await client.get("/api/v1/me/notifications", headers=headers, params=query)
    assert response.status == 200, await response.text()
    return await response.json()


async def change_status(client, auth, idea_id: int, status: str) -> None:
    response = await client.post(
        f"/api/v1/ideas/{idea_id}/status",
        headers=auth("lena@example.com"),
        json={"status": status, "reason": "Decided in the weekly review"},
    )
    assert response.status == 200, await response.text()


async def routed(client, auth, db) -> dict:
    await make_service_map(client, auth)
    idea = await make_idea(client, auth(AUTHOR, team="marketing"), services=["laptop-setup"])
    await relay_all(db)
    return idea


async def test_votes_notify_nobody(client, auth, db):
    idea = await routed(client, auth, db)
    before = await db.fetchval("SELECT count(*) FROM notifications")
    for n in range(30):
        assert (await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth(f"v{n}@example.com"))).status == 200
    await relay_all(db)
    assert await db.fetchval("SELECT count(*) FROM notifications") == before


async def test_voters_commenters_and_followers_hear_of_a_status_change_for_their_reason(client, auth, db):
    idea = await routed(client, auth, db)
    await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth("vic@example.com"))
    await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=auth("carl@example.com"), json={"body": "Yes"})
    await client.put(f"/api/v1/ideas/{idea['id']}/follow", headers=auth("fay@example.com"))
    await client.put("/api/v1/services/laptop-setup/follow", headers=auth("sam@example.com"))
    await client.put("/api/v1/tags/onboarding/follow", headers=auth("tia@example.com"))
    await relay_all(db)
    await change_status(client, auth, idea["id"], "planned")
    await relay_all(db)
    reasons = {}
    for email in ("emma", "vic", "carl", "fay", "sam", "tia"):
        page = await notifications(client, auth(f"{email}@example.com"))
        reasons[email] = [n["reason"] for n in page["items"] if n["kind"] == "status_changed"]
    assert reasons == {
        "emma": ["author"],
        "vic": ["voter"],
        "carl": ["commenter"],
        "fay": ["follower"],
        "sam": ["follower"],
        "tia": [],  # the idea has no such tag
    }


async def test_a_tag_follower_hears_about_ideas_with_the_tag(client, auth, db, service_map):
    await client.put("/api/v1/tags/Onboarding/follow", headers=auth("tia@example.com"))
    idea = await make_idea(client, auth(AUTHOR), tags=["onboarding"])
    await relay_all(db)
    await client.put(f"/api/v1/ideas/{idea['id']}/follow", headers=auth("lena@example.com"))
    await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=auth(AUTHOR), json={"body": "More detail"})
    await relay_all(db)
    [told] = (await notifications(client, auth("tia@example.com")))["items"]
    assert told["kind"] == "comment" and told["reason"] == "follower"
    follows = await (await client.get("/api/v1/me/follows", headers=auth("tia@example.com"))).json()
    assert [(f["kind"], f["target"]) for f in follows] == [("tag", "onboarding")]


async def test_unfollowing_an_idea_silences_even_its_author(client, auth, db):
    idea = await routed(client, auth, db)
    response = await client.delete(f"/api/v1/ideas/{idea['id']}/follow", headers=auth(AUTHOR))
    assert await response.json() == {"following": False, "reason": None}
    await change_status(client, auth, idea["id"], "planned")
    await relay_all(db)
    assert (await notifications(client, auth(AUTHOR)))["items"] == []
    response = await client.put(f"/api/v1/ideas/{idea['id']}/follow", headers=auth(AUTHOR))
    assert await response.json() == {"following": True, "reason": "author"}


async def test_a_comment_mentioning_a_follower_tells_them_once_as_a_mention(client, auth, db):
    idea = await routed(client, auth, db)
    await client.post(
        f"/api/v1/ideas/{idea['id']}/comments",
        headers=auth("carl@example.com"),
        json={"body": f"@{AUTHOR} and again @{AUTHOR}, and myself @carl@example.com"},
    )
    await relay_all(db)
    [told] = (await notifications(client, auth(AUTHOR)))["items"]
    assert told["kind"] == "mention"
    assert (await notifications(client, auth("carl@example.com")))["items"] == []


async def test_a_colleague_is_mentioned_by_the_part_of_their_address_before_the_at(client, auth, db):
    await client.get("/api/v1/me", headers=auth("ken.sato@example.com"))  # signs in once
    idea = await routed(client, auth, db)
    await client.post(
        f"/api/v1/ideas/{idea['id']}/comments",
        headers=auth("carl@example.com"),
        json={"body": "Could @ken.sato, who set this up, have a look?"},
    )
    await relay_all(db)
    [told] = (await notifications(client, auth("ken.sato@example.com")))["items"]
    assert told["kind"] == "mention"


def test_a_mention_ends_before_trailing_punctuation_and_keeps_inner_dots():
    assert mentions("hi @ken.sato, @AikoTanaka. @x@example.com! @佐藤健") == (
        ["x@example.com"],
        ["ken.sato", "aikotanaka", "佐藤健"],
    )


async def test_the_list_puts_unread_first_and_pages_with_a_cursor(client, auth, db):
    idea = await routed(client, auth, db)
    for n in range(5):
        await client.post(
            f"/api/v1/ideas/{idea['id']}/comments", headers=auth("carl@example.com"), json={"body": f"c{n}"}
        )
    await relay_all(db)
    first = await notifications(client, auth(AUTHOR))
    assert first["unread_count"] == 5
    oldest = first["items"][-1]["id"]
    assert (await client.post(f"/api/v1/me/notifications/{oldest}/read", headers=auth(AUTHOR))).status == 204
    page = await notifications(client, auth(AUTHOR), limit=2)
    seen = [n["id"] for n in page["items"]]
    while page["next_cursor"]:
        page = await notifications(client, auth(AUTHOR), limit=2, cursor=page["next_cursor"])
        seen += [n["id"] for n in page["items"]]
    unread = sorted((n["id"] for n in first["items"] if n["id"] != oldest), reverse=True)
    assert seen == [*unread, oldest]
    count = await (await client.get("/api/v1/me/notifications/unread-count", headers=auth(AUTHOR))).json()
    assert count == {"unread_count": 4}
    only_unread = await notifications(client, auth(AUTHOR), unread="true")
    assert [n["id"] for n in only_unread["items"]] == unread


async def test_mark_all_read_stops_at_the_newest_shown(client, auth, db):
    idea = await routed(client, auth, db)
    for n in range(3):
        await client.post(
            f"/api/v1/ideas/{idea['id']}/comments", headers=auth("carl@example.com"), json={"body": f"c{n}"}
        )
    await relay_all(db)
    ids = sorted(n["id"] for n in (await notifications(client, auth(AUTHOR)))["items"])
    response = await client.post("/api/v1/me/notifications/read", headers=auth(AUTHOR), json={"up_to": ids[1]})
    assert await response.json() == {"marked": 2}
    response = await client.post("/api/v1/me/notifications/read", headers=auth(AUTHOR), json={})
    assert await response.json() == {"marked": 1}


async def test_nobody_can_read_or_mark_another_employees_notification(client, auth, db):
    idea = await routed(client, auth, db)
    await change_status(client, auth, idea["id"], "planned")
    await relay_all(db)
    [mine] = (await notifications(client, auth(AUTHOR)))["items"]
    response = await client.post(f"/api/v1/me/notifications/{mine['id']}/read", headers=auth("eve@example.com"))
    assert response.status == 404
    assert (await notifications(client, auth("eve@example.com")))["items"] == []
    assert (await notifications(client, auth(AUTHOR)))["unread_count"] == 1


async def test_an_api_token_has_no_notifications(client, auth, db):
    response = await client.post("/api/v1/tokens", headers=auth.admin, json={"name": "bot", "scopes": ["ideas:read"]})
    token = (await response.json())["token"]
    response = await client.get("/api/v1/me/notifications", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 403


async def test_preferences_default_to_instant_in_the_portal_and_read_back_what_was_chosen(client, auth, db):
    response = await client.get("/api/v1/me/notification-preferences", headers=auth(AUTHOR))
    prefs = await response.json()
    assert {p["kind"] for p in prefs} == {
        "status_changed",
        "responded",
        "comment",
        "mention",
        "routed",
        "overdue",
        "digest",
        "thanks",
        "chat",
        "idea_edited",
    }
    assert all(p["portal"] is None and p["email"] is None for p in prefs)
    response = await client.put(
        "/api/v1/me/notification-preferences",
        headers=auth(AUTHOR),
        json={"preferences": [{"kind": "comment", "portal": "daily", "email": "off"}]},
    )
    chosen = {p["kind"]: (p["portal"], p["email"]) for p in await response.json()}
    assert chosen["comment"] == ("daily", "off") and chosen["mention"] == (None, None)


async def test_a_bad_preference_is_refused_naming_the_field(client, auth):
    response = await client.put(
        "/api/v1/me/notification-preferences",
        headers=auth(AUTHOR),
        json={"preferences": [{"kind": "comment", "portal": "hourly", "email": "off"}]},
    )
    assert response.status == 422
    problem = await response.json()
    assert problem["errors"][0]["field"] == "body.preferences.0.portal"


async def test_off_in_both_channels_means_no_notification(client, auth, db):
    idea = await routed(client, auth, db)
    await client.put(
        "/api/v1/me/notification-preferences",
        headers=auth(AUTHOR),
        json={"preferences": [{"kind": "status_changed", "portal": "off", "email": "off"}]},
    )
    await change_status(client, auth, idea["id"], "planned")
    await relay_all(db)
    assert await db.fetchval("SELECT count(*) FROM notifications WHERE kind = 'status_changed'") == 0


async def test_a_daily_portal_notification_appears_when_the_digest_releases_it(client, auth, db):
    idea = await routed(client, auth, db)
    await client.put(
        "/api/v1/me/notification-preferences",
        headers=auth(AUTHOR),
        json={"preferences": [{"kind": "status_changed", "portal": "daily", "email": "off"}]},
    )
    await change_status(client, auth, idea["id"], "planned")
    await relay_all(db)
    assert (await notifications(client, auth(AUTHOR)))["items"] == []
    assert await emails.release_daily(db) == (1, 0)
    [released] = (await notifications(client, auth(AUTHOR)))["items"]
    assert released["kind"] == "status_changed"


async def test_authors_are_emailed_at_once_and_followers_in_the_daily_digest_by_default(client, auth, db):
    idea = await routed(client, auth, db)
    await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=auth("vic@example.com"))
    await relay_all(db)
    await change_status(client, auth, idea["id"], "planned")
    await relay_all(db)
    modes = dict(
        await db.fetch(
            "SELECT e.email, n.email_due_at IS NOT NULL FROM notifications n JOIN employees e ON e.id = n.recipient_id "
            "WHERE kind = 'status_changed'"
        )
    )
    assert modes == {AUTHOR: True, "vic@example.com": False}
    await emails.release_daily(db)
    assert await db.fetchval("SELECT count(*) FROM notifications WHERE email_due_at IS NOT NULL") >= 2


async def test_one_email_per_employee_per_window(client, auth, db):
    idea = await routed(client, auth, db)
    for n in range(10):
        await client.post(
            f"/api/v1/ideas/{idea['id']}/comments", headers=auth("carl@example.com"), json={"body": f"c{n}"}
        )
    await relay_all(db)
    first = await emails.compose(db, window_seconds=300, domain="example.com")
    # Author and the leads told of the routing: one email each, every due notification in it.
    assert await db.fetchval("SELECT count(*) FROM notification_emails WHERE id = ANY($1)", first) == len(first)
    emma = await db.fetchval(
        "SELECT count(*) FROM notifications n JOIN notification_emails m ON m.id = n.email_id "
        "JOIN employees e ON e.id = m.recipient_id WHERE e.email = $1",
        AUTHOR,
    )
    assert emma == 10
    await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=auth("carl@example.com"), json={"body": "late"})
    await relay_all(db)
    assert await emails.compose(db, window_seconds=300, domain="example.com") == []  # the window is closed
    await db.execute("UPDATE notification_mailboxes SET next_email_at = now()")
    [second] = await emails.compose(db, window_seconds=300, domain="example.com")
    assert second not in first


async def test_two_composers_at_once_make_one_email_per_employee(client, auth, db, database_url):
    import asyncio

    from portal.db import connect

    idea = await routed(client, auth, db)
    await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=auth("carl@example.com"), json={"body": "hi"})
    await relay_all(db)
    other = await connect(database_url)
    try:

        async def composer(conn):
            async with conn.transaction():
                return await emails.compose(conn, window_seconds=300, domain="example.com")

        await asyncio.gather(composer(db), composer(other))
    finally:
        await other.close()
    per_person = await db.fetch("SELECT recipient_id, count(*) FROM notification_emails GROUP BY 1")
    assert per_person and all(row["count"] == 1 for row in per_person)
    assert (
        await db.fetchval("SELECT count(*) FROM notifications WHERE email_due_at IS NOT NULL AND email_id IS NULL") == 0
    )


async def test_an_unsubscribe_link_turns_email_off_for_its_kinds_only(client, auth, db, settings):
    idea = await routed(client, auth, db)
    await change_status(client, auth, idea["id"], "planned")
    await relay_all(db)
    await emails.compose(db, window_seconds=300, domain="example.com")
    emma = await db.fetchval("SELECT id FROM employees WHERE email = $1", AUTHOR)
    email_id = await db.fetchval("SELECT id FROM notification_emails WHERE recipient_id = $1", emma)
    [outgoing] = await emails.lease(db, [email_id], settings)
    assert await emails.mark_sending(db, outgoing)  # its unsubscribe token is stored as it is sent
    link = outgoing.message["List-Unsubscribe"].strip("<>")
    assert outgoing.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = link.rsplit("/", 1)[1]
    assert await unsubscribe(db, token=token) == ["status_changed"]
    prefs = {
        p["kind"]: p
        for p in await (await client.get("/api/v1/me/notification-preferences", headers=auth(AUTHOR))).json()
    }
    assert prefs["status_changed"]["email"] == "off" and prefs["status_changed"]["portal"] == "instant"
    assert prefs["comment"]["email"] is None


async def test_a_commenter_hears_of_later_comments_only(client, auth, db):
    idea = await routed(client, auth, db)
    for who in ("ann", "bob", "cat"):  # relayed together, in one batch
        await client.post(
            f"/api/v1/ideas/{idea['id']}/comments", headers=auth(f"{who}@example.com"), json={"body": who}
        )
    await relay_all(db)
    told = {
        who: len((await notifications(client, auth(f"{who}@example.com")))["items"]) for who in ("ann", "bob", "cat")
    }
    assert told == {"ann": 2, "bob": 1, "cat": 0}


async def test_notifications_are_not_events_and_other_events_still_flow(client, auth, db):
    idea = await routed(client, auth, db)
    await change_status(client, auth, idea["id"], "planned")
    await relay_all(db)
    assert await db.fetchval("SELECT count(*) FROM notifications") > 0
    types = {row["type"] for row in await db.fetch("SELECT DISTINCT type FROM events")}
    assert "idea.status_changed" in types and not any(t.startswith("notification") for t in types)
    listed = await (await client.get("/api/v1/events/types", headers=auth.admin)).json()
    assert not any("notification" in t["type"] for t in listed)
