"""What notifies whom, end to end: an API action, the real worker and scheduler, and the
notification in the portal and as an email the SMTP server received."""

from __future__ import annotations

import pytest

from tests.factories import make_idea, make_service_map
from tests.pipeline import eventually

pytestmark = pytest.mark.slow

AUTHOR = "emma@example.com"


def listed(client, headers, kind: str, count: int = 1):
    async def check():
        page = await (await client.get("/api/v1/me/notifications", headers=headers)).json()
        found = [n for n in page["items"] if n["kind"] == kind]
        return found if len(found) >= count else None

    return check


async def routed_idea(client, auth) -> dict:
    await make_service_map(client, auth)
    idea = await make_idea(client, auth(AUTHOR, team="marketing"), services=["laptop-setup"])

    async def routed():
        rows = await (await client.get(f"/api/v1/ideas/{idea['id']}/routings", headers=auth())).json()
        return len(rows) == 3

    await eventually(routed)
    return idea


async def test_a_status_change_reaches_the_author_in_the_portal_and_by_email(client, auth, mail_pipeline, mail_sink):
    idea = await routed_idea(client, auth)
    response = await client.post(
        f"/api/v1/ideas/{idea['id']}/status",
        headers=auth("lena@example.com"),
        json={"status": "planned", "reason": "Next sprint"},
    )
    assert response.status == 200, await response.text()
    [notification] = await eventually(listed(client, auth(AUTHOR), "status_changed"))
    assert notification["idea"] == {"id": idea["id"], "title": idea["title"]}
    assert notification["reason"] == "author"
    assert notification["data"]["from"] == "open" and notification["data"]["to"] == "planned"
    [mail] = await eventually(mail_sink.waiting_for(AUTHOR))
    assert "Status changed" in mail.subject and idea["title"] in mail.subject
    assert f"http://portal.example.com/ideas/{idea['id']}" in mail.body("plain")
    assert f'href="http://portal.example.com/ideas/{idea["id"]}"' in mail.body("html")
    # The lead who changed it is not told about their own action.
    lena = await (await client.get("/api/v1/me/notifications", headers=auth("lena@example.com"))).json()
    assert [n for n in lena["items"] if n["kind"] == "status_changed"] == []


async def test_a_team_answer_reaches_the_voters(client, auth, mail_pipeline, mail_sink):
    idea = await routed_idea(client, auth)
    voter = auth("vic@example.com", team="sales")
    assert (await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=voter)).status == 200
    response = await client.post(
        f"/api/v1/ideas/{idea['id']}/routings/it/response",
        headers=auth("lena@example.com"),
        json={"decision": "accepted", "message": "We will image laptops in advance."},
    )
    assert response.status == 200, await response.text()
    [notification] = await eventually(listed(client, voter, "responded"))
    assert notification["reason"] == "voter" and notification["team"] == "it"
    assert notification["data"]["decision"] == "accepted"
    # Voters follow along: by default they hear by email in the daily digest, not at once.
    assert mail_sink.messages("vic@example.com") == []
    await eventually(mail_sink.waiting_for(AUTHOR))


async def test_a_comment_reaches_followers_but_not_its_author(client, auth, mail_pipeline, mail_sink):
    idea = await routed_idea(client, auth)
    commenter = auth("carl@example.com", team="sales")
    response = await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=commenter, json={"body": "+1 here"})
    assert response.status == 201
    [notification] = await eventually(listed(client, auth(AUTHOR), "comment"))
    assert notification["data"]["excerpt"] == "+1 here" and notification["data"]["by_name"] == "Carl"
    [mail] = await eventually(mail_sink.waiting_for(AUTHOR))
    assert "New comment" in mail.subject and "+1 here" in mail.body("plain")
    mine = await (await client.get("/api/v1/me/notifications", headers=commenter)).json()
    assert mine["items"] == []


