"""Team-channel messages from the outbox: a routed idea reaches the team's Slack channel (Block
Kit, with buttons) and its Teams channel (an Adaptive Card), once each; an answer updates the Slack
message in place; rate limits, outages, timeouts and archived channels each have their outcome."""

from __future__ import annotations

import pytest

from portal.chat import delivery
from tests.factories import make_employee, make_idea, relay_all, sign_in
from tests.pipeline import Receiver

pytestmark = pytest.mark.usefixtures("service_map")
CHANNEL = "C0ITTEAM1"


async def connect(client, auth, *, slack: str | None = CHANNEL, teams: str | None = None, team: str = "it") -> None:
    lead = auth.admin
    body = {**({"slack_channel": slack} if slack else {}), **({"teams_webhook_url": teams} if teams else {})}
    response = await client.put(f"/api/v1/teams/{team}/chat", headers=lead, json=body)
    assert response.status == 200, await response.text()


async def routed_idea(client, auth, db, title: str = "Laptops ready on day one") -> dict:
    await make_employee(client, auth, "emma@example.com", team="marketing")
    idea = await make_idea(client, auth("emma@example.com", team="marketing"), title, services=["laptop-setup"])
    await relay_all(db)
    return idea


async def test_a_routed_idea_is_posted_to_the_teams_slack_channel_with_its_buttons(
    client, auth, db, pool, channels, slack
):
    await connect(client, auth)
    idea = await routed_idea(client, auth, db)
    assert not await delivery.deliver(pool, channels)
    [posted] = slack.in_channel(CHANNEL)
    assert "Laptops ready on day one" in posted.text and "Laptops ready on day one" in str(posted.blocks)
    assert "Emma" in str(posted.blocks) and "Laptop Setup" in str(posted.blocks)  # who it is from, services
    assert "*Votes*" in str(posted.blocks) and "Answer due" in str(posted.blocks)
    assert posted.buttons == ["open", "acknowledge", "answer"]
    assert f"http://portal.example.com/ideas/{idea['id']}" in str(posted.blocks)
    assert posted.event_id is not None  # the key a retry looks for


async def test_a_routed_idea_reaches_the_teams_channel_as_an_adaptive_card(client, auth, db, pool, channels):
    async with Receiver() as teams:
        await connect(client, auth, slack=None, teams=teams.url)
        idea = await routed_idea(client, auth, db)
        await delivery.deliver(pool, channels)
        [received] = teams.received
    card = received.json["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"
    assert "Laptops ready on day one" in str(card["content"]["body"])
    assert card["content"]["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Open in the portal",
            "url": f"http://portal.example.com/ideas/{idea['id']}",
        }
    ]


async def test_each_connected_team_gets_the_idea_once_and_unconnected_teams_nothing(
    client, auth, db, pool, channels, slack
):
    await connect(client, auth)
    await connect(client, auth, slack="C0MARKETING", team="marketing")
    await routed_idea(client, auth, db)
    await delivery.deliver(pool, channels)
    await relay_all(db)
    await delivery.deliver(pool, channels)
    assert len(slack.in_channel(CHANNEL)) == 1
    assert len(slack.in_channel("C0MARKETING")) == 1
    assert "customer" in slack.in_channel("C0MARKETING")[0].text


async def test_an_answer_updates_the_slack_message_in_place(client, auth, db, pool, channels, slack):
    await connect(client, auth)
    idea = await routed_idea(client, auth, db)
    await delivery.deliver(pool, channels)
    response = await client.post(
        f"/api/v1/ideas/{idea['id']}/routings/it/response",
        headers=auth("lena@example.com", team="it"),
        json={"decision": "planned", "message": "Next quarter."},
    )
    assert response.status == 200, await response.text()
    await relay_all(db)
    await delivery.deliver(pool, channels)
    [posted] = slack.in_channel(CHANNEL)
    assert len(posted.updates) >= 1
    assert "Planned" in str(posted.blocks) and posted.text.startswith("In the inbox of It (provider)")
    assert posted.buttons == ["open"]  # nothing left to answer


