"""Notifications by Slack direct message: chosen per kind beside the portal and email, gathered
into one message per person per window, posted at most once, to the person Slack knows by the
same address."""

from __future__ import annotations

import pytest

from portal.chat import direct
from tests.factories import make_employee, make_idea, relay_all

pytestmark = pytest.mark.usefixtures("service_map")
LENA = "lena@example.com"


async def choose_slack(client, auth, email: str, kind: str = "routed", mode: str = "instant") -> None:
    body = {"preferences": [{"kind": kind, "portal": "instant", "email": "off", "slack": mode}]}
    response = await client.put("/api/v1/me/notification-preferences", headers=auth(email, team="it"), json=body)
    assert response.status == 200, await response.text()


async def post_ideas(client, auth, db, *titles: str) -> None:
    await make_employee(client, auth, "emma@example.com", team="marketing")
    for title in titles:
        await make_idea(client, auth("emma@example.com", team="marketing"), title, services=["laptop-setup"])
    await relay_all(db)


async def compose_and_send(db, pool, channels, settings) -> list[direct.Outcome]:
    async with db.transaction():
        ids = await direct.compose(db, window_seconds=settings.notification_window_seconds)
    async with db.transaction():
        outgoing = await direct.lease(db, ids, settings)
    assert channels.slack is not None
    return await direct.send(pool, channels.slack, outgoing, settings)


def dms(slack, user: str) -> list:
    return slack.in_channel(user)


async def test_a_lead_who_chose_slack_hears_of_a_routed_idea_by_direct_message(
    client, auth, db, pool, channels, settings, slack
):
    await choose_slack(client, auth, LENA)
    await post_ideas(client, auth, db, "Laptops ready on day one")
    [outcome] = await compose_and_send(db, pool, channels, settings)
    assert outcome.error is None
    [message] = dms(slack, "ULENA")
    shown = str(message.blocks)
    assert "Laptops ready on day one" in shown and "http://portal.example.com/ideas/" in shown
    assert await db.fetchval("SELECT state FROM notification_slack_messages") == "sent"


async def test_notifications_within_the_window_come_as_one_message(client, auth, db, pool, channels, settings, slack):
    await choose_slack(client, auth, LENA)
    await post_ideas(client, auth, db, "Laptops ready on day one", "Printers on every floor", "Faster VPN at home")
    await compose_and_send(db, pool, channels, settings)
    [message] = dms(slack, "ULENA")
    assert all(title in str(message.blocks) for title in ("Laptops ready", "Printers on", "Faster VPN"))
    await post_ideas(client, auth, db, "A fourth idea in the same window")
    assert await compose_and_send(db, pool, channels, settings) == []  # it waits for the window to end


async def test_nobody_hears_in_slack_without_choosing_it(client, auth, db, pool, channels, settings, slack):
    await post_ideas(client, auth, db, "Laptops ready on day one")
    assert await compose_and_send(db, pool, channels, settings) == []
    assert slack.posted == []


async def test_someone_without_a_slack_account_gets_nothing_there_and_it_is_said_why(
    client, auth, db, pool, channels, settings, slack
):
    del slack.users["ULENA"]
    await choose_slack(client, auth, LENA)
    await post_ideas(client, auth, db, "Laptops ready on day one")
    [outcome] = await compose_and_send(db, pool, channels, settings)
    assert "no Slack account" in (outcome.error or "")
    assert await db.fetchval("SELECT state FROM notification_slack_messages") == "failed"
    assert slack.posted == []


async def test_a_message_whose_answer_never_came_is_not_posted_again(client, auth, db, pool, channels, settings, slack):
    await choose_slack(client, auth, LENA)
    await post_ideas(client, auth, db, "Laptops ready on day one")
    slack.hang_after_posting, slack.hang_seconds = 1, 4
    [outcome] = await compose_and_send(db, pool, channels, settings)
    assert outcome.unknown
    assert await db.fetchval("SELECT state FROM notification_slack_messages") == "unknown"
    async with db.transaction():
        assert await direct.lease(db, None, settings) == []
    assert len(dms(slack, "ULENA")) == 1


async def test_a_rate_limited_message_waits_and_is_not_counted_as_an_attempt(
    client, auth, db, pool, channels, settings, slack
):
    await choose_slack(client, auth, LENA)
    await post_ideas(client, auth, db, "Laptops ready on day one")
    slack.rate_limited, slack.retry_after = 1, 20
    await compose_and_send(db, pool, channels, settings)
    row = await db.fetchrow("SELECT state, attempts, next_attempt_at - now() AS wait FROM notification_slack_messages")
    assert row["state"] == "queued" and row["attempts"] == 0 and 15 <= row["wait"].total_seconds() <= 20


async def test_the_slack_choice_reads_back_and_is_kept_when_a_client_leaves_it_out(client, auth):
    await make_employee(client, auth, LENA)
    await choose_slack(client, auth, LENA, kind="mention", mode="daily")
    body = {"preferences": [{"kind": "mention", "portal": "instant", "email": "instant"}]}
    response = await client.put("/api/v1/me/notification-preferences", headers=auth(LENA, team="it"), json=body)
    mention = next(p for p in await response.json() if p["kind"] == "mention")
    assert (mention["email"], mention["slack"]) == ("instant", "daily")


async def test_the_settings_page_offers_slack_once_the_app_is_installed(client, auth):
    from tests.factories import sign_in

    await make_employee(client, auth, LENA)
    csrf = await sign_in(client, LENA)
    page = await (await client.get("/settings/notifications")).text()
    assert 'name="routed.slack"' in page and "In Slack" in page
    form = {"csrf_token": csrf, "routed.slack": "instant"}
    response = await client.post("/settings/notifications", data=form, allow_redirects=False)
    assert response.status == 303
    prefs = await (await client.get("/api/v1/me/notification-preferences", headers=auth(LENA))).json()
    assert next(p for p in prefs if p["kind"] == "routed")["slack"] == "instant"