async def test_a_mention_reaches_the_mentioned_employee_at_once(client, auth, mail_pipeline, mail_sink):
    idea = await routed_idea(client, auth)
    hugo = auth("hugo@example.com", name="Hugo Berg")
    await client.get("/api/v1/me/notifications", headers=hugo)  # signs in: his name is known
    response = await client.post(
        f"/api/v1/ideas/{idea['id']}/comments",
        headers=auth("carl@example.com"),
        json={"body": "What do you think, @HugoBerg? And @lena@example.com?"},
    )
    assert response.status == 201
    [notification] = await eventually(listed(client, hugo, "mention"))
    assert notification["reason"] == "mentioned"
    [mail] = await eventually(mail_sink.waiting_for("hugo@example.com"))
    assert "You were mentioned" in mail.subject
    await eventually(listed(client, auth("lena@example.com"), "mention"))


async def test_a_routed_idea_reaches_the_leads_of_its_teams(client, auth, mail_pipeline, mail_sink):
    idea = await routed_idea(client, auth)
    [notification] = await eventually(listed(client, auth("lena@example.com"), "routed"))
    assert notification["reason"] == "lead" and notification["team"] == "it"
    assert notification["data"]["role"] == "provider"
    await eventually(listed(client, auth("mark@example.com"), "routed"))
    [mail] = await eventually(mail_sink.waiting_for("lena@example.com"))
    assert idea["title"] in mail.subject
    # HR's lead is not concerned.
    hugo = await (await client.get("/api/v1/me/notifications", headers=auth("hugo@example.com"))).json()
    assert hugo["items"] == []


async def test_an_overdue_routing_reaches_the_leads_then_the_admins(client, auth, db, mail_pipeline, mail_sink):
    from portal.routing.service import mark_overdue

    idea = await routed_idea(client, auth)
    await client.get("/api/v1/me/notifications", headers=auth.admin)  # the admin exists
    # Due half an hour ago after a one-hour response time: overdue, not yet a second period late.
    await db.execute(
        "UPDATE routings SET routed_at = now() - interval '90 minutes', due_at = now() - interval '30 minutes' "
        "WHERE team_id = (SELECT id FROM teams WHERE slug = 'it')"
    )
    await mark_overdue(db)
    [overdue] = await eventually(listed(client, auth("lena@example.com"), "overdue"))
    assert overdue["idea"]["id"] == idea["id"] and not overdue["data"].get("escalated")
    admin_page = await (await client.get("/api/v1/me/notifications", headers=auth.admin)).json()
    # (sales has no lead: its routing went to the admins at once, which is another test's story)
    assert [n for n in admin_page["items"] if n["kind"] == "overdue" and not n["data"].get("no_lead")] == []
    # A second response period later, still unanswered: the admins hear.
    await db.execute(
        "UPDATE routings SET routed_at = now() - interval '121 minutes', due_at = now() - interval '61 minutes' "
        "WHERE team_id = (SELECT id FROM teams WHERE slug = 'it')"
    )
    await mark_overdue(db)
    [escalated] = [n for n in await eventually(listed(client, auth.admin, "overdue", count=2)) if n["team"] == "it"]
    assert escalated["reason"] == "admin" and escalated["data"]["escalated"] is True
    await eventually(mail_sink.waiting_for("admin@example.com"))


async def test_a_compiled_digest_reaches_the_team_leads(client, auth, mail_pipeline, mail_sink):
    await routed_idea(client, auth)
    response = await client.post("/api/v1/teams/it/digests", headers=auth("lena@example.com"))
    assert response.status == 201, await response.text()
    [notification] = await eventually(listed(client, auth("lena@example.com"), "digest"))
    assert notification["team"] == "it" and notification["idea"] is None

    async def digest_mailed():
        return [m for m in mail_sink.messages("lena@example.com") if "/teams/it/digests" in m.body("plain")]

    [mail] = await eventually(digest_mailed)
    assert "The digest of It is ready." in mail.body("plain")