async def test_the_teams_channel_gets_no_second_card_for_an_answer(client, auth, db, pool, channels):
    async with Receiver() as teams:
        await connect(client, auth, slack=None, teams=teams.url)
        idea = await routed_idea(client, auth, db)
        await delivery.deliver(pool, channels)
        await client.post(
            f"/api/v1/ideas/{idea['id']}/routings/it/response",
            headers=auth("lena@example.com", team="it"),
            json={"decision": "acknowledged"},
        )
        await relay_all(db)
        await delivery.deliver(pool, channels)
        assert len(teams.received) == 1


async def test_an_answer_falling_due_soon_is_said_in_the_ideas_thread(client, auth, db, pool, channels, slack):
    from portal.routing.service import mark_overdue

    await connect(client, auth)
    await routed_idea(client, auth, db)
    await delivery.deliver(pool, channels)
    await db.execute(
        "UPDATE routings SET routed_at = now() - interval '62 hours', due_at = now() + interval '10 hours'"
    )
    async with db.transaction():
        await mark_overdue(db)
    await relay_all(db)
    await delivery.deliver(pool, channels)
    first, reply = slack.in_channel(CHANNEL)
    assert reply.thread_ts == first.ts and reply.text.startswith("Answer due soon: It")


async def test_a_customer_teams_dispute_is_said_in_the_providers_thread(client, auth, db, pool, channels, slack):
    await connect(client, auth)
    idea = await routed_idea(client, auth, db)
    await delivery.deliver(pool, channels)
    lena, mark = auth("lena@example.com", team="it"), auth("mark@example.com", team="marketing")
    answer = {"decision": "accepted", "message": "We will do it."}
    assert (
        await client.post(f"/api/v1/ideas/{idea['id']}/routings/it/response", headers=lena, json=answer)
    ).status == 200
    dispute = {"position": "disputed", "reason": "One day is still too long for us."}
    response = await client.post(f"/api/v1/ideas/{idea['id']}/routings/marketing/position", headers=mark, json=dispute)
    assert response.status == 200, await response.text()
    await relay_all(db)
    await delivery.deliver(pool, channels)
    first, reply = slack.in_channel(CHANNEL)
    assert reply.thread_ts == first.ts
    assert reply.text.startswith("Disputed by marketing: One day is still too long for us.")
    assert "acknowledge" in first.buttons and first.updates  # it waits for a new answer, and its message says so


async def test_the_teams_digest_is_posted_to_its_channels(client, auth, db, pool, channels, slack):
    async with Receiver() as teams:
        await connect(client, auth, teams=teams.url)
        await routed_idea(client, auth, db)
        response = await client.post("/api/v1/teams/it/digests", headers=auth("lena@example.com", team="it"))
        assert response.status in (200, 201, 202), await response.text()
        await relay_all(db)
        await delivery.deliver(pool, channels)
        digest = [p for p in slack.in_channel(CHANNEL) if p.text.startswith("The digest of It is ready")]
        assert len(digest) == 1 and "Newly routed 1" in digest[0].text
        assert "/teams/it/digests" in str(digest[0].blocks)
        assert any("The digest of It is ready" in r.body.decode() for r in teams.received)


async def test_a_post_whose_answer_never_came_is_not_posted_again(client, auth, db, pool, channels, slack):
    await connect(client, auth)
    await routed_idea(client, auth, db)
    slack.hang_after_posting, slack.hang_seconds = 1, 4  # past the client's 2 s timeout
    await delivery.deliver(pool, channels)
    assert await db.fetchval("SELECT uncertain FROM chat_messages") is True
    await db.execute("UPDATE chat_messages SET next_attempt_at = now()")
    await delivery.deliver(pool, channels)
    assert len(slack.in_channel(CHANNEL)) == 1
    assert await db.fetchval("SELECT state FROM chat_messages") == "sent"
    assert await db.fetchval("SELECT ts FROM chat_posts") == slack.in_channel(CHANNEL)[0].ts


async def test_a_rate_limit_waits_its_retry_after_and_is_not_counted_as_an_attempt(
    client, auth, db, pool, channels, slack
):
    await connect(client, auth)
    await routed_idea(client, auth, db)
    slack.rate_limited, slack.retry_after = 1, 30
    await delivery.deliver(pool, channels)
    row = await db.fetchrow("SELECT state, attempts, next_attempt_at - now() AS wait FROM chat_messages")
    assert row["state"] == "pending" and row["attempts"] == 0
    assert 25 <= row["wait"].total_seconds() <= 30
    await db.execute("UPDATE chat_messages SET next_attempt_at = now()")
    await delivery.deliver(pool, channels)
    assert len(slack.in_channel(CHANNEL)) == 1


async def test_a_slack_outage_loses_nothing(client, auth, db, pool, channels, slack):
    await connect(client, auth)
    await routed_idea(client, auth, db)
    slack.failing = 2
    await delivery.deliver(pool, channels)
    assert await db.fetchval("SELECT failing_since IS NOT NULL FROM chat_connections")
    for _ in range(2):
        await db.execute("UPDATE chat_messages SET next_attempt_at = now() WHERE state = 'pending'")
        await delivery.deliver(pool, channels)
    assert len(slack.in_channel(CHANNEL)) == 1
    assert await db.fetchval("SELECT failing_since IS NULL AND enabled FROM chat_connections")


async def test_an_unreachable_teams_workflow_is_retried(client, auth, db, pool, channels):
    await connect(client, auth, slack=None, teams="http://127.0.0.1:9/nothing-listens")
    await routed_idea(client, auth, db)
    await delivery.deliver(pool, channels)
    row = await db.fetchrow("SELECT state, attempts, last_error FROM chat_messages")
    assert row["state"] == "pending" and row["attempts"] == 1 and row["last_error"]


async def test_an_archived_channel_disables_its_connection_and_tells_the_teams_leads(
    client, auth, db, pool, channels, slack
):
    await connect(client, auth)
    await connect(client, auth, slack="C0MARKETING", team="marketing")
    slack.archived.add(CHANNEL)
    await routed_idea(client, auth, db)
    await delivery.deliver(pool, channels)
    it = await (await client.get("/api/v1/teams/it/chat", headers=auth.admin)).json()
    assert it["slack"]["enabled"] is False and "is_archived" in it["slack"]["disabled_reason"]
    marketing = await (await client.get("/api/v1/teams/marketing/chat", headers=auth.admin)).json()
    assert marketing["slack"]["enabled"] is True and len(slack.in_channel("C0MARKETING")) == 1
    await relay_all(db)  # chat.disabled reaches the leads
    told = await db.fetch(
        "SELECT e.email, n.data FROM notifications n JOIN employees e ON e.id = n.recipient_id WHERE n.kind = 'chat'"
    )
    assert [row["email"] for row in told] == ["lena@example.com"]
    await sign_in(client, "lena@example.com")
    page = await (await client.get("/notifications")).text()
    assert "The Slack channel of It stopped receiving messages: Slack: is_archived. Connect it again." in page
    assert 'href="/teams/it/channels"' in page


async def test_connecting_again_after_a_channel_was_disabled_posts_again(client, auth, db, pool, channels, slack):
    await connect(client, auth)
    slack.archived.add(CHANNEL)
    await routed_idea(client, auth, db, "First idea for the archived channel")
    await delivery.deliver(pool, channels)
    await connect(client, auth, slack="C0NEWCHANNEL")
    await routed_idea(client, auth, db, "Second idea after reconnecting")
    await delivery.deliver(pool, channels)
    assert [p.text.split(": ")[1] for p in slack.in_channel("C0NEWCHANNEL")][0].startswith("Second idea")


async def test_without_a_bot_token_messages_wait_rather_than_being_lost(client, auth, db, pool, channels, slack):
    await connect(client, auth)
    await routed_idea(client, auth, db)
    channels.slack = None
    await delivery.deliver(pool, channels)
    assert await db.fetchval("SELECT state FROM chat_messages") == "pending"
